"""Behaviour flags: account patterns worth a look before there are many leaks to score.

A flag is not evidence of a leak. It says an account looks like the accounts that the
Sparks group used (posing as a retailer, opened shortly before, ordering a few discs of
each new title just before its street date), with the numbers behind it, and how often the
flag fires on ordinary accounts and on leaking ones in simulated markets
(:mod:`leaktrace.supply.flag_rates`, measured by ``bench/supply_simulation.py``). A flag that
fires on more than :data:`WARNING_MAX_ORDINARY` of ordinary accounts is only *context*,
never a warning.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from leaktrace.supply.explain import percent
from leaktrace.supply.flag_rates import FLAG_RATES
from leaktrace.supply.scoring import lead_days

__all__ = [
    "CONCENTRATED_EARLY_SHARE",
    "CONCENTRATED_MEDIAN_DAYS",
    "FLAG_CODES",
    "MIN_ORDERS",
    "NEW_RELEASE_DAYS",
    "NEW_RELEASE_SHARE",
    "RECENT_BEFORE_DATA_END_DAYS",
    "RECENT_BEFORE_FIRST_SHIPMENT_DAYS",
    "SMALL_ORDER_MEDIAN",
    "WARNING_MAX_ORDINARY",
    "Flag",
    "Order",
    "account_flags",
]

RECENT_BEFORE_FIRST_SHIPMENT_DAYS = 180
"""Opened at most this many days before its first shipment in the data."""
RECENT_BEFORE_DATA_END_DAYS = 365
"""... or at most this many days before the newest shipment in the data ("now")."""
NEW_RELEASE_DAYS = 30
"""An order is of a NEW release when shipped within this many days before street date."""
NEW_RELEASE_SHARE = 0.8
"""'Mostly new releases': at least this share of orders."""
SMALL_ORDER_MEDIAN = 5
"""'Small quantities': median discs per order at most this."""
CONCENTRATED_MEDIAN_DAYS = 14.0
"""'Just before street date': median days before street date at most this (and above 0)."""
CONCENTRATED_EARLY_SHARE = 0.8
"""'Most orders early': at least this share of orders shipped before street date."""
MIN_ORDERS = 3
"""Order patterns are only judged on at least this many orders."""
FLAG_CODES = ("recently-opened", "retailer-new-releases-small-orders", "just-before-street-date")
WARNING_MAX_ORDINARY = 0.05
"""A flag firing on more than this share of ordinary accounts is context, not a warning."""


@dataclass(frozen=True, slots=True)
class Flag:
    code: str
    evidence: str

    @property
    def ordinary_rate(self) -> float | None:
        """Share of ordinary accounts it fires on in simulated markets (None: not measured)."""
        rates = FLAG_RATES.get(self.code)
        return None if rates is None else rates[0]

    @property
    def level(self) -> str:
        """``warning`` when it fires on at most 5% of ordinary accounts, else ``context``."""
        rate = self.ordinary_rate
        return "warning" if rate is not None and rate <= WARNING_MAX_ORDINARY else "context"

    @property
    def rates(self) -> str:
        """How often it fires, in words: "fires on 10% of ordinary accounts, ..."."""
        rates = FLAG_RATES.get(self.code)
        if rates is None:
            return "not measured"
        ordinary, new, established = rates
        return (
            f"fires on {percent(ordinary)} of ordinary accounts, {percent(new)} of leaking new "
            f"retailers and {percent(established)} of leaking established shops in simulated "
            "markets"
        )

    def as_dict(self) -> dict[str, str | float | None]:
        rates = FLAG_RATES.get(self.code)
        return {
            "code": self.code,
            "level": self.level,
            "evidence": self.evidence,
            "ordinary_rate": None if rates is None else rates[0],
            "leaking_new_retailer_rate": None if rates is None else rates[1],
            "leaking_established_rate": None if rates is None else rates[2],
            "rates": self.rates,
        }


@dataclass(frozen=True, slots=True)
class Order:
    shipped_at: datetime
    street_date: date
    quantity: int


def account_flags(
    declared_business: str,
    opened_on: date | None,
    orders: Sequence[Order],
    data_end: datetime,
) -> tuple[Flag, ...]:
    """The flags of one account, given all its orders and the newest shipment in the data."""
    flags: list[Flag] = []
    if not orders:
        return ()
    first = min(o.shipped_at for o in orders).astimezone(UTC).date()
    end = data_end.astimezone(UTC).date()
    if opened_on is not None:
        before_first = (first - opened_on).days
        before_end = (end - opened_on).days
        if before_first < 0:  # the data's opening date is after the account's first order
            flags.append(
                Flag(
                    "recently-opened",
                    f"opened {opened_on.isoformat()} according to the data, yet its first "
                    f"shipment was {_days(-before_first)} earlier, on {first.isoformat()}",
                )
            )
        elif before_first <= RECENT_BEFORE_FIRST_SHIPMENT_DAYS:
            flags.append(
                Flag(
                    "recently-opened",
                    f"opened {opened_on.isoformat()}, {_days(before_first)} before its first "
                    f"shipment on {first.isoformat()}",
                )
            )
        elif before_end <= RECENT_BEFORE_DATA_END_DAYS:
            flags.append(
                Flag(
                    "recently-opened",
                    f"opened {opened_on.isoformat()}, {_days(before_end)} before the newest "
                    f"shipment in the data ({end.isoformat()})",
                )
            )
    if len(orders) < MIN_ORDERS:
        return tuple(flags)
    leads = [lead_days(o.street_date, o.shipped_at) for o in orders]
    new = sum(1 for lead in leads if 0.0 < lead <= NEW_RELEASE_DAYS)
    median_quantity = statistics.median(o.quantity for o in orders)
    if (
        declared_business == "retailer"
        and new / len(orders) >= NEW_RELEASE_SHARE
        and median_quantity <= SMALL_ORDER_MEDIAN
    ):
        flags.append(
            Flag(
                "retailer-new-releases-small-orders",
                f"declared as a retailer, but {new} of {len(orders)} orders are new releases "
                f"(shipped within {NEW_RELEASE_DAYS} days before street date) and the median "
                f"order is {median_quantity:g} discs",
            )
        )
    early = sum(1 for lead in leads if lead > 0.0)
    median_lead = statistics.median(leads)
    if (
        early / len(orders) >= CONCENTRATED_EARLY_SHARE
        and 0.0 < median_lead <= CONCENTRATED_MEDIAN_DAYS
    ):
        flags.append(
            Flag(
                "just-before-street-date",
                f"{early} of {len(orders)} orders shipped before street date, a median "
                f"{median_lead:.1f} days before",
            )
        )
    return tuple(flags)


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"
