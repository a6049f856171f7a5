"""The follower test: racing groups are not followers, copies are, and a common leader does
not link its followers to each other."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.attribution import GroupData, LinkKind, LinkSettings, compute_links, following
from leaktrace.attribution.simulation import ROLES, build_world

START = datetime(2030, 1, 1, tzinfo=UTC)


class World:
    """Titles with a catalogue opening each (one a week) and groups' release times."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.copies: dict[str, dict[str, datetime]] = {}
        self.openings: dict[str, datetime] = {}

    def opening(self, n: int) -> datetime:
        key = f"w:t{n}|disc"
        self.openings[key] = START + timedelta(days=7 * n)
        self.copies.setdefault(key, {})
        return self.openings[key]

    def add(self, group: str, n: int, at: datetime) -> None:
        self.opening(n)
        self.copies[f"w:t{n}|disc"][group] = at

    def hours(self, low: float, high: float) -> timedelta:
        return timedelta(hours=self.rng.uniform(low, high))

    def leader(self, group: str, titles: range) -> None:
        """Leaks 1-21 days before the opening."""
        for n in titles:
            self.add(group, n, self.opening(n) - self.hours(24, 21 * 24))

    def copier(self, group: str, leader: str, titles: range, low: float, high: float) -> None:
        for n in titles:
            at = self.copies[f"w:t{n}|disc"].get(leader)
            if at is not None:
                self.add(group, n, at + self.hours(low, high))

    def ordinary(self, group: str, titles: range) -> None:
        """Rips 0.5-40 days after the opening."""
        for n in titles:
            self.add(group, n, self.opening(n) + self.hours(12, 40 * 24))

    def links(self, **options: object) -> set[tuple[str, str]]:
        tests = following.follower_tests(self.copies, self.openings, **options)  # type: ignore[arg-type]
        return {(t.leader, t.follower) for t in tests}


# ----------------------------------------------------------------- the statistics


def test_poisson_binomial_tail_is_exact() -> None:
    rng = random.Random(3)
    for _ in range(200):
        probs = [rng.random() for _ in range(rng.randint(1, 8))]
        k = rng.randint(0, len(probs) + 1)
        brute = sum(
            math.prod(p if bit else 1 - p for p, bit in zip(probs, bits, strict=True))
            for bits in product((0, 1), repeat=len(probs))
            if sum(bits) >= k
        )
        assert following.poisson_binomial_tail(probs, k) == pytest.approx(brute, abs=1e-12)
    # tiny tails keep their digits (no 1 - x)
    assert following.poisson_binomial_tail([0.01] * 20, 20) == pytest.approx(1e-40, rel=1e-9)


@given(st.lists(st.floats(0.0, 1.0), min_size=1, max_size=60), st.integers(1, 60))
def test_chernoff_bound_is_never_below_the_exact_tail(probs: list[float], k: int) -> None:
    exact = following.poisson_binomial_tail(probs, k)
    assert following._chernoff(probs, k) >= exact - 1e-12


def test_sign_test_and_upper_share() -> None:
    assert following.sign_test(10, 0) == pytest.approx(1 / 1024)
    assert following.sign_test(5, 5) == pytest.approx(638 / 1024)
    assert following.sign_test(0, 0) == 1.0
    assert following.sign_test(1000, 1000) == pytest.approx(0.5089, abs=1e-4)  # no overflow
    # large inputs take the Chernoff bound: above the exact value, still tiny
    big = following.poisson_binomial_tail([0.5] * 2000, 1300)
    assert 1e-45 < big < 1e-35  # exp(-2000 KL(0.65 || 0.5)) = 3e-40
    assert following.poisson_binomial_tail([0.5] * 2000, 900) == 1.0  # below the mean
    assert following.upper_share(0, 0) == 1.0
    few, many = following.upper_share(2, 10), following.upper_share(20, 100)
    assert 0.2 < many < few < 1.0  # the same share measured on fewer titles is taken higher
    assert following.upper_share(10, 10) == 1.0


