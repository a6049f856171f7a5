"""The maths on small cases computed by hand."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from leaktrace.supply.explain import about_number, chance_words, percent, ratio_words
from leaktrace.supply.scoring import (
    AccountHistory,
    LeakEvent,
    Receipt,
    base_rate,
    build_evidence,
    chance_at_least,
    lead_days,
    log_lr_fixed,
    log_lr_share,
    posteriors,
    score_accounts,
)


def test_base_rate_is_laplace_smoothed() -> None:
    assert base_rate(0, 0) == 0.5
    assert base_rate(9, 10) == pytest.approx(10 / 12)
    assert base_rate(1, 48) == pytest.approx(2 / 50)
    with pytest.raises(ValueError):
        base_rate(3, 2)


def test_fixed_model_by_hand() -> None:
    # held with p = 0.2: 0.9 / 0.2 = 4.5; missed with p = 0.2: 0.1 / 0.8 = 0.125
    assert math.exp(log_lr_fixed([(True, 0.2)], 0.1)) == pytest.approx(4.5)
    assert math.exp(log_lr_fixed([(False, 0.2)], 0.1)) == pytest.approx(0.125)
    assert math.exp(log_lr_fixed([(True, 0.2), (False, 0.2)], 0.1)) == pytest.approx(0.5625)


def test_share_model_by_hand() -> None:
    # one hit: mean over q in [0, 0.9] of 1 + q (1 - p) / p = 1 + 0.45 * 4 = 2.8 for p = 0.2
    assert math.exp(log_lr_share([(True, 0.2)], 0.1)) == pytest.approx(2.8)
    # one miss: mean of 1 - q = 0.55; two misses: mean of (1 - q)^2 = (1 - 0.1^3) / (3 * 0.9)
    assert math.exp(log_lr_share([(False, 0.2)], 0.1)) == pytest.approx(0.55)
    assert math.exp(log_lr_share([(False, 0.5)] * 2, 0.1)) == pytest.approx(0.999 / 2.7)
    # a hit and a miss, p = 0.5: mean of (1 + q)(1 - q) = 1 - 0.81 / 3 = 0.73
    assert math.exp(log_lr_share([(True, 0.5), (False, 0.5)], 0.1)) == pytest.approx(0.73)
    assert log_lr_share([], 0.1) == 0.0


def test_share_model_quadrature_is_exact_for_many_leaks() -> None:
    trials = [(True, 0.05)] * 25 + [(False, 0.05)] * 4
    steps = 20000
    total = 0.0
    for j in range(steps):
        q = 0.9 * (j + 0.5) / steps
        total += (1 + q * 19) ** 25 * (1 - q) ** 4
    assert log_lr_share(trials, 0.1) == pytest.approx(math.log(total / steps), rel=1e-6)


def test_invalid_parameters() -> None:
    with pytest.raises(ValueError):
        log_lr_share([(True, 0.2)], 0.0)
    with pytest.raises(ValueError):
        log_lr_fixed([(True, 1.0)], 0.1)
    with pytest.raises(ValueError):
        posteriors({1: 0.0}, 1, prior_none=1.0)


def test_a_chain_holding_everything_is_uninformative() -> None:
    # p close to 1: holding every leaked title says nothing (share model: exactly ~1)
    assert abs(log_lr_share([(True, 0.98)] * 10, 0.1)) < 0.2
    # a small account holding 9 of 10 leaked titles that it gets with chance 12% stands out
    assert log_lr_share([(True, 0.12)] * 9 + [(False, 0.12)], 0.1) / math.log(10) > 6


def test_chance_at_least_by_hand() -> None:
    assert chance_at_least(1, [0.5, 0.5]) == pytest.approx(0.75)
    assert chance_at_least(2, [0.5, 0.2]) == pytest.approx(0.1)
    assert chance_at_least(0, []) == 1.0 and chance_at_least(3, [0.9]) == 0.0
    # 9 or more of 10 at 12%: 10 * 0.12^9 * 0.88 + 0.12^10
    assert chance_at_least(9, [0.12] * 10) == pytest.approx(10 * 0.12**9 * 0.88 + 0.12**10)


def test_posteriors_by_hand() -> None:
    # two accounts with LR 1 and 9, none with prior 0.5: weights 0.25, 2.25 and 0.5 (sum 3)
    post, none = posteriors({1: 0.0, 2: math.log(9)}, 2, prior_none=0.5)
    assert post[1] == pytest.approx(0.25 / 3)
    assert post[2] == pytest.approx(0.75)
    assert none == pytest.approx(0.5 / 3)
    # unlisted accounts count with LR 1: 98 more accounts dilute the same evidence
    post, _ = posteriors({2: math.log(9)}, 100, prior_none=0.5)
    assert post[2] == pytest.approx(0.5 / 100 * 9 / (0.5 + 0.5 / 100 * (9 + 99)))


def _at(day: date, days_before: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=days_before)


def test_build_evidence_counts_only_what_an_account_could_hold() -> None:
    streets = [date(2025, 1, 7) + timedelta(days=7 * n) for n in range(20)]
    chain = AccountHistory(
        1, "D", tuple(Receipt(f"w{n}", _at(s, 8), s) for n, s in enumerate(streets))
    )
    leaker = AccountHistory(
        2, "D", tuple(Receipt(f"w{n}", _at(streets[n], 5), streets[n]) for n in (10, 12, 14))
    )
    other = AccountHistory(3, "E", (Receipt("x1", _at(streets[0], 2), streets[0]),))
    leaks = [
        LeakEvent("w10", _at(streets[10], 3), streets[10]),
        LeakEvent("w12", _at(streets[12], 3), streets[12]),
        LeakEvent("w3", _at(streets[3], 3), streets[3]),  # before the leaker's first shipment
        LeakEvent("w16", _at(streets[16], 3), streets[16]),
    ]
    ev = {e.key: e for e in build_evidence([chain, leaker, other], leaks, base="account")}
    assert [(t.leak, t.held) for t in ev[1].trials] == [(0, True), (1, True), (2, True), (3, True)]
    assert ev[1].trials[0].chance == pytest.approx(21 / 22)  # all 20 titles early enough
    # the leaker: titles from w10 on are available (10), it had 3 of them early enough
    assert ev[2].available == 10
    assert [(t.leak, t.held) for t in ev[2].trials] == [(0, True), (1, True), (3, False)]
    assert ev[2].trials[0].chance == pytest.approx(4 / 12)
    assert ev[2].not_counted == (2,)
    assert ev[3].trials == () and ev[3].not_counted == (0, 1, 2, 3)  # not carried
    scores, none = score_accounts(list(ev.values()))
    assert [s.key for s in scores][0] == 2
    assert sum(s.posterior for s in scores) + none == pytest.approx(1.0)
    assert lead_days(streets[0], _at(streets[0], 3)) == pytest.approx(3.0)


def test_plain_words() -> None:
    assert about_number(21_727_208) == "22 million"
    assert about_number(3_400) == "3.4 thousand"
    assert about_number(12.0) == "12"
    assert about_number(4.9) == "4.9"
    assert about_number(3e17) == "10^17"
    assert chance_words(4.6e-8) == "about 1 in 22 million"
    assert chance_words(0.136) == "about 13.6%"
    assert ratio_words(6.5) == "about 3.2 million times more likely"
    assert ratio_words(-0.69) == "about 4.9 times less likely"
    assert ratio_words(0.01) == "about as likely"
    assert percent(0.992) == "99.2%" and percent(0.9999) == "more than 99.9%"
    assert percent(0.1) == "10%" and percent(1e-6) == "less than 0.1%"


def test_title_base_rate_is_order_chance_times_timing() -> None:
    """With ``base="title"`` the chance of holding a leaked title that early is the fitted
    chance of ordering that title before street date times the share of the account's
    early orders that came at least as early as the leak (smoothed)."""
    streets = [date(2025, 1, 7) + timedelta(days=7 * n) for n in range(20)]
    chain = AccountHistory(
        1, "D", tuple(Receipt(f"w{n}", _at(s, 8), s) for n, s in enumerate(streets))
    )
    shop = AccountHistory(
        2,
        "D",
        tuple(
            Receipt(f"w{n}", _at(streets[n], 5 if n % 4 == 0 else 1), streets[n])
            for n in range(0, 20, 2)
        )
        + (Receipt("w1", _at(streets[1], -30), streets[1]),),  # after street date: not early
    )
    leaks = [LeakEvent("w4", _at(streets[4], 3), streets[4])]
    ev = {e.key: e for e in build_evidence([chain, shop], leaks)}
    [trial] = ev[2].trials
    # 10 early orders, 5 of them (those 5 days before) at least 3 days before street date
    assert trial.chance == pytest.approx(trial.ordered * 6 / 12)
    assert 0.5 < trial.ordered < 1.0  # both accounts ordered w4 early: a popular title
    assert ev[1].trials[0].ordered > 0.9
