"""Follower links that beat a null model: is B copying A, or do both just release soon
after the same window opens?

Pure functions over ``copies`` (copy key → group → the group's earliest release of that
kind of copy of the title, :attr:`GroupData.copies`) and ``openings`` (copy key → the
opening of its window from the catalogue, :attr:`GroupData.openings`).

A title's window opening is dated two ways (:meth:`_Index.opening`): the catalogue date
first, else the first release by a group other than the two compared; or that first
release first, else the catalogue date. Failing both, the title opens at its first release
(by one of the two; for a leak that is earlier than the real opening, which only makes the
test more cautious). Step 3 is run with both datings and the weaker result counts: a wrong
catalogue date moves every group's delay at once, a leak moves only the leaker's.

"B follows A" is reported when, on the titles both released:

1. **Enough follows**: B came within ``follow_hours`` after A on at least ``min_follows``
   titles and on at least ``min_consistency`` of the titles both released.
2. **A consistent order**: of the titles where the two came within ``follow_hours`` of
   each other, B came after A on at least ``min_order`` (so A cannot "follow" B as well);
   the one-sided sign-test p-value of that order is reported.
3. **Beats the null model** "both simply released near the same window opening": B's
   release on title *i* is B's delay after the opening, drawn independently of A. Title *i*
   then lands within the follow window after A with probability p_i = the share of B's
   delays in (A's delay on *i*, A's delay + ``follow_hours``]. B's delays are taken two
   ways, and the smaller p-value counts twice (two comparisons were made):

   * *usual*: B's delays on its titles that neither A nor any group B seems to follow
     (steps 1-2) released, and that B did not open itself; in the same source family when
     there are enough of them; used only with at least ``min_baseline`` titles;
   * *shuffled*: B's own delays on the other shared titles whose opening does not come
     from A or B (same family), as if they were shuffled among the titles (a permutation
     test: it needs A's delays to vary, as a leak's lead does, and says nothing when they
     do not).

   Each share is taken at the top of its one-sided 95% Wilson interval (few titles make
   the test more cautious, not less). The number of follows under the null is a sum of
   independent Bernoulli(p_i) (a Poisson binomial); the link needs P(at least the observed
   number) ≤ ``alpha``.
4. **No common leader explains it**: when B and C both follow A, B → C is kept only if
   1-3 hold again on the titles A did not release.

Groups that all release within hours of a window opening (web groups at the digital date,
cam groups at a premiere, retail rips at street date) pass step 1 by the dozen; step 2
stops most of them and step 3 the rest (a group that is always a few hours slower than
another has a consistent order, but its delays do not depend on the other's). A group that
only ever copies one other group, at a steady pace after a steady opening, cannot be told
from a slower racer and is not reported.
"""

from __future__ import annotations

import bisect
import math
import statistics
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

__all__ = [
    "ALPHA",
    "DEFAULT_FOLLOW_HOURS",
    "MIN_BASELINE",
    "MIN_CONSISTENCY",
    "MIN_FOLLOWS",
    "MIN_ORDER",
    "FollowTest",
    "follow_strength",
    "follower_tests",
    "poisson_binomial_tail",
    "sign_test",
    "upper_share",
]

DEFAULT_FOLLOW_HOURS = 48.0
MIN_FOLLOWS = 3
"""A follower link needs at least this many followed titles..."""
MIN_CONSISTENCY = 0.5
"""... on at least this share of the titles both released ..."""
MIN_ORDER = 0.75
"""... coming after the leader on at least this share of the titles where the two came
within the window of each other ..."""
ALPHA = 0.001
"""... with at most this chance of as many follows under the null model ..."""
MIN_BASELINE = 5
"""The "usual pace" comparison needs at least this many of the follower's other titles."""
_FAMILY_BASELINE = 8
"""B's usual delay is taken from the same source family when it has this many titles."""
_Z = 1.645
"""One-sided 95% for :func:`upper_share`."""
CATALOGUE = "catalogue"
OTHERS = "others"
OPENINGS = (CATALOGUE, OTHERS)
"""The two ways a title's window opening is judged (see :meth:`_Index.opening`)."""
_EXACT_LIMIT = 400_000
"""Above this many (titles x follows) the tail is bounded (Chernoff) instead of summed."""