# ----------------------------------------------------------------- racing and following


def test_racing_groups_are_not_followers() -> None:
    """Four groups within hours of every opening, one of them always a few hours later."""
    w = World()
    for n in range(40):
        for group, (low, high) in {
            "fast1": (0, 6),
            "fast2": (0, 6),
            "fast3": (0, 6),
            "slow": (2, 10),
        }.items():
            if w.rng.random() < 0.8:
                w.add(group, n, w.opening(n) + w.hours(low, high))
    # the previous rule (steps 1 only) links them
    naive = w.links(alpha=1.0, min_order=0.0, min_baseline=0, common_leaders=False)
    assert len(naive) >= 4 and ("fast1", "slow") in naive
    assert w.links() == set()
    tests = following.follower_tests(w.copies, w.openings, keep_failed=True)
    slow = next(t for t in tests if t.follower == "slow" and t.leader == "fast1")
    assert slow.order_share > 0.75  # a consistent order alone is not enough
    assert slow.p_value > 0.01 and slow.expected > 0.8 * slow.followed


def test_racing_groups_with_wrong_catalogue_dates_are_not_followers() -> None:
    """A third of the dates are another region's (1-4 days off): every racer's delay moves
    at once, which the first release by a third group does not."""
    w = World(2)
    groups = {"fast1": (0, 6), "fast2": (0, 6), "fast3": (0, 6), "slow": (2, 10)}
    for n in range(60):
        for group, (low, high) in groups.items():
            if w.rng.random() < 0.8:
                w.add(group, n, w.opening(n) + w.hours(low, high))
        if n % 3 == 0:
            w.openings[f"w:t{n}|disc"] += timedelta(
                days=w.rng.choice((-1, 1)) * w.rng.uniform(1, 4)
            )
    assert w.links() == set()
    # dated by the catalogue alone, the slow racer would look tied to the fast ones
    idx = following._Index.build(w.copies, w.openings)
    params = following._Params(48.0, 3, 0.5, 0.75, 0.001, 5, 3)
    shared = sorted(k for k in idx.times["fast1"] if k in idx.times["slow"])
    gaps = [(idx.times["slow"][k] - idx.times["fast1"][k]).total_seconds() for k in shared]
    followed = sum(1 for gap in gaps if 0 < gap <= 48 * 3600)
    by_way = {
        way: following._null(
            idx, ("fast1", "slow"), shared, followed, params, frozenset({"fast1"}), way
        ).p_value
        for way in following.OPENINGS
    }
    assert by_way[following.CATALOGUE] < 0.01 < 0.5 < by_way[following.OTHERS]


def test_a_copier_follows_a_leaker() -> None:
    w = World()
    w.leader("leak", range(0, 60, 2))
    w.copier("copy", "leak", range(0, 60, 2), 2, 8)
    w.ordinary("copy", range(1, 60, 2))
    w.ordinary("retail", range(60))
    assert w.links() == {("leak", "copy")}
    (test,) = following.follower_tests(w.copies, w.openings)
    assert (test.followed, test.shared, test.before) == (30, 30, 0)
    assert test.p_value < 1e-10 and test.expected < 10 and test.baseline >= 15
    # without any other titles of the copier the shuffled comparison still works: the
    # leaks' leads vary, and the copies move with them
    bare = World()
    bare.leader("leak", range(30))
    bare.copier("copy", "leak", range(30), 2, 8)
    (only,) = following.follower_tests(bare.copies, bare.openings)
    assert only.null == "shuffled" and only.baseline == 0


def test_a_copier_without_window_dates_needs_a_usual_pace() -> None:
    """Without catalogue dates a title opens at its first release: a group that only
    copies one other group cannot be told from a slower racer."""
    w = World()
    w.leader("leak", range(20))
    w.copier("copy", "leak", range(20), 2, 8)
    undated = {k: v for k, v in w.copies.items()}
    assert following.follower_tests(undated, {}) == []
    # its other releases, days after other groups' first releases, give the usual pace
    for n in range(20, 35):
        w.add("other", n, w.opening(n))
        w.add("copy", n, w.opening(n) + w.hours(5 * 24, 20 * 24))
    (test,) = following.follower_tests(w.copies, {})
    assert (test.leader, test.follower, test.null) == ("leak", "copy", "usual")
    assert test.baseline == 15 and test.dated == 0


