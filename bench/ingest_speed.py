"""End-to-end ingest speed and peak memory: parse + match + detect + store into SQLite.

Imports the catalogue (TMDB 5000 by default) into a fresh database, then ingests a
synthetic feed (made with make_feed.py if missing) in a child process and reports lines/s
and the child's peak resident memory.

    python bench/ingest_speed.py --lines 1000000
    python bench/ingest_speed.py --lines 1000000 --repeat-share 0.01 --one-process

A large ingest parses, matches and detects in a second process (``parallel_judging``);
``--one-process`` keeps it to one, for the one-core figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model  # noqa: E402

DEFAULT_CATALOGUE = ROOT.parent / "shared" / "corpora" / "catalogue" / "tmdb5000.csv"

CHILD = r"""
import json, os, resource, sys, time
from pathlib import Path
from leaktrace.config import load_settings
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import ingest_files
from leaktrace.store.database import Database

db_path, catalogue, feed, parallel = sys.argv[1:5]
settings = load_settings(db=db_path, parallel_judging=parallel == "yes")
db = Database(db_path)
import_catalog(db, Path(catalogue), settings)
start = time.perf_counter()
cpu_start = time.process_time()
report = ingest_files(db, [Path(feed)], settings)
seconds = time.perf_counter() - start
cpu = time.process_time() - cpu_start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
children = resource.getrusage(resource.RUSAGE_CHILDREN)
out = {
    "seconds": seconds,
    "cpu_seconds": cpu,
    "peak_mb": peak,
    "judge_cpu_seconds": children.ru_utime + children.ru_stime,
    "judge_peak_mb": children.ru_maxrss / 1024,
    "prepared_apart": report.prepared_apart,
    "report": report.as_dict(),
}
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--catalogue", type=Path, default=DEFAULT_CATALOGUE)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--repeat-share",
        type=float,
        default=0.1,
        help="share of feed lines that are repeat sightings of a release",
    )
    parser.add_argument(
        "--one-process",
        action="store_true",
        help="parse, match and detect in the ingesting process (parallel_judging = false)",
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    suffix = "" if args.repeat_share == 0.1 else f"-r{args.repeat_share:g}"
    feed = args.workdir / f"feed-{args.lines}{suffix}.jsonl"
    if not feed.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "make_feed.py"),
                "--lines",
                str(args.lines),
                "--catalogue",
                str(args.catalogue),
                "--out",
                str(feed),
                "--repeat-share",
                str(args.repeat_share),
            ],
            check=True,
        )
    db_path = args.workdir / f"ingest-{args.lines}{suffix}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CHILD,
            str(db_path),
            str(args.catalogue),
            str(feed),
            "no" if args.one_process else "yes",
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - started
    result = json.loads(done.stdout.strip().splitlines()[-1])
    report = result["report"]
    print(f"machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}")
    print(
        f"feed: {feed.name} ({feed.stat().st_size / 1e6:.0f} MB), catalogue: {args.catalogue.name}"
    )
    print(
        f"lines {report['lines']:,}  accepted {report['accepted']:,}  "
        f"new releases {report['new_releases']:,}  new sightings {report['new_sightings']:,}"
    )
    print(f"outcomes: {report['statuses']}")
    print(
        f"ingest: {result['seconds']:.1f} s = {report['lines'] / result['seconds']:,.0f} "
        f"lines/s (child wall incl. catalogue import and start-up: {wall:.1f} s)"
    )
    if "cpu_seconds" in result:  # the machine may be shared: CPU time is the one-core cost
        print(
            f"CPU time of the ingest: {result['cpu_seconds']:.1f} s = "
            f"{report['lines'] / result['cpu_seconds']:,.0f} lines per CPU second"
        )
        both = result["cpu_seconds"] + result.get("judge_cpu_seconds", 0.0)
        if result.get("prepared_apart"):
            print(
                f"CPU time of both processes: {both:.1f} s = "
                f"{report['lines'] / both:,.0f} lines per CPU second"
            )
    print(
        f"new releases/s: {report['new_releases'] / result['seconds']:,.0f} "
        f"(new releases / ingest seconds)"
    )
    print(f"peak RSS of the ingesting process: {result['peak_mb']:.0f} MB")
    if result["prepared_apart"]:
        print(
            f"second process (read, parse, match, detect): {result['prepared_apart']:,} "
            f"feed items prepared, {result['judge_cpu_seconds']:.1f} CPU s, "
            f"peak RSS {result['judge_peak_mb']:.0f} MB; both processes' peaks together: "
            f"{result['peak_mb'] + result['judge_peak_mb']:.0f} MB"
        )
    print(f"database size: {db_path.stat().st_size / 1e6:.0f} MB")
    _ = resource


if __name__ == "__main__":
    main()
