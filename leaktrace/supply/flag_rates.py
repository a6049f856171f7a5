"""How often each behaviour flag fires, measured on simulated markets.

Placeholder until ``bench/supply_simulation.py --write-flag-rates`` regenerates it.
"""

from __future__ import annotations

__all__ = ["FLAG_RATES", "FLAG_RATES_SOURCE"]

FLAG_RATES_SOURCE = "simulated markets (bench/supply_simulation.py)"
FLAG_RATES: dict[str, tuple[float, float, float]] = {
    "recently-opened": (0.1, 1.0, 0.0),
    "retailer-new-releases-small-orders": (0.0, 1.0, 0.0),
    "just-before-street-date": (0.02, 1.0, 0.1),
}
"""code -> (ordinary accounts, new-retailer sources, established-shop sources)"""
