"""Host enrichment and target sheets at scale: time to import, enrich and build all sheets.

Imports N servers (random public IPv4 addresses; one in ten with a country an analyst
established, one in twenty a documentation address), locates them with the built-in
GeoIP data (``hosts enrich``: each file's answer stored apart, the country chosen by
precedence), enriches them a second time (every answer replaced), and builds every
country's target sheet, the ``unknown`` one included. Prints each step's time, how many
hosts keep the analyst's country against GeoIP, and checks that every server is on a
sheet.

    python bench/enrich_speed.py               # 20,000 servers
    python bench/enrich_speed.py --hosts 100000
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

COUNTRIES = ("FR", "DE", "NL", "SE", "CA", "RO", "LV")


def servers_csv(path: Path, n: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    lines = ["ip_or_domain,role,first_seen,last_seen,source,country"]
    seen: set[str] = set()
    while len(seen) < n:
        if rng.random() < 0.05:
            address = f"{rng.choice(('192.0.2', '198.51.100', '203.0.113'))}.{rng.randint(1, 254)}"
        else:
            candidate = ipaddress.IPv4Address(rng.getrandbits(32))
            if not candidate.is_global:
                continue
            address = str(candidate)
        if address in seen:
            continue
        seen.add(address)
        country = rng.choice(COUNTRIES) if rng.random() < 0.1 else ""
        lines.append(f"{address},server,2025-01-01,2025-06-01,bench,{country}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=20_000)
    args = parser.parse_args()

    from leaktrace.infra.enrich import enrich_hosts
    from leaktrace.infra.importer import import_hosts
    from leaktrace.infra.targets import build_all_targets
    from leaktrace.store.database import Database
    from leaktrace.store.infra import load_hosts

    print(describe())
    with tempfile.TemporaryDirectory(prefix="leaktrace-bench-") as scratch:
        folder = Path(scratch)
        servers_csv(folder / "servers.csv", args.hosts)
        db = Database(str(folder / "bench.db"))
        steps: list[tuple[str, float]] = []

        def timed(label: str, action: object) -> object:
            start = time.perf_counter()
            result = action()  # type: ignore[operator]
            steps.append((label, time.perf_counter() - start))
            return result

        timed("import", lambda: import_hosts(db, folder / "servers.csv"))
        report = timed("enrich (first)", lambda: enrich_hosts(db))
        timed("enrich (again)", lambda: enrich_hosts(db))
        sheets = timed("all target sheets", lambda: build_all_targets(db))
        with db.reading() as conn:
            hosts = load_hosts(conn)
        db.close()
    assert isinstance(sheets, dict)
    on_sheets = sum(len(s.hosts) for s in sheets.values())
    chosen = [getattr(h, "location", None) for h in hosts]  # None before 0007
    analyst = [h for h, c in zip(hosts, chosen, strict=True) if c and c.kind == "analyst"]
    against = sum(1 for h in analyst if h.disagreement)
    print(f"{args.hosts:,} servers; {len(sheets)} sheets; {on_sheets:,} servers on them")
    reserved = sum(1 for h in hosts if h.reserved)
    unknown = sheets.get("unknown")
    print(
        f"  {reserved:,} documentation (reserved) addresses; "
        f"{len(unknown.hosts) if unknown else 0:,} servers on the 'unknown' sheet"
    )
    for label, seconds in steps:
        print(f"  {label:<20} {seconds:7.2f} s  ({args.hosts / seconds:,.0f} hosts/s)")
    print(
        f"  analyst's country kept: {len(analyst):,} servers, {against:,} of them against "
        f"the GeoIP data; disagreements reported by enrich: "
        f"{getattr(report, 'disagreements', 'n/a')}"
    )
    if on_sheets != args.hosts:
        sys.exit(f"FAIL: {args.hosts - on_sheets} servers on no sheet")


if __name__ == "__main__":
    main()
