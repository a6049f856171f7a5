"""Edge cases of the evidence and the scores: no input makes a traceback, a NaN or an
infinity, whatever the shipments and leaks look like."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.supply.scoring import (
    AccountHistory,
    LeakEvent,
    Receipt,
    build_evidence,
    score_accounts,
)

_START = datetime(2025, 1, 1, tzinfo=UTC)


def _moment(hours: int) -> datetime:
    return _START + timedelta(hours=hours)


def test_a_leak_whose_street_date_differs_from_the_distributors_counts_only_if_orderable() -> None:
    """The catalogue's street date (the alert's) may be later than the one in the
    distributor's file. An account whose only order is that title, shipped after the
    distributor's street date, could not have ordered it before its street date: the leak
    does not count for it (it was a KeyError in the order model)."""
    back_catalogue = Receipt("w1", _moment(24), date(2025, 1, 1))  # shipped the day after
    other = Receipt("w2", _moment(24), date(2025, 1, 2))
    leak = LeakEvent("w1", _moment(25), date(2025, 1, 5))
    for histories in (
        [AccountHistory(1, "D", (back_catalogue,))],
        [AccountHistory(1, "D", (back_catalogue, other))],
    ):
        for base in ("title", "account"):
            [evidence] = build_evidence(histories, [leak], base=base)  # type: ignore[arg-type]
            assert evidence.trials == () and evidence.not_counted == (0,)


_works = st.sampled_from(["w1", "w2", "w3", "w4"])
_receipts = st.builds(
    lambda w, h, d: Receipt(w, _moment(h), (_START + timedelta(days=d)).date()),
    _works,
    st.integers(0, 24 * 60),
    st.integers(0, 60),
)
_leaks = st.builds(
    lambda w, h, d: LeakEvent(w, _moment(h), (_moment(h) + timedelta(days=d + 1)).date()),
    _works,
    st.integers(0, 24 * 60),
    st.integers(0, 30),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(["A", "B"]), st.lists(_receipts, max_size=6)), max_size=5),
    st.lists(_leaks, max_size=5),
    st.sampled_from(["title", "account"]),
)
def test_any_market_scores_to_finite_numbers(
    accounts: list[tuple[str, list[Receipt]]], leaks: list[LeakEvent], base: str
) -> None:
    """Accounts with one order or none, titles nobody ordered, everyone ordering
    everything, a single account, no leaks: finite scores and posteriors that add up."""
    histories = [AccountHistory(k, d, tuple(r)) for k, (d, r) in enumerate(accounts)]
    evidence = build_evidence(histories, leaks, base=base)  # type: ignore[arg-type]
    scores, none = score_accounts(evidence)
    assert math.isfinite(none) and 0.0 <= none <= 1.0
    for s in scores:
        for value in (s.posterior, s.log10_lr, s.chance, s.base_rate, s.order_rate):
            assert math.isfinite(value), s
        assert 0.0 <= s.chance <= 1.0 and s.explained <= s.counted
    assert none + sum(s.posterior for s in scores) == pytest.approx(1.0)
