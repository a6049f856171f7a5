"""Appends per second to a case's evidence log through the service layer.

Each append is what a case change costs the log: ``case_log.append_event`` in its own
``case_log.writing`` transaction (lock the case row, read the log's leaf hashes, insert
the RFC 8785 entry, compute the RFC 9162 root, sign the head with Ed25519, insert it,
commit). Measured on a real SQLite file (and PostgreSQL with ``--postgres URL``), for
one case growing to ``--entries`` entries, in windows so that the cost's growth with the
log's size shows; then ``evidence verify`` (every leaf, root and signature recomputed)
and an export of the case (zip in memory, then streamed to a file), once each.

    python bench/evidence_store.py --entries 2000
    python bench/evidence_store.py --entries 2000 --postgres postgresql+psycopg://...
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

from leaktrace.config import load_settings  # noqa: E402
from leaktrace.identity.actor import local_operator  # noqa: E402
from leaktrace.services import case_export, case_log, cases, identity  # noqa: E402
from leaktrace.services.case_access import case_access  # noqa: E402
from leaktrace.services.context import AppContext, build_context  # noqa: E402
from leaktrace.services.evidence import verify_logs  # noqa: E402


def run(ctx: AppContext, label: str, entries: int, window: int, out: Path) -> None:
    operator = local_operator()
    identity.add_agency(ctx, operator, code="NL-POL", name="Politie", country="NL", kind="police")
    case_id = cases.open_case(ctx, operator, "Benchmark", agency="NL-POL").id
    with ctx.database.reading() as conn:
        access = case_access(conn, operator, case_id, "read")
    print(f"\n{label}: one case, appends of a note entry, each in its own transaction")
    print("| log size | appends/s | ms/append |")
    print("|---:|---:|---:|")
    done = 1  # the case.opened entry
    total_started = time.perf_counter()
    while done < entries:
        batch = min(window, entries - done)
        started = time.perf_counter()
        for i in range(batch):
            with case_log.writing(ctx) as conn:
                case_log.append_event(
                    conn, ctx, access, operator, "note.added", {"text": f"note {done + i}"}
                )
        elapsed = time.perf_counter() - started
        done += batch
        print(f"| {done:,} | {batch / elapsed:,.0f} | {1000 * elapsed / batch:.2f} |")
    total = time.perf_counter() - total_started
    print(f"\n{label}: {entries - 1:,} appends in {total:.1f} s = {(entries - 1) / total:,.0f}/s")
    started = time.perf_counter()
    result = verify_logs(ctx, operator)
    print(
        f"{label}: evidence verify of {result.entries:,} entries and {result.tree_heads:,} "
        f"heads: {time.perf_counter() - started:.2f} s (ok={result.ok})"
    )
    started = time.perf_counter()
    view, data = case_export.export_case_bytes(ctx, operator, case_id)
    print(
        f"{label}: export of {view.entries:,} entries: {time.perf_counter() - started:.2f} s, "
        f"{len(data):,} bytes"
    )
    started = time.perf_counter()
    view = case_export.export_case(ctx, operator, case_id, out, replace=True)
    print(
        f"{label}: export of {view.entries:,} entries to a file: "
        f"{time.perf_counter() - started:.2f} s, {view.bytes:,} bytes"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--window", type=int, default=0, help="default: entries / 5")
    parser.add_argument("--postgres", help="also on this (empty) PostgreSQL database URL")
    args = parser.parse_args()
    window = args.window or max(1, args.entries // 5)
    print(f"machine: {describe()}")
    with tempfile.TemporaryDirectory(prefix="leaktrace-bench-evidence-") as folder:
        key = Path(folder) / "key.pem"
        settings = load_settings(db=str(Path(folder) / "bench.db"), evidence={"key_file": str(key)})
        with build_context(settings) as ctx:
            run(ctx, "SQLite", args.entries, window, Path(folder) / "sqlite.zip")
        if args.postgres:
            settings = load_settings(db=args.postgres, evidence={"key_file": str(key)})
            with build_context(settings) as ctx:
                run(ctx, "PostgreSQL", args.entries, window, Path(folder) / "pg.zip")


if __name__ == "__main__":
    main()
