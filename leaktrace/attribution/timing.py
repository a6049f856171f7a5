"""Who releases a title first: pure functions over release times (who *follows* whom is
:mod:`leaktrace.attribution.following`).

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
    "FirstStats",
    "earliest_by_title",
    "first_to_release",
    "first_to_release_all",
    "title_key",
]

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


def first_to_release_all(earliest: Earliest) -> dict[str, FirstStats]:
    """:func:`first_to_release` of every group in ``earliest``, in one pass over the titles
    (the same figures as asking group by group, without a pass per group)."""
    titles: dict[str, int] = defaultdict(int)
    contested: dict[str, int] = defaultdict(int)
    first: dict[str, int] = defaultdict(int)
    margins: dict[str, list[float]] = defaultdict(list)
    for by_group in earliest.values():
        for group in by_group:
            titles[group] += 1
        if len(by_group) < 2:
            continue
        ordered = sorted(by_group.values())
        soonest, runner_up = ordered[0], ordered[1]
        for group, at in by_group.items():
            contested[group] += 1
            if at == soonest and runner_up > soonest:
                first[group] += 1
                margins[group].append((runner_up - at).total_seconds() / 3600.0)
    return {
        group: FirstStats(count, contested[group], first[group], tuple(sorted(margins[group])))
        for group, count in titles.items()
    }
