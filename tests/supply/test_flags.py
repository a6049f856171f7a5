from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from leaktrace.supply.flag_rates import FLAG_RATES
from leaktrace.supply.flags import (
    FLAG_CODES,
    NEW_RELEASE_DAYS,
    RECENT_BEFORE_FIRST_SHIPMENT_DAYS,
    Flag,
    Order,
    account_flags,
)

END = datetime(2026, 6, 1, tzinfo=UTC)


def orders(days_before: float, quantity: int, n: int = 6) -> list[Order]:
    out = []
    for k in range(n):
        street = date(2025, 3, 4) + timedelta(days=14 * k)
        at = datetime(street.year, street.month, street.day, tzinfo=UTC)
        out.append(Order(at - timedelta(days=days_before), street, quantity))
    return out


def codes(flags: tuple[Flag, ...]) -> set[str]:
    return {f.code for f in flags}


def test_the_sparks_pattern_raises_every_flag() -> None:
    flags = account_flags("retailer", date(2025, 1, 10), orders(3, 2), END)
    assert codes(flags) == {
        "recently-opened",
        "retailer-new-releases-small-orders",
        "just-before-street-date",
    }
    recent = next(f for f in flags if f.code == "recently-opened")
    assert (
        "opened 2025-01-10" in recent.evidence
        and "days before its first shipment" in recent.evidence
    )
    small = next(f for f in flags if f.code == "retailer-new-releases-small-orders")
    assert "6 of 6 orders" in small.evidence and "median order is 2 discs" in small.evidence


def test_an_old_chain_with_big_orders_is_not_a_suspicious_retailer() -> None:
    flags = account_flags("retailer", date(2009, 1, 1), orders(8, 900), END)
    assert "recently-opened" not in codes(flags)
    assert "retailer-new-releases-small-orders" not in codes(flags)


def test_thresholds() -> None:
    first = orders(3, 2)[0].shipped_at.date()
    just_in = first - timedelta(days=RECENT_BEFORE_FIRST_SHIPMENT_DAYS)
    assert "recently-opened" in codes(account_flags("rental", just_in, orders(3, 2), END))
    assert "recently-opened" not in codes(
        account_flags("rental", just_in - timedelta(days=1), orders(3, 2), END)
    )
    assert account_flags("rental", date(2025, 9, 1), [], END) == ()  # no orders, no flags
    late = account_flags("retailer", None, orders(NEW_RELEASE_DAYS + 5, 1), END)
    assert "retailer-new-releases-small-orders" not in codes(late)
    library = account_flags("library", None, orders(-10, 1), END)
    assert library == ()
    assert account_flags("retailer", None, orders(3, 2, n=2), END) == ()  # too few orders


def test_recent_before_newest_data() -> None:
    old_first = orders(3, 2)  # first shipment 2025-03-01
    # 425 days before its first shipment, 517 before the newest data
    flags = account_flags("online", date(2024, 1, 1), old_first, datetime(2025, 6, 1, tzinfo=UTC))
    assert "recently-opened" not in codes(flags)
    flags = account_flags("online", date(2024, 8, 1), old_first, datetime(2025, 6, 1, tzinfo=UTC))
    assert any("before the newest shipment" in f.evidence for f in flags)


def test_flag_levels_follow_the_measured_rates(monkeypatch: pytest.MonkeyPatch) -> None:
    """A flag firing on more than 5% of ordinary accounts is context, never a warning, and
    says how often it fires."""
    monkeypatch.setitem(FLAG_RATES, "recently-opened", (0.12, 0.98, 0.0))
    monkeypatch.setitem(FLAG_RATES, "just-before-street-date", (0.05, 0.9, 0.4))
    flags = {f.code: f for f in account_flags("retailer", date(2025, 1, 10), orders(3, 2), END)}
    common = flags["recently-opened"]
    assert common.level == "context"
    assert common.rates.startswith("fires on 12% of ordinary accounts, 98% of leaking new")
    assert flags["just-before-street-date"].level == "warning"  # 5% is still a warning
    assert common.as_dict()["ordinary_rate"] == 0.12
    assert Flag("unknown-flag", "x").level == "context"
    assert Flag("unknown-flag", "x").rates == "not measured"


def test_every_flag_has_measured_rates() -> None:
    assert set(FLAG_RATES) == set(FLAG_CODES)
    for rates in FLAG_RATES.values():
        assert all(0.0 <= r <= 1.0 for r in rates)


def test_an_opening_date_after_the_first_order_is_said_as_such() -> None:
    first = orders(3, 2)[0].shipped_at.date()  # 2025-03-01
    flags = account_flags("retailer", first + timedelta(days=186), orders(3, 2), END)
    recent = next(f for f in flags if f.code == "recently-opened")
    assert "-" not in recent.evidence.split("yet")[1].split("on")[0]  # no negative days
    assert "its first shipment was 186 days earlier, on 2025-03-01" in recent.evidence
