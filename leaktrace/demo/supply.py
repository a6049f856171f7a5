"""The demo's disc supply chain: distributors, customer accounts and their shipments.

Everything here is fictional. Hundreds of ordinary accounts (big chains that receive
every title days early, small shops, rental and library accounts) and one account that
the scenario's supply-chain group works through: a "retailer" opened shortly before the
leaks began, ordering two or three discs of the new major titles a few days before their
street date — the pattern of the Sparks case.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from leaktrace.catalog.model import Work
from leaktrace.supply.csv_import import COLUMNS

__all__ = ["LEAKING_ACCOUNT", "LEAKING_DISTRIBUTOR", "SupplyFacts", "write_shipments"]

DISTRIBUTORS = (
    "Meridian Home Entertainment (fictional)",
    "Silverline Wholesale (fictional)",
    "Brookfield Media Supply (fictional)",
)
LEAKING_DISTRIBUTOR = DISTRIBUTORS[1]
LEAKING_ACCOUNT = "SW-20417 Cobalt Lane Media"
LEAKING_OPENED_BEFORE_DAYS = 75
"""The leaking account was opened this many days before the group's first disc leak."""
COUNTRIES = ("GB", "DE", "FR", "IT", "ES", "NL", "SE", "PL", "US", "CA")


@dataclass(frozen=True, slots=True)
class _Account:
    distributor: str
    name: str
    business: str
    country: str
    opened: date
    share: float  # share of titles it orders
    early: tuple[float, float]  # days before street date it receives them (negative: after)
    quantity: tuple[int, int]


@dataclass(frozen=True, slots=True)
class SupplyFacts:
    path: Path
    accounts: int
    shipments: int
    leaking_account: str
    leaking_distributor: str
    explained_leaks: int
    leaked_titles: int


def _accounts(rng: random.Random) -> list[_Account]:
    out: list[_Account] = []

    def add(
        count: int,
        prefix: str,
        business: str,
        share: tuple[float, float],
        early: tuple[float, float],
        quantity: tuple[int, int],
    ) -> None:
        for n in range(count):
            distributor = DISTRIBUTORS[n % len(DISTRIBUTORS)]
            code = f"{distributor[:2].upper()}-{rng.randint(10000, 99999)}"
            opened = date(2005, 1, 1) + timedelta(days=rng.randint(0, 6500))
            out.append(
                _Account(
                    distributor,
                    f"{code} {prefix} {n + 1:03d}",
                    business,
                    rng.choice(COUNTRIES),
                    opened,
                    rng.uniform(*share),
                    early,
                    quantity,
                )
            )

    add(4, "National Chain", "retailer", (0.97, 1.0), (4, 9), (400, 2500))
    add(18, "Regional Stores", "retailer", (0.6, 0.85), (2, 7), (30, 200))
    add(140, "Video Shop", "retailer", (0.1, 0.4), (1, 6), (2, 25))
    add(6, "Online Store", "online", (0.7, 0.95), (3, 8), (50, 600))
    add(16, "Rental", "rental", (0.3, 0.7), (-1, 3), (5, 60))
    add(12, "Public Library", "library", (0.1, 0.3), (-20, -1), (1, 4))
    return out


def write_shipments(
    path: Path, works: Sequence[Work], first_leaks: Mapping[str, datetime], seed: int
) -> SupplyFacts:
    """Write ``path`` (the shipments CSV) for the films with a street date.

    ``first_leaks`` maps the work ids the supply-chain group leaked to the time of its
    first release of each; the leaking account receives those titles before that time
    (all but one: a leak through another channel it cannot explain).
    """
    rng = random.Random(seed * 104729 + 17)
    accounts = _accounts(rng)
    films = [
        w for w in works if w.kind == "movie" and w.physical is not None and w.physical.year >= 2024
    ]
    rows: list[tuple[str, ...]] = []

    def ship(
        account: _Account, work: Work, when: datetime, quantity: int, fmt: str = "bluray"
    ) -> None:
        assert work.physical is not None
        rows.append(
            (
                account.distributor,
                account.name,
                account.business,
                account.country,
                account.opened.isoformat(),
                work.id,
                fmt,
                str(quantity),
                when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                work.physical.isoformat(),
            )
        )

    for work in films:
        assert work.physical is not None
        street = datetime.combine(work.physical, time(0, 0), tzinfo=UTC)
        for account in accounts:
            if rng.random() >= account.share:
                continue
            days = rng.uniform(*account.early)
            when = street - timedelta(days=days, hours=rng.uniform(0, 10))
            ship(
                account,
                work,
                when,
                rng.randint(*account.quantity),
                "uhd" if rng.random() < 0.2 else "bluray",
            )
    # restocks: shops also reorder titles weeks or months after their street date
    horizon = datetime(2025, 12, 31, tzinfo=UTC)
    for work in films:
        assert work.physical is not None
        street = datetime.combine(work.physical, time(0, 0), tzinfo=UTC)
        for account in accounts:
            if account.business == "library" or rng.random() >= account.share * 0.7:
                continue
            when = street + timedelta(days=rng.uniform(20, 240))
            if when < horizon:
                ship(account, work, when, max(1, rng.randint(*account.quantity) // 3))
    # opened a few weeks before its first order, as the Sparks retailers were
    first_leak = min(first_leaks.values(), default=datetime(2025, 1, 1, tzinfo=UTC))
    opened = (first_leak - timedelta(days=LEAKING_OPENED_BEFORE_DAYS)).date()
    leaker = _Account(
        LEAKING_DISTRIBUTOR, LEAKING_ACCOUNT, "retailer", "GB", opened, 0.0, (0, 0), (2, 3)
    )
    leaked = sorted(first_leaks)
    unexplained = leaked[len(leaked) // 2] if len(leaked) > 3 else None
    explained = 0
    by_id = {w.id: w for w in films}
    for work_id in leaked:
        target = by_id.get(work_id)
        if target is None or work_id == unexplained:
            continue
        when = first_leaks[work_id] - timedelta(days=rng.uniform(1.0, 3.0))
        ship(leaker, target, when, rng.randint(2, 3))
        explained += 1
    # it also orders a few titles that did not leak, like any shop
    others = [
        w
        for w in films
        if w.id not in first_leaks and w.physical is not None and w.physical > opened
    ]
    for work in rng.sample(others, k=min(4, len(others))):
        assert work.physical is not None
        street = datetime.combine(work.physical, time(0, 0), tzinfo=UTC)
        ship(leaker, work, street - timedelta(days=rng.uniform(2, 5)), 2)
    rows.sort(key=lambda r: (r[8], r[1], r[5]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return SupplyFacts(
        path,
        len(accounts) + 1,
        len(rows),
        LEAKING_ACCOUNT,
        LEAKING_DISTRIBUTOR,
        explained,
        len(leaked),
    )