@dataclass(frozen=True, slots=True)
class FollowTest:
    """The test of ``follower`` following ``leader`` (see the module text)."""

    leader: str
    follower: str
    leader_titles: int
    """Titles the leader released (all of them)."""
    shared: int
    """Titles both released (without those of common leaders, see ``set_aside``)."""
    followed: int
    """Shared titles the follower released within the window after the leader."""
    after: int
    """Shared titles the follower released within the window after the leader (the same
    as ``followed``; the order is counted on titles released within the window)."""
    before: int
    """Shared titles the follower released within the window before the leader."""
    delays_hours: tuple[float, ...]
    """Hours after the leader, for each followed title (sorted)."""
    expected: float
    """Follows expected under the null model (sum of p_i), with the weaker judgement."""
    p_value: float
    """Chance of at least ``followed`` follows under the null model: twice the smaller of
    ``p_usual`` and ``p_shuffled`` (two comparisons were made), at most 1; the larger of
    the two values given by the two ways of opening titles."""
    order_p: float
    """One-sided sign test: chance of at least ``after`` of ``after + before`` by a coin."""
    baseline: int
    """The follower's titles its usual delay was measured on."""
    dated: int
    """Shared titles with a window opening judged without the two groups (another group's
    first release, or the catalogue date); the others count as possible follows."""
    null: str = "usual"
    """The comparison that gave ``expected`` and the smaller p-value: ``usual`` (the
    follower's usual delays on its other titles) or ``shuffled`` (its delays on these
    titles, shuffled among them)."""
    opening: str = CATALOGUE
    """How titles were opened in the weaker of the two judgements: ``catalogue`` (the
    catalogue date first) or ``others`` (the first release by another group first)."""
    p_usual: float = 1.0
    p_shuffled: float = 1.0
    examples: tuple[str, ...] = ()
    set_aside: tuple[str, ...] = ()
    """Common leaders of both groups whose titles were left out (step 4)."""
    passed: bool = False
    tested: int = 0
    """How many tests of ordered pairs reached step 3 in this run (each at ``alpha``): the
    multiple comparisons behind every reported link, for its evidence to state."""

    @property
    def coverage(self) -> float:
        return self.followed / self.leader_titles if self.leader_titles else 0.0

    @property
    def consistency(self) -> float:
        return self.followed / self.shared if self.shared else 0.0

    @property
    def order_share(self) -> float:
        differ = self.after + self.before
        return self.after / differ if differ else 0.0

    @property
    def median_delay_hours(self) -> float:
        return float(statistics.median(self.delays_hours)) if self.delays_hours else 0.0

    @property
    def strength(self) -> float:
        return follow_strength(self.followed, self.leader_titles, self.shared)


def follow_strength(followed: int, leader_titles: int, shared: int) -> float:
    """Coverage (share of the leader's titles followed) times consistency (share of the
    titles both released that the follower released within the window after the leader):
    1.0 when B copies every title of A, and only right after A."""
    if not followed or not leader_titles or not shared:
        return 0.0
    return round(min(1.0, followed / leader_titles) * min(1.0, followed / shared), 4)


def sign_test(after: int, before: int) -> float:
    """P(X >= after) for X ~ Binomial(after + before, 1/2)."""
    n = after + before
    if n == 0:
        return 1.0
    return min(1.0, sum(math.comb(n, k) for k in range(after, n + 1)) / (1 << n))


def poisson_binomial_tail(probs: Sequence[float], k: int) -> float:
    """P(S >= k) where S is a sum of independent Bernoulli(p) for p in ``probs``.

    Exact (dynamic programming, states above ``k - 1`` merged) up to a size limit; above
    it the Chernoff bound, which is never smaller than the exact value."""
    if k <= 0:
        return 1.0
    if k > len(probs):
        return 0.0
    if len(probs) * k > _EXACT_LIMIT:
        return _chernoff(probs, k)
    below = [1.0] + [0.0] * (k - 1)  # P(S = j) for j < k
    reached = 0.0  # P(S >= k), summed directly (no 1 - x: tiny values keep their digits)
    for p in probs:
        q = 1.0 - p
        reached += below[k - 1] * p
        for j in range(k - 1, 0, -1):
            below[j] = below[j] * q + below[j - 1] * p
        below[0] *= q
    return min(1.0, reached)


