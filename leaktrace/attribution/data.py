"""The releases of every named group, read once and indexed for dossiers and links."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy.engine import Connection

from leaktrace.attribution.timing import earliest_by_title, title_key
from leaktrace.store.groups import ReleaseRecord, load_group_releases

__all__ = [
    "GroupData",
    "load_group_data",
    "release_title",
    "window_opening",
    "source_family",
    "title_label",
    "work_label",
]


def work_label(
    title: str | None, year: int | None, kind: str | None = None, season: int | None = None
) -> str:
    """``Title (2021)`` or ``Title S04 (2019)``."""
    text = title or "?"
    if kind == "season" and season is not None:
        text = f"{text} S{season:02d}"
    if year is not None:
        text = f"{text} ({year})"
    return text


def title_label(r: ReleaseRecord) -> str:
    """A readable name for the title a release is of."""
    if r.work_id:
        text = work_label(r.work_title, r.work_year)
    else:
        text = work_label(r.title, r.year)
    if r.season is not None and r.episode is not None:
        text += f" S{r.season:02d}E{r.episode:02d}"
    elif r.season is not None:
        text += f" S{r.season:02d}"
    elif r.episode is not None:
        text += f" E{r.episode:02d}"
    return text


def release_title(r: ReleaseRecord) -> str | None:
    """The title key of a release (see :func:`leaktrace.attribution.timing.title_key`)."""
    if r.work_id:
        return title_key(r.work_id, None, None, r.season, r.episode)
    return title_key(None, r.title, r.year, r.season, r.episode)


@dataclass(slots=True)
class GroupData:
    """Releases by group key, the groups' display names and spelling variants, and each
    group's earliest release of every title."""

    releases: list[ReleaseRecord]
    by_group: dict[str, list[ReleaseRecord]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    earliest: dict[str, dict[str, datetime]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    """Title key → a readable label (the work, or title and year, with SxxEyy)."""
    copies: dict[str, dict[str, datetime]] = field(default_factory=dict)
    """Like ``earliest``, per title *and source family* (disc, web, capture, tv …): a
    re-encode follows a release of the same kind, so followers are measured on these."""
    openings: dict[str, datetime] = field(default_factory=dict)
    """Copy key (title and source family, as in ``copies``) → the opening of the window
    that kind of copy comes out in, from the catalogue (physical date for disc copies,
    digital for web, theatrical for captures, broadcast for TV); only where known."""

    @classmethod
    def build(cls, releases: Sequence[ReleaseRecord]) -> GroupData:
        data = cls(list(releases))
        grouped: dict[str, list[ReleaseRecord]] = defaultdict(list)
        spellings: dict[str, Counter[str]] = defaultdict(Counter)
        events: list[tuple[str, str, datetime]] = []
        copies: list[tuple[str, str, datetime]] = []
        for r in data.releases:
            grouped[r.group_key].append(r)
            spellings[r.group_key][r.group_name] += 1
            title = release_title(r)
            if title is not None:
                events.append((r.group_key, title, r.released_at))
                family = f"{title}|{source_family(r.source)}"
                copies.append((r.group_key, family, r.released_at))
                opening = window_opening(r)
                if opening is not None:
                    data.openings.setdefault(family, opening)
                if title not in data.titles:
                    data.titles[title] = title_label(r)
                    data.titles.setdefault(family, data.titles[title])
                data.titles.setdefault(family, title_label(r))
        data.by_group = dict(grouped)
        for key, counts in spellings.items():
            ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            data.variants[key] = tuple(name for name, _ in ordered)
            data.names[key] = ordered[0][0]
        data.earliest = earliest_by_title(events)
        data.copies = earliest_by_title(copies)
        return data

    def name(self, key: str) -> str:
        return self.names.get(key, key)


_FAMILIES = {
    "cam": "capture",
    "telesync": "capture",
    "telecine": "capture",
    "workprint": "pre-release",
    "screener": "pre-release",
    "hdrip": "web",
    "web-dl": "web",
    "webrip": "web",
    "ppv": "web",
    "hdtv": "tv",
    "r5": "disc",
    "dvd": "disc",
    "dvdrip": "disc",
    "hddvd": "disc",
    "bdrip": "disc",
    "bluray": "disc",
    "remux": "disc",
    "uhd-bluray": "disc",
    "vhs": "disc",
}


def source_family(source: str | None) -> str:
    """The kind of copy a source gives: disc, web, capture, tv, pre-release or other."""
    return _FAMILIES.get(source or "", "other")


_WINDOW_OF_FAMILY = {
    "disc": "physical",
    "web": "digital",
    "capture": "theatrical",
    "tv": "broadcast",
}


def window_opening(r: ReleaseRecord) -> datetime | None:
    """When the window this kind of copy comes out in opened (00:00 UTC of the catalogue
    date), or None: no matched work, no such date, a kind of copy without a window
    (pre-release, other), or one episode (the catalogue dates a season, not its episodes)."""
    if not r.work_id or r.episode is not None:
        return None
    window = _WINDOW_OF_FAMILY.get(source_family(r.source))
    day: date | None = None
    if window == "physical":
        day = r.work_physical
    elif window == "digital":
        day = r.work_digital
    elif window == "theatrical":
        day = r.work_theatrical
    elif window == "broadcast":
        day = r.work_broadcast
    return None if day is None else datetime.combine(day, time(), tzinfo=UTC)


def load_group_data(conn: Connection) -> GroupData:
    """Read every release that names a group."""
    return GroupData.build(load_group_releases(conn))
