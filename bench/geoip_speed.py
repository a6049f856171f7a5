"""Offline GeoIP: how long the built-in data takes to open and to answer, and how much it knows.

Opens the default country and ASN files (the ip-location-db data shipped in
``leaktrace/data/geo``, or newer ones installed with ``leaktrace geo update``: SHA-256
check against the pinned hash, ``maxminddb`` reader) and looks up N random public IPv4
addresses through :class:`leaktrace.geo.GeoLookup` (country, ASN and organisation: both
files) and through each file's reader, printing the time per look-up and the share of
addresses each file locates. ``--compare FILE``: the share of addresses located by both
on which another country file (DB-IP Lite, GeoLite2 …) gives the same country;
``--compare-asn FILE`` the same for the ASN.

    python bench/geoip_speed.py              # 200,000 look-ups
    python bench/geoip_speed.py --lookups 1000000 --compare dbip-country-lite.mmdb
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
    parser.add_argument("--compare", type=Path, help="another country file to compare with")
    parser.add_argument("--compare-asn", type=Path, help="another ASN file to compare with")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    from leaktrace.geo import open_lookup
    from leaktrace.geo.mmdb import open_mmdb
    from leaktrace.geo.records import asn_of, country_of

    sample = addresses(args.lookups)
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        opened = open_lookup()
        runs.append(time.perf_counter() - started)
        opened.close()
    print(f"open both default files (hash check + reader): {min(runs) * 1000:.0f} ms (best of 3)")
    with open_lookup() as lookup:
        for file in lookup.files:
            print(f"  {file.label()}")
        started = time.perf_counter()
        results = [lookup.lookup(a) for a in sample]
        seconds = time.perf_counter() - started
        n = len(sample)
        print(
            f"GeoLookup.lookup (country, ASN, organisation): {seconds / n * 1e6:.1f} µs each "
            f"over {n:,} random public IPv4 addresses"
        )
        print(
            f"located: country {sum(1 for r in results if r.country) / n:.1%}, "
            f"ASN {sum(1 for r in results if r.asn) / n:.1%}, "
            f"organisation {sum(1 for r in results if r.organisation) / n:.1%}"
        )
        parsed = [ipaddress.ip_address(a) for a in sample]
        for file in lookup.files:
            started = time.perf_counter()
            for address in parsed:
                file.get(address)
            seconds = time.perf_counter() - started
            print(f"one file's .get ({file.name}): {seconds / n * 1e6:.1f} µs each")
        if args.compare is not None:
            other = open_mmdb(args.compare, option="--compare")
            both = same = 0
            for address, result in zip(parsed, results, strict=True):
                record = other.get(address)
                theirs = country_of(record) if record is not None else None
                if result.country and theirs:
                    both += 1
                    same += result.country == theirs
            other.close()
            print(
                f"against {args.compare.name}: both locate {both / n:.1%}; same country on "
                f"{same / max(both, 1):.1%} of those"
            )
        if args.compare_asn is not None:
            other = open_mmdb(args.compare_asn, option="--compare-asn")
            both = same = 0
            for address, result in zip(parsed, results, strict=True):
                record = other.get(address)
                theirs = asn_of(record)[0] if record is not None else None
                if result.asn and theirs:
                    both += 1
                    same += result.asn == theirs
            other.close()
            print(
                f"against {args.compare_asn.name}: both know the ASN of {both / n:.1%}; the "
                f"same ASN for {same / max(both, 1):.1%} of those"
            )


if __name__ == "__main__":
    main()
