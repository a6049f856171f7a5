"""How long does fitting the supply order model take on realistic shipment matrices?

``leaktrace supply rank`` fits :mod:`leaktrace.supply.popularity` (an appetite and a
popularity slope per account, a popularity per title) on every account x title cell
before scoring. This builds matrices of a few sizes (orders drawn from the model's own
form, seeded) and prints the rounds the fit takes, its wall and CPU time and its memory
(the dense matrices: about 8 bytes x accounts x titles, several times over).

    python bench/supply_fit_speed.py
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

from leaktrace.supply.popularity import fit_order_model  # noqa: E402

SIZES = ((300, 220), (200, 1000), (500, 2000), (500, 5000), (1000, 5000))


def cells_for(accounts: int, titles: int, seed: int) -> dict[int, list[tuple[str, bool]]]:
    rng = random.Random(seed)
    popularity = [rng.gauss(0.0, 1.5) for _ in range(titles)]
    cells: dict[int, list[tuple[str, bool]]] = {}
    for a in range(accounts):
        appetite, slope = rng.gauss(-1.5, 1.0), rng.uniform(0.6, 1.4)
        cells[a] = [
            (f"t{t}", rng.random() < 1.0 / (1.0 + math.exp(-(appetite + slope * b))))
            for t, b in enumerate(popularity)
        ]
    return cells


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print("| accounts | titles | cells | rounds | wall s | CPU s | peak MB (numpy) |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for accounts, titles in SIZES:
        cells = cells_for(accounts, titles, args.seed)
        tracemalloc.start()
        wall, cpu = time.perf_counter(), time.process_time()
        model = fit_order_model(cells)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
        print(
            f"| {accounts} | {titles} | {accounts * titles:,} | {model.iterations} "
            f"| {wall:.2f} | {cpu:.2f} | {peak:.0f} |"
        )


if __name__ == "__main__":
    main()
