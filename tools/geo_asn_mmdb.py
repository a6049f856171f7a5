"""Build LeakTrace's shipped ASN database from the ip-location-db ``asn`` CSV files.

The ip-location-db project publishes its ASN data (RouteViews, the five RIRs' statistics via
the NRO, DB-IP's IP to ASN Lite; CC BY 4.0) on the npm registry as CSV
(``@ip-location-db/asn``: ``asn-ipv4.csv``, ``asn-ipv6.csv``, one inclusive range a line:
``first,last,asn,organisation``). This script turns them into one MaxMind DB file with the
GeoLite2-ASN record layout (``autonomous_system_number``, ``autonomous_system_organization``)
that LeakTrace reads with ``maxminddb``, so the only change to the data is its format.
The build date written into the file is the data's own date (``--built``), not the time
of the conversion: the same CSV files give the same bytes (mmdb-writer 0.2.7).

    npm pack @ip-location-db/asn          # ip-location-db-asn-<version>.tgz
    tar xzf ip-location-db-asn-*.tgz      # package/asn-ipv4.csv, package/asn-ipv6.csv
    python tools/geo_asn_mmdb.py package/asn-ipv4.csv package/asn-ipv6.csv \\
        --built 2026-06-17T19:00:00 --out ip-location-db-asn.mmdb

Needs the dev extra (``mmdb-writer``); LeakTrace itself only reads the result.
"""

from __future__ import annotations

import argparse
import csv
import ipaddress
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DATABASE_TYPE = "ip-location-db-asn"
DESCRIPTION = (
    "ip-location-db asn (RouteViews, NRO, DB-IP IP to ASN Lite; CC BY 4.0), "
    "converted from CSV to MMDB by LeakTrace"
)


def ranges(paths: Iterable[Path]) -> Iterator[tuple[str, str, int, str]]:
    """``(first, last, asn, organisation)`` of every line of the CSV files."""
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.reader(handle), 1):
                if len(row) != 4 or not row[2].isdigit():
                    raise ValueError(f"{path}:{number}: not first,last,asn,organisation: {row}")
                yield row[0], row[1], int(row[2]), row[3]


def build(paths: Iterable[Path], out: Path, built: datetime) -> int:
    """Write the MMDB file; the number of ranges written."""
    from mmdb_writer import MMDBWriter
    from netaddr import IPRange, IPSet

    class Writer(MMDBWriter):  # type: ignore[misc]
        def _build_meta(self) -> dict[str, Any]:
            meta: dict[str, Any] = super()._build_meta()
            meta["build_epoch"] = int(built.timestamp())
            return meta

    writer = Writer(
        ip_version=6,
        ipv4_compatible=True,
        database_type=DATABASE_TYPE,
        languages=["en"],
        description=DESCRIPTION,
        int_type="u32",
    )
    records: dict[tuple[int, str], dict[str, Any]] = {}  # one record per (asn, name)
    count = 0
    for first, last, asn, name in ranges(paths):
        ipaddress.ip_address(first), ipaddress.ip_address(last)  # a clear error if not
        record = records.setdefault(
            (asn, name),
            {"autonomous_system_number": asn, "autonomous_system_organization": name},
        )
        writer.insert_network(IPSet(IPRange(first, last)), record)
        count += 1
    writer.to_db_file(str(out))
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, nargs="+", help="asn-ipv4.csv, asn-ipv6.csv")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--built", required=True, help="the data's date, UTC (ISO 8601), e.g. 2026-06-17T19:00"
    )
    args = parser.parse_args()
    built = datetime.fromisoformat(args.built).replace(tzinfo=UTC)
    count = build(args.csv, args.out, built)
    print(f"{args.out}: {count:,} ranges, {args.out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