# ----------------------------------------------------------------- common leaders


def _siblings(seed: int) -> World:
    """``fast`` and ``slow`` both copy ``leak``; each rips other titles of its own."""
    w = World(seed)
    w.leader("leak", range(0, 90, 3))
    w.copier("fast", "leak", range(0, 90, 3), 2, 6)
    w.copier("slow", "leak", range(0, 90, 3), 10, 30)
    w.ordinary("fast", range(1, 90, 3))
    w.ordinary("slow", range(2, 90, 3))
    return w


def test_two_followers_of_one_leader_are_not_linked() -> None:
    w = _siblings(5)
    assert w.links() == {("leak", "fast"), ("leak", "slow")}
    # it is step 4 that removes fast → slow
    assert ("fast", "slow") in w.links(common_leaders=False)
    tests = following.follower_tests(w.copies, w.openings, keep_failed=True)
    sibling = next(t for t in tests if (t.leader, t.follower) == ("fast", "slow"))
    assert sibling.set_aside == ("leak",) and not sibling.passed


def test_a_real_chain_on_titles_the_leader_did_not_release_is_kept() -> None:
    w = _siblings(6)
    # fast also leaks titles of its own, and slow copies those too
    w.leader("fast", range(100, 130))
    w.copier("slow", "fast", range(100, 130), 10, 30)
    assert w.links() == {("leak", "fast"), ("leak", "slow"), ("fast", "slow")}
    (chain,) = [
        t
        for t in following.follower_tests(w.copies, w.openings)
        if (t.leader, t.follower) == ("fast", "slow")
    ]
    assert chain.set_aside == ("leak",) and chain.shared == 30


# ----------------------------------------------------------------- the simulated world


def test_simulated_world_true_links_only() -> None:
    world = build_world(0)
    data = GroupData.build(world.releases)
    kinds = frozenset({LinkKind.FOLLOWER, LinkKind.RENAMED})
    links = compute_links(data, settings=LinkSettings(kinds=kinds))
    assert {(k.kind, k.source, k.target) for k in links} == world.true_links
    assert {ROLES[k.source] for k in links} == {"leader"}
    follower = next(k for k in links if k.kind is LinkKind.FOLLOWER)
    for words in ("within 48 h after", "Racing to the same window opening", "chance of"):
        assert words in follower.evidence
    assert follower.details["p_value"] < 1e-3 and follower.details["set_aside"] == []
    # a prosecutor reads no more into the chance than it says: not the chance of
    # innocence, and one of how many tests
    tested = follower.details["pairs_tested"]
    candidates = following.follower_tests(data.copies, data.openings, keep_failed=True)
    assert tested >= sum(1 for t in candidates if not math.isnan(t.expected)) > len(links)
    assert "is not the chance that they are unconnected" in follower.evidence
    assert f"{tested:,} pairs of groups were put to this test" in follower.evidence
    assert f"about {tested * 0.001:.2g} false links would be expected" in follower.evidence


def test_evidence_names_the_common_leader() -> None:
    w = _siblings(6)
    w.leader("fast", range(100, 130))
    w.copier("slow", "fast", range(100, 130), 10, 30)
    releases = []
    data = GroupData.build(releases)
    data.copies = w.copies
    data.openings = w.openings
    links = compute_links(data, settings=LinkSettings(kinds=frozenset({LinkKind.FOLLOWER})))
    chain = next(k for k in links if (k.source, k.target) == ("fast", "slow"))
    assert chain.evidence.startswith("On the titles leak did not release (both follow leak)")
    assert chain.details["set_aside"] == ["leak"]