def upper_share(hits: int, total: int, z: float = _Z) -> float:
    """The top of the one-sided Wilson interval of the share ``hits / total`` (1.0 when
    ``total`` is 0): a share measured on few titles is taken at its cautious end."""
    if total <= 0:
        return 1.0
    z2 = z * z
    centre = (hits + z2 / 2.0) / (total + z2)
    half = z / (total + z2) * math.sqrt(hits * (total - hits) / total + z2 / 4.0)
    return min(1.0, centre + half)


def _chernoff(probs: Sequence[float], k: int) -> float:
    """min over t > 0 of E[exp(t S)] / exp(t k) (searched on a grid of t), at most 1."""
    mean = math.fsum(probs)
    if k <= mean:
        return 1.0
    best, t = 0.0, 0.05  # the log of the bound
    while t < 50.0:
        log_bound = math.fsum(math.log1p(p * math.expm1(t)) for p in probs) - t * k
        best = min(best, log_bound)
        t *= 1.3
    return math.exp(best)


# ----------------------------------------------------------------- the index


@dataclass(slots=True)
class _Index:
    times: dict[str, dict[str, datetime]]
    """group → copy key → earliest release."""
    catalogue: dict[str, datetime]
    """copy key → window opening from the catalogue."""
    order: dict[str, list[tuple[datetime, str]]]
    """copy key → (release, group), earliest first (ties: alphabetical)."""

    @classmethod
    def build(
        cls, copies: Mapping[str, Mapping[str, datetime]], openings: Mapping[str, datetime]
    ) -> _Index:
        times: dict[str, dict[str, datetime]] = defaultdict(dict)
        order: dict[str, list[tuple[datetime, str]]] = {}
        for key, by_group in copies.items():
            if not by_group:
                continue
            for group, at in by_group.items():
                times[group][key] = at
            order[key] = sorted((at, group) for group, at in by_group.items())
        catalogue = {k: v for k, v in openings.items() if k in order}
        return cls(dict(times), catalogue, order)

    def opening(self, key: str, pair: Collection[str], way: str) -> tuple[datetime, bool]:
        """When the window of ``key`` opened, judged without the groups of ``pair`` if
        possible, and whether it was: ``catalogue``: the catalogue date, else the first
        release by any other group; ``others``: the first release by any other group,
        else the catalogue date; failing both, the first release (by one of ``pair``)."""
        catalogue = self.catalogue.get(key)
        if way == CATALOGUE and catalogue is not None:
            return catalogue, True
        for at, group in self.order[key]:
            if group not in pair:
                return at, True
        if catalogue is not None:
            return catalogue, True
        return self.order[key][0][0], False

    def lag_hours(
        self, group: str, key: str, pair: Collection[str], way: str
    ) -> tuple[float, bool]:
        """Hours from the opening to the group's release, and whether the opening was
        judged without ``pair``."""
        opened, independent = self.opening(key, pair, way)
        return (self.times[group][key] - opened).total_seconds() / 3600.0, independent


def _family(key: str) -> str:
    return key.rsplit("|", 1)[-1] if "|" in key else ""


@dataclass(frozen=True, slots=True)
class _Params:
    window: float
    min_follows: int
    min_consistency: float
    min_order: float
    alpha: float
    min_baseline: int
    examples: int
    null_model: bool = True


def _usual_delays(
    idx: _Index, follower: str, without: frozenset[str], way: str
) -> dict[str, list[float]]:
    """The follower's delays after the window opening, in hours, by source family ("" for
    all), on its titles none of ``without`` released; not on titles it released first
    unless the opening is the catalogue date (else it opened them itself)."""
    out: dict[str, list[float]] = defaultdict(list)
    for key in idx.times[follower]:
        if any(key in idx.times[g] for g in without if g in idx.times):
            continue
        opened, independent = idx.opening(key, (follower,), way)
        if not independent or (
            idx.order[key][0][1] == follower and opened != idx.catalogue.get(key)
        ):
            continue  # it released first and no catalogue date says when the window opened
        lag = (idx.times[follower][key] - opened).total_seconds() / 3600.0
        out[_family(key)].append(lag)
        out[""].append(lag)
    for lags in out.values():
        lags.sort()
    return out


