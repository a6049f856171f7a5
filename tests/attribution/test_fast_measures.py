"""The faster forms of the measures give exactly what the plain ones gave: the rename test
(binary searches over sorted release times, only successors that start in time) and the
first-to-release figures of every group in one pass. The plain forms are kept here as the
reference, and random inputs compared."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.attribution import profile, timing
from leaktrace.attribution.profile import GroupProfile, RenameCandidate

_BASE = datetime(2020, 1, 1, tzinfo=UTC)


def _share_inside_plain(times: Sequence[datetime], start: datetime, end: datetime) -> float:
    inside = sum(1 for t in times if start <= t <= end)
    return inside / len(times) if times else 0.0


def _rename_plain(
    profiles: Sequence[GroupProfile],
    *,
    min_releases: int = profile.RENAME_MIN_RELEASES,
    min_similarity: float = profile.RENAME_MIN_SIMILARITY,
    max_gap_days: float = profile.RENAME_MAX_GAP_DAYS,
    max_overlap: float = profile.RENAME_MAX_OVERLAP,
) -> list[RenameCandidate]:
    """rename_candidates as it was: every ordered pair, linear scans."""
    usable = sorted(
        (p for p in profiles if p.releases >= min_releases), key=lambda p: (p.first, p.group)
    )
    found: list[RenameCandidate] = []
    for old in usable:
        for new in usable:
            if new.group == old.group or new.first <= old.first or new.last <= old.last:
                continue
            gap = (new.first - old.last).total_seconds() / 86400.0
            if gap > max_gap_days:
                continue
            overlap = max(
                _share_inside_plain(old.times, new.first, new.last),
                _share_inside_plain(new.times, old.first, old.last),
            )
            if overlap > max_overlap:
                continue
            similarity, parts = profile.profile_similarity(old, new)
            if similarity < min_similarity:
                continue
            strength = round(similarity * profile.gap_factor(max(gap, 0.0), max_gap_days), 4)
            found.append(
                RenameCandidate(
                    old.group, new.group, round(similarity, 4), parts, gap, overlap, strength
                )
            )
    found.sort(key=lambda c: (-c.strength, c.old, c.new))
    best_new: dict[str, RenameCandidate] = {}
    best_old: dict[str, RenameCandidate] = {}
    for cand in found:
        best_new.setdefault(cand.old, cand)
        best_old.setdefault(cand.new, cand)
    return [c for c in found if best_new[c.old] is c and best_old[c.new] is c]


def _first_plain(earliest: timing.Earliest) -> dict[str, timing.FirstStats]:
    groups = {g for by_group in earliest.values() for g in by_group}
    return {g: timing.first_to_release(earliest, g) for g in groups}


_hours = st.integers(min_value=0, max_value=24 * 400)
_times = st.lists(_hours, min_size=1, max_size=30).map(
    lambda hs: tuple(sorted(_BASE + timedelta(hours=h) for h in hs))
)


@st.composite
def _profiles(draw: st.DrawFn) -> list[GroupProfile]:
    out = []
    for i in range(draw(st.integers(min_value=0, max_value=9))):
        times = draw(_times)
        sources = draw(st.lists(st.sampled_from(["bluray", "web-dl", "cam"]), min_size=1))
        hours = draw(st.lists(st.sampled_from(["02", "03", "20"]), min_size=1, max_size=4))
        dims = {"sources": Counter(sources), "hours": Counter(hours)}
        out.append(GroupProfile(f"g{i}", len(times), times[0], times[-1], times, dims))
    return out


@settings(max_examples=300, deadline=None)
@given(_times, _hours, _hours)
def test_share_inside_is_the_linear_count(times: tuple[datetime, ...], a: int, b: int) -> None:
    start, end = _BASE + timedelta(hours=a), _BASE + timedelta(hours=b)
    assert profile._share_inside(times, start, end) == _share_inside_plain(times, start, end)
    assert profile._share_inside((), start, end) == 0.0


@settings(max_examples=300, deadline=None)
@given(
    _profiles(),
    st.integers(min_value=1, max_value=12),
    st.sampled_from([0.0, 0.5, 0.85, 1.0]),
    st.sampled_from([0.0, 1.0, 30.0, 120.0, 10_000.0, 1e12, float("inf")]),
    st.sampled_from([0.0, 0.1, 0.5, 1.0]),
)
def test_rename_candidates_are_the_plain_ones(
    profiles: list[GroupProfile],
    min_releases: int,
    min_similarity: float,
    max_gap_days: float,
    max_overlap: float,
) -> None:
    fast = profile.rename_candidates(
        profiles,
        min_releases=min_releases,
        min_similarity=min_similarity,
        max_gap_days=max_gap_days,
        max_overlap=max_overlap,
    )
    plain = _rename_plain(
        profiles,
        min_releases=min_releases,
        min_similarity=min_similarity,
        max_gap_days=max_gap_days,
        max_overlap=max_overlap,
    )
    assert fast == plain


_earliest = st.dictionaries(
    st.sampled_from([f"t{i}" for i in range(8)]),
    st.dictionaries(
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(min_value=0, max_value=6).map(lambda h: _BASE + timedelta(hours=h)),
        min_size=1,
    ),
)


@settings(max_examples=300, deadline=None)
@given(_earliest)
def test_first_to_release_of_all_groups_at_once(
    earliest: dict[str, dict[str, datetime]],
) -> None:
    assert timing.first_to_release_all(earliest) == _first_plain(earliest)
