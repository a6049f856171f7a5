"""Who releases a title first, and who follows whom: pure functions over release times.

A *title* is what two releases must share to be "the same thing released twice": the
matched work (or, unmatched, the parsed title and year) plus season and episode. Each group
counts once per title, at its earliest release of it (a group's 720p, 1080p and 2160p copies
of one film are one title).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "DEFAULT_FOLLOW_HOURS",
    "MIN_CONSISTENCY",
    "MIN_FOLLOWS",
    "FirstStats",
    "FollowStats",
    "earliest_by_title",
    "first_to_release",
    "follow_strength",
    "followers",
    "title_key",
]

DEFAULT_FOLLOW_HOURS = 48.0
MIN_FOLLOWS = 3
"""A follower link needs at least this many followed titles..."""
MIN_CONSISTENCY = 0.5
"""... and the follower must have come within the window after the leader on at least this
share of the titles both released. Groups that release the same popular titles follow each
other by chance on 5-30% of them; real re-encoders on 55-100%."""
_NON_WORD = re.compile(r"[^0-9a-z]+")

Earliest = Mapping[str, Mapping[str, datetime]]
"""title → group → the group's earliest release time of the title."""


def title_key(
    work_id: str | None,
    title: str | None,
    year: int | None,
    season: int | None,
    episode: int | None,
) -> str | None:
    """The title two releases must share to count as the same release; None when unknown."""
    if work_id:
        base = f"w:{work_id}"
    elif title:
        words = _NON_WORD.sub(" ", title.lower()).strip()
        if not words:
            return None
        base = f"t:{words}:{year or ''}"
    else:
        return None
    if season is not None or episode is not None:
        base += f":s{season if season is not None else ''}e{episode if episode is not None else ''}"
    return base


def earliest_by_title(
    events: Iterable[tuple[str, str, datetime]],
) -> dict[str, dict[str, datetime]]:
    """``(group, title, time)`` events to title → group → earliest time."""
    out: dict[str, dict[str, datetime]] = defaultdict(dict)
    for group, title, at in events:
        seen = out[title].get(group)
        if seen is None or at < seen:
            out[title][group] = at
    return dict(out)


@dataclass(frozen=True, slots=True)
class FirstStats:
    """How often a group is first to release a title others release too."""

    titles: int
    """Titles the group released."""
    contested: int
    """Of those, titles at least one other group released too."""
    first: int
    """Contested titles the group released before every other group."""
    margins_hours: tuple[float, ...]
    """For each title it was first on, the hours until the next group's release."""

    @property
    def rate(self) -> float | None:
        return self.first / self.contested if self.contested else None

    @property
    def median_margin_hours(self) -> float | None:
        return float(statistics.median(self.margins_hours)) if self.margins_hours else None


def first_to_release(earliest: Earliest, group: str) -> FirstStats:
    """:class:`FirstStats` of ``group`` (ties are not "first")."""
    titles = contested = first = 0
    margins: list[float] = []
    for by_group in earliest.values():
        mine = by_group.get(group)
        if mine is None:
            continue
        titles += 1
        others = [at for g, at in by_group.items() if g != group]
        if not others:
            continue
        contested += 1
        nearest = min(others)
        if mine < nearest:
            first += 1
            margins.append((nearest - mine).total_seconds() / 3600.0)
    return FirstStats(titles, contested, first, tuple(sorted(margins)))


@dataclass(frozen=True, slots=True)
class FollowStats:
    """How ``follower`` follows ``leader``: counts and delays over their titles."""

    leader: str
    follower: str
    leader_titles: int
    """Titles the leader released."""
    shared: int
    """Titles both released."""
    followed: int
    """Shared titles the follower released within the window after the leader."""
    delays_hours: tuple[float, ...]
    """Hours after the leader, for each followed title (sorted)."""
    examples: tuple[str, ...] = ()
    """A few followed titles (keys), for the evidence."""

    @property
    def coverage(self) -> float:
        return self.followed / self.leader_titles if self.leader_titles else 0.0

    @property
    def consistency(self) -> float:
        return self.followed / self.shared if self.shared else 0.0

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


def followers(
    earliest: Earliest,
    *,
    follow_hours: float = DEFAULT_FOLLOW_HOURS,
    min_follows: int = MIN_FOLLOWS,
    min_consistency: float = MIN_CONSISTENCY,
    examples: int = 3,
) -> list[FollowStats]:
    """Every (leader, follower) pair where the follower released at least ``min_follows``
    of the leader's titles within ``follow_hours`` after it, and did so on at least
    ``min_consistency`` of the titles both released; strongest first."""
    window = follow_hours * 3600.0
    titles_of: dict[str, int] = defaultdict(int)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    delays: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for title, by_group in earliest.items():
        for group in by_group:
            titles_of[group] += 1
        if len(by_group) < 2:
            continue
        ordered = sorted(by_group.items(), key=lambda kv: (kv[1], kv[0]))
        for i, (leader, t_lead) in enumerate(ordered):
            for follower, _ in ordered:
                if follower == leader:
                    continue
                shared[(leader, follower)] += 1
            for follower, t_follow in ordered[i + 1 :]:
                gap = (t_follow - t_lead).total_seconds()
                if gap <= 0:
                    continue
                if gap > window:
                    break
                delays[(leader, follower)].append((gap / 3600.0, title))
    out: list[FollowStats] = []
    for (leader, follower), found in delays.items():
        if len(found) < min_follows:
            continue
        if len(found) < min_consistency * shared[(leader, follower)]:
            continue
        found.sort()
        out.append(
            FollowStats(
                leader=leader,
                follower=follower,
                leader_titles=titles_of[leader],
                shared=shared[(leader, follower)],
                followed=len(found),
                delays_hours=tuple(d for d, _ in found),
                examples=tuple(t for _, t in found[:examples]),
            )
        )
    out.sort(key=lambda s: (-s.strength, -s.followed, s.leader, s.follower))
    return out