def _test(
    idx: _Index,
    leader: str,
    follower: str,
    params: _Params,
    *,
    others: frozenset[str] = frozenset(),
    set_aside: frozenset[str] = frozenset(),
) -> FollowTest:
    """Steps 1-3 for one ordered pair. ``others``: the follower's other leaders (their
    titles are not used for its usual delays); ``set_aside``: common leaders whose titles
    are left out altogether."""
    mine, theirs = idx.times[leader], idx.times[follower]
    aside = [idx.times[g] for g in set_aside if g in idx.times]
    both = mine.keys() & theirs.keys()  # a set intersection: over the smaller of the two
    shared = sorted(k for k in both if not any(k in t for t in aside)) if aside else sorted(both)
    delays: list[tuple[float, str]] = []
    before = 0
    for key in shared:
        gap = (theirs[key] - mine[key]).total_seconds() / 3600.0
        if 0 < gap <= params.window:
            delays.append((gap, key))
        elif -params.window <= gap < 0:
            before += 1
    delays.sort()
    followed = len(delays)
    shape_ok = (
        followed >= params.min_follows
        and followed >= params.min_consistency * len(shared)
        and followed >= params.min_order * (followed + before)
    )
    counted = FollowTest(
        leader=leader,
        follower=follower,
        leader_titles=len(mine),
        shared=len(shared),
        followed=followed,
        after=followed,
        before=before,
        delays_hours=tuple(d for d, _ in delays),
        expected=float("nan"),
        p_value=1.0,
        order_p=sign_test(followed, before),
        baseline=0,
        dated=0,
        examples=tuple(k for _, k in delays[: params.examples]),
        set_aside=tuple(sorted(set_aside)),
        passed=shape_ok,
    )
    if not (shape_ok and params.null_model):
        # steps 1-2 decide (or step 3 is not asked for): no need for the null model
        return counted
    pair = (leader, follower)
    nulls = [
        _null(idx, pair, shared, followed, params, frozenset({leader}) | others | set_aside, way)
        for way in OPENINGS
    ]
    weaker = max(nulls, key=lambda n: (n.p_value, n.expected))
    return replace(
        counted,
        expected=weaker.expected,
        p_value=weaker.p_value,
        baseline=weaker.baseline,
        dated=weaker.opened,
        null=weaker.comparison,
        opening=weaker.way,
        p_usual=weaker.p_usual,
        p_shuffled=weaker.p_shuffled,
        passed=weaker.p_value <= params.alpha,
    )


@dataclass(frozen=True, slots=True)
class _Null:
    way: str
    expected: float
    p_value: float
    p_usual: float
    p_shuffled: float
    comparison: str
    baseline: int
    opened: int


def _null(
    idx: _Index,
    pair: tuple[str, str],
    shared: Sequence[str],
    followed: int,
    params: _Params,
    without: frozenset[str],
    way: str,
) -> _Null:
    """Step 3 with the titles' openings judged one ``way``."""
    leader, follower = pair
    leads = {key: idx.lag_hours(leader, key, pair, way) for key in shared}
    usual = _usual_delays(idx, follower, without, way)
    baseline = len(usual.get("", []))
    by_usual = [
        upper_share(*_hits(_pool(usual, _family(key)), lead, params.window))
        for key, (lead, _) in leads.items()
    ]
    p_usual = poisson_binomial_tail(by_usual, followed) if baseline >= params.min_baseline else 1.0
    by_shuffle = _shuffled(idx, follower, shared, leads, pair, params.window, way)
    p_shuffle = poisson_binomial_tail(by_shuffle, followed)
    shuffled = p_shuffle < p_usual
    return _Null(
        way=way,
        expected=math.fsum(by_shuffle if shuffled else by_usual),
        p_value=min(1.0, 2.0 * min(p_usual, p_shuffle)),
        p_usual=p_usual,
        p_shuffled=p_shuffle,
        comparison="shuffled" if shuffled else "usual",
        baseline=baseline,
        opened=sum(1 for _, independent in leads.values() if independent),
    )


def _pool(usual: Mapping[str, list[float]], family: str) -> list[float]:
    lags = usual.get(family, [])
    return lags if len(lags) >= _FAMILY_BASELINE else usual.get("", [])


