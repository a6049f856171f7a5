"""Read models of the supply chain: the ranking of customer accounts (with posterior,
explanation in words and behaviour flags) and the flagged accounts.

Shapes are those of ``leaktrace supply rank [--flags-only] --format json``. Accounts may
name people: these models are personal data, read only through audited services.
"""

from __future__ import annotations

from pydantic import Field

from leaktrace.services.views import View

__all__ = [
    "AccountFlagsView",
    "AccountScoreView",
    "FlagView",
    "FlaggedAccountsView",
    "LeakRefView",
    "RankingModelView",
    "SupplyRankingView",
]


class FlagView(View):
    """A behaviour flag: ``warning`` if it fires on at most 5% of ordinary accounts."""

    code: str
    level: str
    evidence: str
    ordinary_rate: float | None
    leaking_new_retailer_rate: float | None
    leaking_established_rate: float | None
    rates: str


class LeakRefView(View):
    """A physical-window leak the ranking considers."""

    alert_id: int
    release: str
    group: str | None
    work_id: str
    work_title: str
    leaked_at: str
    street_date: str
    lead_days: float


class AccountScoreView(View):
    """One account of the ranking."""

    rank: int
    account_id: int
    distributor: str
    account: str
    declared_business: str
    country: str | None
    opened_on: str | None
    shipments: int
    leaks_explained: int
    leaks_counted: int
    leaks_not_counted: int
    explained: list[LeakRefView]
    unexplained: list[LeakRefView]
    p_a: float
    order_rate: float
    log10_lr: float
    chance: float
    posterior: float
    flags: list[FlagView]
    explanation: str


class RankingModelView(View):
    name: str
    epsilon: float
    prior_none: float
    accounts: int
    none_posterior: float


class SupplyRankingView(View):
    """The accounts the leaked discs may have come through, most likely first."""

    model: RankingModelView
    leaks: list[LeakRefView]
    uncounted_leaks: list[LeakRefView]
    repeat_alerts: int
    accounts: list[AccountScoreView]
    total_accounts: int = Field(default=0, exclude=True)
    """Accounts ranked before ``limit`` cut the list (not in the JSON)."""


class AccountFlagsView(View):
    """An account with behaviour flags (``supply rank --flags-only``)."""

    account_id: int
    distributor: str
    account: str
    declared_business: str
    country: str | None
    opened_on: str | None
    shipments: int
    flags: list[FlagView]


class FlaggedAccountsView(View):
    accounts: list[AccountFlagsView]
    total: int
