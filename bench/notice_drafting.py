"""Drafting takedown notices at scale: 100,000 leak sightings across 2,000 recipients.

Builds a fresh SQLite database through the library's own paths: a catalogue of films
whose digital release is still ahead, a JSON-Lines feed in which each of their WEB-DL
leaks is seen at many URLs on 2,000 sites (one sighting per URL), and a contacts file
with an abuse contact per site. Then it times ``draft_notices`` for every leak since a
date (one DMCA notice per recipient, each listing all of that recipient's locations,
every notice rendered and checked element by element) and prints the figures.

    python bench/notice_drafting.py                      # 100,000 sightings, 2,000 sites
    python bench/notice_drafting.py --sightings 20000 --recipients 400
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model  # noqa: E402

SENDER = {
    "NAME": "Jane Roe",
    "EMAIL": "antipiracy@studio.example",
    "ADDRESS": "1 Studio Way, Burbank, CA 91505, USA",
    "PHONE": "+1 818 555 0100",
    "SIGNATURE": "/s/ Jane Roe",
    "PRINCIPAL": "Example Studios Inc.",
}


def _world(folder: Path, sightings: int, recipients: int, works: int) -> tuple[Path, Path, Path]:
    catalogue = folder / "catalogue.csv"
    lines = ["id,kind,title,year,season,aliases,theatrical,digital,physical,broadcast,notes"]
    for n in range(works):
        lines.append(
            f"bench-film-{n:03d},movie,Bench Film Number {n:03d},2026,,,"
            "2026-12-20,2027-02-01,2027-03-01,,"
        )
    catalogue.write_text("\n".join(lines) + "\n", encoding="utf-8")
    feed = folder / "feed.jsonl"
    seen = datetime(2026, 11, 1, tzinfo=UTC)
    with feed.open("w", encoding="utf-8") as out:
        for i in range(sightings):
            film = i % works
            host = i % recipients
            name = f"Bench.Film.Number.{film:03d}.2026.1080p.WEB-DL.DDP5.1.H.264-BENCH"
            out.write(
                json.dumps(
                    {
                        "name": name,
                        "time": (seen + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "site": f"site{host:04d}",
                        "url": f"https://site{host:04d}.example/watch/{film:03d}/{i}",
                    }
                )
                + "\n"
            )
    contacts = folder / "contacts.csv"
    rows = ["host_or_domain,name,email,country"]
    for host in range(recipients):
        rows.append(f"site{host:04d}.example,Site {host:04d} Ltd,abuse@site{host:04d}.example,NL")
    contacts.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return catalogue, feed, contacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sightings", type=int, default=100_000)
    parser.add_argument("--recipients", type=int, default=2_000)
    parser.add_argument("--works", type=int, default=50)
    args = parser.parse_args()
    for key, value in SENDER.items():
        os.environ[f"LEAKTRACE_NOTICES__SENDER__{key}"] = value

    from leaktrace.config import load_settings
    from leaktrace.identity.actor import local_operator
    from leaktrace.notices.model import NoticeForm
    from leaktrace.pipeline.catalog import import_catalog
    from leaktrace.pipeline.ingest import ingest_files
    from leaktrace.services.context import build_context
    from leaktrace.services.notice_contacts import import_contacts
    from leaktrace.services.notices import DraftScope, draft_notices

    with tempfile.TemporaryDirectory(prefix="leaktrace-notice-bench-") as tmp:
        folder = Path(tmp)
        catalogue, feed, contacts = _world(folder, args.sightings, args.recipients, args.works)
        settings = load_settings(db=str(folder / "bench.db"))
        with build_context(settings) as ctx:
            operator = local_operator()
            import_catalog(ctx.database, catalogue, settings)
            started = time.perf_counter()
            report = ingest_files(ctx.database, [feed], settings)
            ingest_seconds = time.perf_counter() - started
            import_contacts(ctx, operator, contacts)
            started = time.perf_counter()
            cpu = time.process_time()
            result = draft_notices(
                ctx,
                operator,
                DraftScope(since=datetime(2026, 10, 1, tzinfo=UTC)),
                form=NoticeForm.dmca,
            )
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu
        locations = sum(n.locations for n in result.notices)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"machine: {platform.node()} · {cpu_model()} · {os.cpu_count()} cores")
        print(f"python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        print(
            f"world: {args.sightings:,} sightings of {args.works} leaks on "
            f"{args.recipients:,} sites (ingest {ingest_seconds:.1f} s, "
            f"{report.as_dict().get('new_sightings', '?')} sightings stored)"
        )
        print(
            f"draft --since: {len(result.notices):,} notices, {locations:,} locations, "
            f"{len(result.refused)} refused, {len(result.needs_contact)} need a contact"
        )
        print(
            f"drafting: {seconds:.2f} s wall, {cpu:.2f} s CPU "
            f"({locations / seconds:,.0f} locations/s, {len(result.notices) / seconds:,.0f} "
            f"notices/s), peak {peak:.0f} MB"
        )


if __name__ == "__main__":
    main()
