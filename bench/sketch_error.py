"""How far the engines' distinct-peer sketch is from the exact count.

``leaktrace impact`` counts distinct peers with the engine's APPROX_COUNT_DISTINCT
(HyperLogLog) and widens its range by ``sketch_sigmas`` times the engine's relative
standard error (``Engine.sketch_error``). This measures that error: many independent sets
of N distinct 64-hex keys (SHA-256 of a counter, like the keyed peer hashes), each counted
by the sketch, compared with N. It
prints the relative standard error, the mean bias and the worst error per N and engine,
next to the figure LeakTrace assumes.

    python bench/sketch_error.py                    # DuckDB, 200 sets per size
    python bench/sketch_error.py --engines duckdb,spark --sets 50
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402


def measure(engine_name: str, sizes: list[int], sets: int) -> None:
    """Keys are made inside the engine (``range`` and a hash), so any size fits; the sketch
    is the engine's ``approx_count_distinct``, the function ibis compiles
    ``approx_nunique`` to on both engines."""
    from leaktrace.analytics import open_engine

    with open_engine(engine_name) as engine:
        for size in sizes:
            started = time.perf_counter()
            total = size * sets
            if engine.session is not None:
                frame = engine.session.sql(
                    f"SELECT floor(id / {size}) AS s, "
                    "approx_count_distinct(sha2(cast(id AS string), 256)) AS e "
                    f"FROM range({total}) GROUP BY 1"
                )
                estimates = [int(row["e"]) for row in frame.collect()]
            else:
                rows = engine.con.raw_sql(
                    f"SELECT i // {size} AS s, approx_count_distinct(sha256(i::VARCHAR)) AS e "
                    f"FROM range({total}) t(i) GROUP BY 1"
                ).fetchall()
                estimates = [int(e) for _, e in rows]
            errors = [(e - size) / size for e in estimates]
            rse = statistics.pstdev(errors)
            print(
                f"{engine_name:7s} N={size:>9,d} sets={sets:4d}  relative std error "
                f"{rse:6.2%}  bias {statistics.mean(errors):+6.2%}  worst "
                f"{max(abs(x) for x in errors):6.2%}  (assumed {engine.sketch_error:.1%}; "
                f"{time.perf_counter() - started:.1f}s)"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="duckdb")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--sets", type=int, default=200)
    args = parser.parse_args()
    print(f"machine: {describe()}")
    sizes = [int(s) for s in args.sizes.split(",")]
    for name in args.engines.split(","):
        measure(name, sizes, args.sets)


if __name__ == "__main__":
    main()
