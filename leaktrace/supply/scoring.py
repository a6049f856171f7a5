"""Which customer account the leaked discs came through: the statistics (no SQL here).

The evidence
    For every physical-window leak *i* (one per work: its earliest disc release before the
    street date) and every account *a*, ``held`` says whether *a* had been shipped discs of
    that work before the leak appeared. A leak only counts for an account when the account
    *could* have held it: its distributor carried the work with a street date on or after
    the account's first shipment (so it could have ordered it before its street date), and
    the leak came after that first shipment (an account cannot be blamed, or cleared, by
    leaks from before it existed). Leaks of works nobody in the data received count for no one.

The chance of holding a title that early (the base rate)
    ``p_ai`` = P(*a* orders leak *i*'s title before its street date) x the smoothed share
    ``(k + 1) / (m + 2)`` of *a*'s early orders that arrived at least as long before their
    street date as leak *i* came before its own. The first factor comes from the account
    *and* the title: a logistic model fitted on every account's orders
    (:mod:`leaktrace.supply.popularity`), because small shops stock mostly blockbusters
    and blockbusters are what leaks. The second is measured per leak because a big chain
    that always gets discs a week early holds every title leaked three days early, and
    that says nothing about it. (``base="account"`` keeps the former base rate, the
    account's share of all its available titles received that early, for comparison.)

The hypotheses
    ``H0(a)``: *a* is not involved; it holds a leaked title that early with chance ``p_ai``.
    ``H(a)``: *a* is a source, and a share ``q`` of the physical leaks came through it; the
    rest came through other channels (and *a* may still hold those titles by chance).
    So ``P(held | H(a), q) = q + (1 - q) p_ai`` and the likelihood ratio of one leak is
    ``1 + q (1 - p_ai) / p_ai`` if *a* held it, ``1 - q`` if not. ``q`` is not known: it is
    given a uniform prior on ``[0, 1 - epsilon]`` (``epsilon``, default 10%, is the share of
    physical leaks that at least come through other channels) and integrated out, exactly
    (the integrand is a polynomial in ``q``: Gauss-Legendre quadrature of enough points is
    exact). Integrating ``q`` keeps the score honest when a group used two or three accounts,
    or switched accounts over time; it costs a modest "Occam factor" against the fixed
    ``q = 1 - epsilon`` model, which is kept as ``model="fixed"`` for comparison.

The posterior
    One hypothesis per account ("this account is the source") plus "none of these
    accounts"; the accounts share a uniform prior and "none" has ``prior_none`` (default
    0.9: before looking at the leaks, the source is more likely outside the data than in
    it; see :data:`DEFAULT_PRIOR_NONE`).
    Accounts are treated as alternatives (at most one source), so when two accounts both
    have strong evidence they share the posterior between them.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Literal

__all__ = [
    "DEFAULT_EPSILON",
    "DEFAULT_PRIOR_NONE",
    "AccountHistory",
    "BaseRate",
    "Evidence",
    "LeakEvent",
    "Model",
    "Receipt",
    "Score",
    "Trial",
    "base_rate",
    "build_evidence",
    "chance_at_least",
    "lead_days",
    "log_lr",
    "log_lr_fixed",
    "log_lr_share",
    "posteriors",
    "score_accounts",
]

DEFAULT_EPSILON = 0.1
DEFAULT_PRIOR_NONE = 0.9
"""Before any leak is seen, the source is taken to be outside the shipment data with
probability 90%: one distributor's records cover part of the supply chain, and discs also
leak from screeners, replication plants, other distributors and other countries. Chosen on
simulated markets with no leaking account at all (tuning seed 101, not the reported seed):
with 0.5, an innocent account reached a posterior of 0.5 in up to 2% of markets; with 0.9,
in none of 600."""
Model = Literal["share", "fixed"]
BaseRate = Literal["title", "account"]
_MIN_CHANCE = 1e-6
_DAY = 86400.0
_LN10 = math.log(10.0)


@dataclass(frozen=True, slots=True)
class Receipt:
    """The first shipment of a work to an account."""

    work_id: str
    shipped_at: datetime
    street_date: date


@dataclass(frozen=True, slots=True)
class AccountHistory:
    """What one account received; ``key`` identifies it to the caller."""

    key: int
    distributor: str
    receipts: tuple[Receipt, ...]


@dataclass(frozen=True, slots=True)
class LeakEvent:
    """A physical-window leak: the first disc release of ``work_id`` before its street date."""

    work_id: str
    leaked_at: datetime
    street_date: date


@dataclass(frozen=True, slots=True)
class Trial:
    """One leak that counts for an account: did it hold the title, and how likely by chance."""

    leak: int
    held: bool
    chance: float
    """P(an uninvolved account like this one holds the title that early)."""
    ordered: float = 0.0
    """P(it orders this title before its street date), the first factor of ``chance``."""


@dataclass(frozen=True, slots=True)
class Evidence:
    key: int
    available: int
    """Titles available to the account since its first shipment (the ``n`` of the base rate)."""
    trials: tuple[Trial, ...]
    not_counted: tuple[int, ...]
    """Leaks that do not count for it: before its first shipment, or not carried."""

    @property
    def explained(self) -> int:
        return sum(1 for t in self.trials if t.held)

    @property
    def base_rate(self) -> float:
        """Mean chance of holding a leaked title that early, over the leaks that count."""
        return sum(t.chance for t in self.trials) / len(self.trials) if self.trials else 0.0

    @property
    def order_rate(self) -> float:
        """Mean chance of ordering the leaked titles before street date, over those that
        count (the title-popularity part of :attr:`base_rate`)."""
        return sum(t.ordered for t in self.trials) / len(self.trials) if self.trials else 0.0


@dataclass(frozen=True, slots=True)
class Score:
    key: int
    explained: int
    counted: int
    base_rate: float
    log10_lr: float
    chance: float
    """Probability that an uninvolved account like this holds at least ``explained`` of
    the ``counted`` leaked titles that early (Poisson-binomial tail)."""
    posterior: float
    order_rate: float = 0.0
    """Mean chance that it orders the leaked titles before street date (title-aware)."""


def lead_days(street_date: date, moment: datetime) -> float:
    """Days from ``moment`` to 00:00 UTC of ``street_date`` (positive: before)."""
    return (_midnight(street_date) - moment.timestamp()) / _DAY


@lru_cache(maxsize=65536)
def _midnight(day: date) -> float:
    return datetime.combine(day, time(0, 0), tzinfo=UTC).timestamp()


def base_rate(early: int, available: int) -> float:
    """Laplace-smoothed share ``(k + 1) / (n + 2)``: never 0 or 1, close to k/n for large n."""
    if early < 0 or available < 0 or early > available:
        raise ValueError(f"need 0 <= early <= available, got {early} of {available}")
    return (early + 1) / (available + 2)


def build_evidence(
    histories: Sequence[AccountHistory],
    leaks: Sequence[LeakEvent],
    *,
    base: BaseRate = "title",
) -> list[Evidence]:
    """The evidence for every account: which leaks count for it, which it held, and the
    chance of holding each that early.

    ``base="title"`` (the default): the chance that *a* ordered the leaked title before its
    street date comes from the account *and* the title (:mod:`leaktrace.supply.popularity`,
    fitted on every account's orders), times the share of *a*'s early orders that arrived
    at least as long before street date as the leak came. ``base="account"``: the account's
    share of all its titles received that early, whatever the title (the model before
    popularity was taken into account, kept for comparison)."""
    carried: dict[str, dict[str, date]] = {}
    for history in histories:
        titles = carried.setdefault(history.distributor, {})
        for r in history.receipts:
            old = titles.get(r.work_id)
            if old is None or r.street_date < old:
                titles[r.work_id] = r.street_date
    streets: dict[str, list[tuple[date, str]]] = {
        d: sorted((day, w) for w, day in t.items()) for d, t in carried.items()
    }
    leak_leads = [lead_days(leak.street_date, leak.leaked_at) for leak in leaks]
    books = [_book(h, carried, streets) for h in histories]
    model = None
    if base == "title":
        from leaktrace.supply.popularity import fit_order_model  # numpy: only when ranking

        model = fit_order_model({b.key: b.cells for b in books if b.cells})
    out: list[Evidence] = []
    for book in books:
        if book.first is None:
            out.append(Evidence(book.key, 0, (), tuple(range(len(leaks)))))
            continue
        trials: list[Trial] = []
        skipped: list[int] = []
        for i, leak in enumerate(leaks):
            if leak.work_id not in book.orderable or leak.leaked_at <= book.first:
                skipped.append(i)
                continue
            got = book.earliest.get(leak.work_id)
            held = got is not None and got.shipped_at < leak.leaked_at
            early = len(book.leads) - bisect.bisect_right(book.leads, leak_leads[i])
            if model is None:
                ordered = (len(book.early) + 1) / (book.available + 2)
                chance = base_rate(min(early, book.available), book.available)
            else:
                ordered = model.chance(book.key, leak.work_id)
                in_time = len(book.early) - bisect.bisect_right(book.early, leak_leads[i])
                chance = ordered * (in_time + 1) / (len(book.early) + 2)
            trials.append(Trial(i, held, _clamp(chance), ordered))
        out.append(Evidence(book.key, book.available, tuple(trials), tuple(skipped)))
    return out


@dataclass(frozen=True, slots=True)
class _Book:
    """One account's receipts, arranged for the evidence."""

    key: int
    first: datetime | None
    titles: Mapping[str, date]
    available: int
    earliest: dict[str, Receipt]
    leads: list[float]
    """Days before street date of its first receipt of every available title, sorted."""
    early: list[float]
    """The same for those received before their street date (the model's ``y = 1``)."""
    cells: list[tuple[str, bool]]
    """Every available title: did it arrive before its street date?"""
    orderable: frozenset[str]
    """The available titles (those of ``cells``): its distributor's street date is on or
    after the account's first shipment, so it could have ordered them before it."""


def _book(
    history: AccountHistory,
    carried: Mapping[str, Mapping[str, date]],
    streets: Mapping[str, list[tuple[date, str]]],
) -> _Book:
    if not history.receipts:
        return _Book(history.key, None, {}, 0, {}, [], [], [], frozenset())
    first = min(r.shipped_at for r in history.receipts)
    first_day = first.astimezone(UTC).date()
    titles = carried[history.distributor]
    dated = streets[history.distributor]
    start = bisect.bisect_left(dated, (first_day, ""))
    earliest: dict[str, Receipt] = {}
    for r in history.receipts:
        seen = earliest.get(r.work_id)
        if seen is None or r.shipped_at < seen.shipped_at:
            earliest[r.work_id] = r
    lead_of = {
        w: lead_days(titles[w], r.shipped_at) for w, r in earliest.items() if titles[w] >= first_day
    }
    leads = sorted(lead_of.values())
    early = [x for x in leads if x > 0.0]
    cells = [(w, lead_of.get(w, 0.0) > 0.0) for _, w in dated[start:]]
    return _Book(
        history.key,
        first,
        titles,
        len(dated) - start,
        earliest,
        leads,
        early,
        cells,
        frozenset(w for w, _ in cells),
    )


def _clamp(chance: float) -> float:
    return min(max(chance, _MIN_CHANCE), 1.0 - _MIN_CHANCE)


@lru_cache(maxsize=64)
def _gauss_legendre(n: int) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Nodes and weights of ``n``-point Gauss-Legendre quadrature on [-1, 1]."""
    nodes: list[float] = []
    weights: list[float] = []
    for i in range(1, n + 1):
        x = math.cos(math.pi * (i - 0.25) / (n + 0.5))
        derivative = 1.0
        for _ in range(100):
            p0, p1 = 1.0, x
            for k in range(2, n + 1):
                p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
            derivative = n * (x * p1 - p0) / (x * x - 1.0)
            step = p1 / derivative
            x -= step
            if abs(step) < 1e-15:
                break
        p0, p1 = 1.0, x
        for k in range(2, n + 1):
            p0, p1 = p1, ((2 * k - 1) * x * p1 - (k - 1) * p0) / k
        derivative = n * (x * p1 - p0) / (x * x - 1.0)
        nodes.append(x)
        weights.append(2.0 / ((1.0 - x * x) * derivative * derivative))
    return tuple(nodes), tuple(weights)


def _check(epsilon: float, chances: Iterable[float]) -> None:
    if not 0.0 < epsilon < 1.0:
        raise ValueError(f"epsilon must be between 0 and 1 (exclusive), got {epsilon}")
    for p in chances:
        if not 0.0 < p < 1.0:
            raise ValueError(f"a chance must be between 0 and 1 (exclusive), got {p}")


def log_lr_share(trials: Sequence[tuple[bool, float]], epsilon: float = DEFAULT_EPSILON) -> float:
    """Natural log of the likelihood ratio H(a) : H0(a), with the share ``q`` of leaks
    through the account uniform on ``[0, 1 - epsilon]`` and integrated out.

    ``trials`` are ``(held, chance)`` pairs. The integrand is a polynomial of degree
    ``len(trials)`` in ``q``, so Gauss-Legendre with ``len // 2 + 1`` points is exact."""
    _check(epsilon, (p for _, p in trials))
    if not trials:
        return 0.0
    ratios = [(1.0 - p) / p for held, p in trials if held]
    misses = len(trials) - len(ratios)
    top = 1.0 - epsilon
    if not ratios:  # closed form: mean of (1 - q)^m over [0, top]
        return math.log((1.0 - epsilon ** (misses + 1)) / ((misses + 1) * top))
    nodes, weights = _gauss_legendre(max(2, len(trials) // 2 + 1))
    terms = []
    for x, w in zip(nodes, weights, strict=True):
        q = top * (x + 1.0) / 2.0
        value = math.log(w / 2.0) + misses * math.log1p(-q)
        value += sum(math.log1p(q * r) for r in ratios)
        terms.append(value)
    return _logsumexp(terms)


def log_lr_fixed(trials: Sequence[tuple[bool, float]], epsilon: float = DEFAULT_EPSILON) -> float:
    """Natural log of the likelihood ratio of the simple model: under H(a) the account
    holds each leaked title with probability ``1 - epsilon``; under H0 with ``chance``."""
    _check(epsilon, (p for _, p in trials))
    return sum(
        math.log((1.0 - epsilon) / p) if held else math.log(epsilon / (1.0 - p))
        for held, p in trials
    )


def log_lr(
    trials: Sequence[tuple[bool, float]], epsilon: float = DEFAULT_EPSILON, model: Model = "share"
) -> float:
    return log_lr_share(trials, epsilon) if model == "share" else log_lr_fixed(trials, epsilon)


def chance_at_least(hits: int, chances: Sequence[float]) -> float:
    """P(at least ``hits`` successes) for independent trials with these chances."""
    if hits <= 0:
        return 1.0
    if hits > len(chances):
        return 0.0
    dist = [1.0]  # dist[j] = P(j successes so far)
    for p in chances:
        nxt = [0.0] * (len(dist) + 1)
        for j, value in enumerate(dist):
            nxt[j] += value * (1.0 - p)
            nxt[j + 1] += value * p
        dist = nxt
    return min(1.0, sum(dist[hits:]))


def posteriors(
    log_lrs: Mapping[int, float], accounts: int, prior_none: float = DEFAULT_PRIOR_NONE
) -> tuple[dict[int, float], float]:
    """Posterior of "account k is the source" for every key of ``log_lrs`` (natural logs),
    and of "none of these accounts". ``accounts`` (at least ``len(log_lrs)``) is how many
    accounts there are in all: those missing from ``log_lrs`` have a likelihood ratio of 1."""
    if not 0.0 < prior_none < 1.0:
        raise ValueError(f"prior_none must be between 0 and 1 (exclusive), got {prior_none}")
    if accounts < len(log_lrs):
        raise ValueError("fewer accounts than scores")
    if accounts == 0:
        return {}, 1.0
    log_each = math.log((1.0 - prior_none) / accounts)
    log_none = math.log(prior_none)
    others = accounts - len(log_lrs)
    terms = [log_each + v for v in log_lrs.values()] + [log_none]
    if others:
        terms.append(log_each + math.log(others))
    total = _logsumexp(terms)
    return (
        {k: math.exp(log_each + v - total) for k, v in log_lrs.items()},
        math.exp(log_none - total),
    )


def score_accounts(
    evidence: Sequence[Evidence],
    *,
    epsilon: float = DEFAULT_EPSILON,
    prior_none: float = DEFAULT_PRIOR_NONE,
    model: Model = "share",
    accounts: int | None = None,
) -> tuple[list[Score], float]:
    """Score every account, best first (by likelihood ratio, then leaks explained), and
    give the posterior of "none of these accounts". ``accounts`` defaults to
    ``len(evidence)``."""
    logs = {e.key: log_lr([(t.held, t.chance) for t in e.trials], epsilon, model) for e in evidence}
    post, none = posteriors(logs, len(evidence) if accounts is None else accounts, prior_none)
    scores = [
        Score(
            key=e.key,
            explained=e.explained,
            counted=len(e.trials),
            base_rate=e.base_rate,
            log10_lr=logs[e.key] / _LN10,
            chance=chance_at_least(e.explained, [t.chance for t in e.trials]),
            posterior=post[e.key],
            order_rate=e.order_rate,
        )
        for e in evidence
    ]
    scores.sort(key=lambda s: (-s.log10_lr, -s.explained, s.key))
    return scores, none


def _logsumexp(values: Sequence[float]) -> float:
    top = max(values)
    if top == -math.inf:
        return top
    return top + math.log(sum(math.exp(v - top) for v in values))
