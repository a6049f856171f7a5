"""Group profiles and the "renamed group" test: pure functions, no database.

A profile is a group's habits as distributions: sources, resolutions, codecs, kinds of
release, the hour of day (UTC) it releases, and its lead-time pattern (how early before the
window its matched releases come out). Two groups look like one group renamed when the second
starts releasing about when the first stops (little or no overlap), and their habits match.
This is deliberately conservative: both need enough releases, a short gap and a high
similarity, and each old group is linked to at most its single best successor (and each new
one to its best predecessor).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

__all__ = [
    "LEAD_BUCKETS",
    "PROFILE_WEIGHTS",
    "RENAME_MAX_GAP_DAYS",
    "RENAME_MAX_OVERLAP",
    "RENAME_MIN_RELEASES",
    "RENAME_MIN_SIMILARITY",
    "GroupProfile",
    "ProfileRelease",
    "RenameCandidate",
    "build_profile",
    "cosine",
    "gap_factor",
    "profile_similarity",
    "rename_candidates",
]

RENAME_MIN_RELEASES = 8
RENAME_MIN_SIMILARITY = 0.85
RENAME_MAX_GAP_DAYS = 120.0
RENAME_MAX_OVERLAP = 0.10
"""At most this share of either group's releases may fall inside the other's active span."""

PROFILE_WEIGHTS: dict[str, float] = {
    "sources": 0.25,
    "resolutions": 0.10,
    "codecs": 0.10,
    "kinds": 0.10,
    "hours": 0.25,
    "leads": 0.20,
}
LEAD_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1d", 1.0),
    ("1-3d", 3.0),
    ("3-7d", 7.0),
    ("7-14d", 14.0),
    ("14-30d", 30.0),
    (">30d", math.inf),
)


@dataclass(frozen=True, slots=True)
class ProfileRelease:
    """What a profile needs of one release."""

    released_at: datetime
    source: str | None = None
    resolution: str | None = None
    codec: str | None = None
    kind: str | None = None
    matched: bool = False
    lead_days: float | None = None
    """Days before the window for a leak; None when not a leak."""


@dataclass(frozen=True, slots=True)
class GroupProfile:
    group: str
    releases: int
    first: datetime
    last: datetime
    times: tuple[datetime, ...]
    dims: dict[str, Counter[str]] = field(default_factory=dict)

    def top(self, dim: str, n: int = 2) -> list[tuple[str, float]]:
        """The ``n`` most common values of a dimension with their shares."""
        counts = self.dims.get(dim, Counter())
        total = sum(counts.values()) or 1
        return [(k, v / total) for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][
            :n
        ]


def _lead_bucket(lead: float | None, matched: bool) -> str | None:
    if not matched:
        return None
    if lead is None:
        return "in window"
    for name, upper in LEAD_BUCKETS:
        if lead < upper:
            return name
    return LEAD_BUCKETS[-1][0]


def build_profile(group: str, releases: Sequence[ProfileRelease]) -> GroupProfile:
    """The profile of one group's releases (at least one)."""
    times = tuple(sorted(r.released_at for r in releases))
    dims: dict[str, Counter[str]] = {name: Counter() for name in PROFILE_WEIGHTS}
    for r in releases:
        dims["sources"][r.source or "?"] += 1
        dims["resolutions"][r.resolution or "?"] += 1
        dims["codecs"][r.codec or "?"] += 1
        dims["kinds"][r.kind or "?"] += 1
        hour = r.released_at.hour
        # spread each release over its hour and the two next to it: 01:55 and 02:05 match
        dims["hours"][f"{hour:02d}"] += 2
        dims["hours"][f"{(hour - 1) % 24:02d}"] += 1
        dims["hours"][f"{(hour + 1) % 24:02d}"] += 1
        bucket = _lead_bucket(r.lead_days, r.matched)
        if bucket is not None:
            dims["leads"][bucket] += 1
    return GroupProfile(group, len(releases), times[0], times[-1], times, dims)


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Cosine similarity of two count vectors (0.0 if either is empty)."""
    dot = sum(v * b.get(k, 0.0) for k, v in a.items())
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb) if na and nb else 0.0


def profile_similarity(a: GroupProfile, b: GroupProfile) -> tuple[float, dict[str, float]]:
    """Weighted mean of the per-dimension cosine similarities (dimensions either group
    lacks data for are left out), and the per-dimension values."""
    parts: dict[str, float] = {}
    for dim in PROFILE_WEIGHTS:
        ca, cb = a.dims.get(dim, Counter()), b.dims.get(dim, Counter())
        if not ca or not cb:
            continue
        parts[dim] = cosine(
            {k: float(v) for k, v in ca.items()}, {k: float(v) for k, v in cb.items()}
        )
    weight = sum(PROFILE_WEIGHTS[d] for d in parts)
    if not weight:
        return 0.0, parts
    return sum(PROFILE_WEIGHTS[d] * v for d, v in parts.items()) / weight, parts


def gap_factor(gap_days: float, max_gap_days: float = RENAME_MAX_GAP_DAYS) -> float:
    """1.0 for a handover within 30 days (or a small overlap), falling linearly to 0.5 at
    ``max_gap_days``; 0.0 beyond."""
    if gap_days > max_gap_days:
        return 0.0
    if gap_days <= 30.0:
        return 1.0
    return 1.0 - 0.5 * (gap_days - 30.0) / max(max_gap_days - 30.0, 1e-9)


def _share_inside(times: Sequence[datetime], start: datetime, end: datetime) -> float:
    """The share of ``times`` (sorted, as :attr:`GroupProfile.times` is) in
    ``[start, end]``: two binary searches."""
    if not times or end < start:
        return 0.0
    inside = bisect.bisect_right(times, end) - bisect.bisect_left(times, start)
    return inside / len(times)


@dataclass(frozen=True, slots=True)
class RenameCandidate:
    old: str
    new: str
    similarity: float
    parts: dict[str, float]
    gap_days: float
    overlap: float
    strength: float


def rename_candidates(
    profiles: Iterable[GroupProfile],
    *,
    min_releases: int = RENAME_MIN_RELEASES,
    min_similarity: float = RENAME_MIN_SIMILARITY,
    max_gap_days: float = RENAME_MAX_GAP_DAYS,
    max_overlap: float = RENAME_MAX_OVERLAP,
) -> list[RenameCandidate]:
    """Old → new group pairs that look like one group renamed (see the module text)."""
    usable = sorted(
        (p for p in profiles if p.releases >= min_releases), key=lambda p: (p.first, p.group)
    )
    firsts = [p.first for p in usable]
    found: list[RenameCandidate] = []
    for old in usable:
        # a successor starts after ``old`` did and no later than ``max_gap_days`` after it
        # stopped: only that slice of the list (sorted by first release) can qualify
        start = bisect.bisect_right(firsts, old.first)
        stop = _after(firsts, old.last, max_gap_days)
        for new in usable[start:stop]:
            if new.group == old.group or new.first <= old.first or new.last <= old.last:
                continue
            cand = _candidate(old, new, min_similarity, max_gap_days, max_overlap)
            if cand is not None:
                found.append(cand)
    found.sort(key=lambda c: (-c.strength, c.old, c.new))
    best_new: dict[str, RenameCandidate] = {}
    best_old: dict[str, RenameCandidate] = {}
    for cand in found:
        best_new.setdefault(cand.old, cand)
        best_old.setdefault(cand.new, cand)
    return [c for c in found if best_new[c.old] is c and best_old[c.new] is c]


def _after(firsts: Sequence[datetime], last: datetime, max_gap_days: float) -> int:
    """The index just past the last of ``firsts`` (sorted) that is at most ``max_gap_days``
    after ``last``, with a day to spare (the exact test is made on each pair)."""
    try:
        limit = last + timedelta(days=max_gap_days + 1.0)
    except (OverflowError, ValueError):
        return len(firsts)
    return bisect.bisect_right(firsts, limit)


def _candidate(
    old: GroupProfile,
    new: GroupProfile,
    min_similarity: float,
    max_gap_days: float,
    max_overlap: float,
) -> RenameCandidate | None:
    """``old`` → ``new`` when it passes the gap, overlap and similarity tests."""
    gap = (new.first - old.last).total_seconds() / 86400.0
    if gap > max_gap_days:
        return None
    overlap = max(
        _share_inside(old.times, new.first, new.last),
        _share_inside(new.times, old.first, old.last),
    )
    if overlap > max_overlap:
        return None
    similarity, parts = profile_similarity(old, new)
    if similarity < min_similarity:
        return None
    strength = round(similarity * gap_factor(max(gap, 0.0), max_gap_days), 4)
    return RenameCandidate(
        old.group, new.group, round(similarity, 4), parts, gap, overlap, strength
    )
