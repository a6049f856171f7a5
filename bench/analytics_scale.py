"""Analytics at scale: the same aggregations on DuckDB and on local Spark, 10M-100M rows.

Generates synthetic swarm observations to Parquet once per size (reused on later runs),
then runs each engine in a child process over them and reports seconds, rows/s, rows/s
per core and peak memory: the child's own ru_maxrss and the peak RSS of its whole
process tree, sampled from /proc (for Spark that includes the JVM, whose heap is capped
by ``spark.driver.memory``: in local mode the executors live in the driver JVM).

    python bench/analytics_scale.py                          # 10M and 100M, both engines
    python bench/analytics_scale.py --sizes 10000000 --engines duckdb
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

DEFAULT_SIZES = "10000000,100000000"
DEFAULT_AGGREGATIONS = "downloads,country_counts"
PAGE = os.sysconf("SC_PAGE_SIZE")


# --- child: one engine, every aggregation ------------------------------------------------


def child(args: argparse.Namespace) -> None:
    from leaktrace.analytics import ParquetSource, duckdb_engine, run, spark_engine
    from leaktrace.analytics.aggregations import country_counts, downloads

    builders = {"downloads": downloads, "country_counts": country_counts}
    start = time.perf_counter()
    if args.engine == "duckdb":
        engine = duckdb_engine(threads=args.threads, memory_limit=args.duckdb_memory)
    else:
        engine = spark_engine(
            args.spark_master,
            driver_memory=args.spark_driver_memory,
            shuffle_partitions=args.spark_shuffle_partitions,
        )
    startup = time.perf_counter() - start
    source = ParquetSource(Path(args.data))
    timings: dict[str, Any] = {}
    for name in args.aggregations.split(","):
        aggregation = builders[name](exact=args.exact)
        begin = time.perf_counter()
        result = run(aggregation, engine, source)
        timings[name] = {"seconds": time.perf_counter() - begin, "rows_out": result.num_rows}
    engine.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"startup": startup, "timings": timings, "self_peak_mb": peak}))


# --- parent ------------------------------------------------------------------------------


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def measure(command: list[str], timeout: float) -> tuple[dict[str, Any], float, float]:
    """Run the child; its JSON, wall seconds and the process tree's peak RSS in MB."""
    peak = 0
    begin = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        done.set()
        return (
            {"error": f"timed out after {timeout:.0f} s"},
            time.perf_counter() - begin,
            peak / 2**20,
        )
    done.set()
    sampler.join()
    wall = time.perf_counter() - begin
    if proc.returncode != 0:
        return {"error": err.strip().splitlines()[-1] if err.strip() else "failed"}, wall, 0
    return json.loads(out.strip().splitlines()[-1]), wall, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated row counts")
    parser.add_argument("--engines", default="duckdb,spark")
    parser.add_argument("--aggregations", default=DEFAULT_AGGREGATIONS)
    parser.add_argument("--exact", action="store_true", help="add COUNT DISTINCT columns")
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "analytics")
    parser.add_argument("--threads", type=int, default=None, help="DuckDB threads")
    parser.add_argument("--duckdb-memory", default=None, help="DuckDB memory_limit, e.g. 4GB")
    parser.add_argument("--spark-master", default="local[2]")
    parser.add_argument("--spark-driver-memory", default="6g")
    parser.add_argument("--spark-shuffle-partitions", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=3600, help="per engine run, seconds")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    from leaktrace.analytics.synthetic import SyntheticSpec, dataset_ready

    cores = os.cpu_count() or 1
    print(f"machine: {describe()}")
    results: list[dict[str, Any]] = []
    for size in [int(s) for s in args.sizes.split(",")]:
        data = args.workdir / f"synthetic-{size}"
        if dataset_ready(data, size, SyntheticSpec()):
            print(f"{size:,} rows: reusing {data}")
        else:
            # in a child: the parent stays small, and a forked child inherits its parent's
            # peak RSS into ru_maxrss (Linux keeps it across exec)
            begin = time.perf_counter()
            code = "import sys; from leaktrace.analytics.synthetic import generate_dataset; "
            code += "generate_dataset(sys.argv[1], int(sys.argv[2]))"
            subprocess.run([sys.executable, "-c", code, str(data), str(size)], check=True)
            print(f"{size:,} rows: generated in {time.perf_counter() - begin:.1f} s")
        on_disk = sum(p.stat().st_size for p in (data / "swarm_observations").glob("*.parquet"))
        for engine in args.engines.split(","):
            engine_name = "duckdb" if engine == "duckdb" else "spark"
            command = [
                sys.executable, __file__, "--child", "--engine", engine_name,
                "--data", str(data), "--aggregations", args.aggregations,
                "--spark-master", args.spark_master,
                "--spark-driver-memory", args.spark_driver_memory,
            ]  # fmt: skip
            if args.exact:
                command.append("--exact")
            if args.threads is not None:
                command += ["--threads", str(args.threads)]
            if args.duckdb_memory is not None:
                command += ["--duckdb-memory", args.duckdb_memory]
            if args.spark_shuffle_partitions is not None:
                command += ["--spark-shuffle-partitions", str(args.spark_shuffle_partitions)]
            report, wall, tree_peak = measure(command, args.timeout)
            used = cores
            if engine_name == "spark" and args.spark_master.startswith("local["):
                inner = args.spark_master[6:-1]
                used = cores if inner == "*" else min(int(inner), cores)
            row = {
                "rows": size,
                "parquet_mb": on_disk / 2**20,
                "engine": engine_name,
                "wall": wall,
                "tree_peak_mb": tree_peak,
                "cores": used,
                **report,
            }
            if engine_name == "spark":
                row["driver_memory"] = args.spark_driver_memory
            results.append(row)
            print(json.dumps(row))
    args.workdir.mkdir(parents=True, exist_ok=True)
    (args.workdir / "results.json").write_text(json.dumps(results, indent=2))
    _table(results)


def _table(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'rows':>12} {'engine':<7} {'aggregation':<15} {'seconds':>8} {'Mrows/s':>8} "
        f"{'Mrows/s/core':>12} {'groups':>9} {'startup':>8} {'py peak MB':>10} "
        f"{'tree peak MB':>12}"
    )
    print()
    print(header)
    print("-" * len(header))
    for row in results:
        if "error" in row:
            print(f"{row['rows']:>12,} {row['engine']:<7} ERROR: {row['error']}")
            continue
        for name, timing in row["timings"].items():
            rate = row["rows"] / timing["seconds"] / 1e6
            print(
                f"{row['rows']:>12,} {row['engine']:<7} {name:<15} {timing['seconds']:>8.1f} "
                f"{rate:>8.2f} {rate / row['cores']:>12.2f} {timing['rows_out']:>9,} "
                f"{row['startup']:>8.1f} {row['self_peak_mb']:>10.0f} {row['tree_peak_mb']:>12.0f}"
            )


if __name__ == "__main__":
    main()