def _hits(lags: Sequence[float], lead: float, window: float) -> tuple[int, int]:
    """How many of the sorted ``lags`` fall in (lead, lead + window], and of how many."""
    return bisect.bisect_right(lags, lead + window) - bisect.bisect_right(lags, lead), len(lags)


def _shuffled(
    idx: _Index,
    follower: str,
    shared: Sequence[str],
    leads: Mapping[str, tuple[float, bool]],
    pair: Collection[str],
    window: float,
    way: str,
) -> list[float]:
    """p_i when the follower's own delays on the other shared titles with an opening (same
    source family) are shuffled among them: 1.0 for titles without one."""
    by_family: dict[str, list[float]] = defaultdict(list)
    own: dict[str, float] = {}
    for key in shared:
        lag, independent = idx.lag_hours(follower, key, pair, way)
        if independent:
            own[key] = lag
            by_family[_family(key)].append(lag)
    for lags in by_family.values():
        lags.sort()
    probs: list[float] = []
    for key in shared:
        lead = leads[key][0]
        if key not in own:
            probs.append(1.0)
            continue
        hits, total = _hits(by_family[_family(key)], lead, window)
        if lead < own[key] <= lead + window:
            hits -= 1  # leave the title's own delay out
        probs.append(upper_share(hits, total - 1))
    return probs


def _candidates(idx: _Index, window_hours: float, min_follows: int) -> list[tuple[str, str]]:
    """Ordered pairs where the second came within the window after the first on at least
    ``min_follows`` titles."""
    window = window_hours * 3600.0
    by_key: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for group, keys in idx.times.items():
        for key, at in keys.items():
            by_key[key].append((at, group))
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for entries in by_key.values():
        if len(entries) < 2:
            continue
        entries.sort()
        for i, (t_lead, leader) in enumerate(entries):
            for t_follow, follower in entries[i + 1 :]:
                gap = (t_follow - t_lead).total_seconds()
                if gap > window:
                    break
                if gap > 0:
                    counts[(leader, follower)] += 1
    return sorted(pair for pair, n in counts.items() if n >= min_follows)


def follower_tests(
    copies: Mapping[str, Mapping[str, datetime]],
    openings: Mapping[str, datetime] | None = None,
    *,
    follow_hours: float = DEFAULT_FOLLOW_HOURS,
    min_follows: int = MIN_FOLLOWS,
    min_consistency: float = MIN_CONSISTENCY,
    min_order: float = MIN_ORDER,
    alpha: float = ALPHA,
    min_baseline: int = MIN_BASELINE,
    examples: int = 3,
    common_leaders: bool = True,
    keep_failed: bool = False,
) -> list[FollowTest]:
    """Every (leader, follower) pair that passes the test of the module text, strongest
    first; with ``keep_failed`` also the candidates that did not (``passed`` False).
    ``common_leaders=False`` skips step 4 (for comparison only)."""
    idx = _Index.build(copies, openings or {})
    params = _Params(
        follow_hours, min_follows, min_consistency, min_order, alpha, min_baseline, examples
    )
    pairs = _candidates(idx, follow_hours, min_follows)
    loose = replace(params, null_model=False)
    seems: dict[str, set[str]] = defaultdict(set)
    for leader, follower in pairs:
        if _test(idx, leader, follower, loose).passed:
            seems[follower].add(leader)
    tests = {(a, b): _test(idx, a, b, params, others=frozenset(seems[b] - {a})) for a, b in pairs}
    passed = {pair for pair, test in tests.items() if test.passed}
    final = dict(tests)
    found: dict[str, set[str]] = defaultdict(set)
    for leader, follower in passed:
        found[follower].add(leader)
    for b, c in sorted(passed) if common_leaders else ():
        common = found[b] & found[c]
        if common:
            final[(b, c)] = _test(
                idx,
                b,
                c,
                params,
                others=frozenset(seems[c] - {b} - common),
                set_aside=frozenset(common),
            )
    tested = sum(1 for t in tests.values() if not math.isnan(t.expected))
    tested += sum(
        1 for pair, t in final.items() if t is not tests[pair] and not math.isnan(t.expected)
    )
    out = [replace(t, tested=tested) for t in final.values() if t.passed or keep_failed]
    out.sort(key=lambda s: (not s.passed, -s.strength, -s.followed, s.leader, s.follower))
    return out
