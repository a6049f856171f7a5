"""``leaktrace impact`` end to end on a SQLite database of N swarm observations.

The impact counts run on the analytics engine over a Parquet export of the operational
database. This times the three parts a user waits for: the export (SQLite → Parquet), the
aggregation on DuckDB (sketch and exact), and the whole ``impact_report`` call; and the
aggregation alone over a kept export (``leaktrace impact --parquet DIR``). The database is
built once per size from the synthetic generator and reused.

    python bench/impact_speed.py                 # 1 million observations
    python bench/impact_speed.py --rows 5000000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

OUT = ROOT / "bench" / "out"


def build(path: Path, rows: int) -> None:
    from sqlalchemy import insert

    from leaktrace.analytics.synthetic import SyntheticSpec, observation_batches
    from leaktrace.store.database import Database
    from leaktrace.store.schema import SWARM_OBSERVATIONS

    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    n = 0
    with Database(str(partial)) as db, db.transaction() as conn:
        for batch in observation_batches(rows, SyntheticSpec(), batch_size=50_000):
            records = batch.to_pylist()
            for record in records:
                n += 1
                record["fingerprint"] = f"{n:040x}"
                record["release_id"] = None
                record["imported_from"] = "synthetic"
            conn.execute(insert(SWARM_OBSERVATIONS), records)
    partial.rename(path)
    print(f"built {path.name}: {rows:,} observations in {time.perf_counter() - started:.1f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    print(f"machine: {describe()}")
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"impact-{args.rows}.db"
    if not path.exists():
        build(path, args.rows)

    from leaktrace.analytics import ParquetSource, duckdb_engine, export_parquet
    from leaktrace.impact.report import impact_report
    from leaktrace.store.database import Database
    from leaktrace.store.schema import SWARM_OBSERVATIONS

    figures: list[tuple[str, float]] = []
    with Database(str(path)) as db, tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        export_parquet(db, scratch, tables=[SWARM_OBSERVATIONS])
        figures.append(("export SQLite -> Parquet", time.perf_counter() - started))
        with duckdb_engine() as engine:
            for label, exact in (("sketch", False), ("exact", True)):
                started = time.perf_counter()
                report = impact_report(
                    db, exact=exact, engine=engine, source=ParquetSource(Path(scratch))
                )
                figures.append(
                    (f"aggregate only ({label}, --parquet)", time.perf_counter() - started)
                )
                central = report.total["downloads"]["central"]
            for dims in (("work",), ("work", "country", "day")):
                started = time.perf_counter()
                report = impact_report(db, None, dims, engine=engine)
                figures.append((f"impact_report by {','.join(dims)} (export + aggregate)",
                                time.perf_counter() - started))  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.rows:,} observations, {report.total['works']} works, central downloads "
          f"{central:,.0f}")  # fmt: skip
    for label, seconds in figures:
        print(f"  {label:52s} {seconds:7.2f} s  ({args.rows / seconds / 1e6:5.2f} M rows/s)")
    print(f"  peak RSS {peak:,.0f} MB")


if __name__ == "__main__":
    main()
