"""A small fictional disc market for the supply tests: 40 films, a big chain, small shops,
a library, and one "retailer" the SPARKS-like group works through."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ADJECTIVES = (
    "Silent Amber Crimson Distant Electric Frozen Golden Hidden Iron Jade Kindred Lunar "
    "Marble Northern Obsidian Pale Quiet Restless Scarlet Tidal Umber Velvet Wandering "
    "Yellow Zealous Ancient Broken Copper Dusky Ember Fading Gilded Hollow Ivory Jagged "
    "Keen Lost Molten Nimble Opal"
).split()
NOUNS = (
    "Harbour Orchard Lantern Canyon Meridian Citadel Voyage Archive Compass Ferry Glacier "
    "Horizon Island Jungle Kingdom Lighthouse Monastery Nebula Outpost Prairie Quarry "
    "Reservoir Summit Tundra Utopia Valley Waterfall Zenith Beacon Cathedral Delta Estuary "
    "Fjord Garrison Hamlet Inlet Junction Keep Lagoon Mesa"
).split()
FILMS = 40
FIRST_STREET = date(2025, 1, 7)
LEAKED = (4, 9, 13, 18, 22, 27, 31, 36)  # film numbers the group leaked
EXPLAINED = LEAKED[:-1]  # the leaking account had all but the last one
LEAD = timedelta(days=3)
LEAKER = "CL-20417 Cobalt Lane Media"
BIG = "NC-00001 National Chain"
DISTRIBUTOR = "Silverline Wholesale"
SHIPMENT_COLUMNS = (
    "distributor,account,declared_business,account_country,account_opened,work_id,format,"
    "quantity,shipped_at,street_date,contact_name"
)


def title(n: int) -> str:
    return f"{ADJECTIVES[n]} {NOUNS[n]}"


def work_id(n: int) -> str:
    return f"film-{n:02d}"


def street(n: int) -> date:
    return FIRST_STREET + timedelta(days=7 * n)


def street_at(n: int) -> datetime:
    return datetime.combine(street(n), time(0, 0), tzinfo=UTC)


def write_catalog(path: Path) -> Path:
    lines = ["id,kind,title,year,season,aliases,theatrical,digital,physical,broadcast"]
    for n in range(FILMS):
        lines.append(f"{work_id(n)},movie,{title(n)},2025,,,,,{street(n).isoformat()},")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def feed_rows() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in LEAKED:
        name = title(n).replace(" ", ".")
        at = street_at(n) - LEAD
        rows.append({"name": f"{name}.2025.1080p.BluRay.x264-SPARKS", "time": _z(at)})
        # a second release of the same disc a few hours later: not an independent leak
        rows.append(
            {"name": f"{name}.2025.720p.BluRay.x264-SPARKS", "time": _z(at + timedelta(hours=5))}
        )
    return rows


def _z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def shipment_rows() -> list[list[str]]:
    rows: list[list[str]] = []

    def ship(account: str, business: str, opened: str, n: int, when: datetime, qty: int) -> None:
        rows.append(
            [
                DISTRIBUTOR,
                account,
                business,
                "UK",
                opened,
                work_id(n),
                "bluray",
                str(qty),
                _z(when),
                street(n).isoformat(),
                "Jane Doe",  # an unknown column: ignored, never stored
            ]
        )

    for n in range(FILMS):  # the big chain: every title 8 days early
        ship(BIG, "retailer", "2009-03-01", n, street_at(n) - timedelta(days=8), 900)
    for shop in range(10):  # small shops: a fifth of the titles, 5 days early
        for n in range(FILMS):
            if (n + shop) % 5 == 0:
                ship(
                    f"VS-{shop:03d} Video Shop",
                    "retailer",
                    "2015-06-01",
                    n,
                    street_at(n) - timedelta(days=5),
                    8,
                )
    for n in range(0, FILMS, 3):  # a library: after street date
        ship("LB-1 City Library", "library", "", n, street_at(n) + timedelta(days=10), 2)
    for n in (*EXPLAINED, 6, 15, 25):  # the leaking account: 2 days before each leak
        ship(LEAKER, "retailer", "2024-12-01", n, street_at(n) - LEAD - timedelta(days=2), 2)
    return rows


def write_shipments(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(SHIPMENT_COLUMNS + "\n")
        csv.writer(handle, lineterminator="\n").writerows(shipment_rows())
    return path
