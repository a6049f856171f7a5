"""Shared state and small helpers of the release-name parser."""

from __future__ import annotations

from datetime import date
from typing import Final

__all__ = [
    "YEAR_MAX",
    "YEAR_MIN",
    "Out",
    "add_int",
    "add_unique",
    "extend",
    "is_year",
    "valid_date",
]

YEAR_MIN: Final = 1900
YEAR_MAX: Final = 2039


class Out:
    """Mutable parse result of one path component."""

    __slots__ = (
        "title",
        "aliases",
        "year",
        "year_range",
        "pack",
        "seasons",
        "episodes",
        "absolute",
        "air_date",
        "episode_title",
        "resolution",
        "sources",
        "uhd",
        "codec",
        "audio",
        "languages",
        "subtitles",
        "tags",
        "editions",
        "service",
        "country",
        "container",
        "group",
        "website",
        "extras",
    )

    def __init__(self) -> None:
        self.title: str | None = None
        self.aliases: list[str] = []
        self.year: int | None = None
        self.year_range: tuple[int, int] | None = None
        self.pack = False
        self.seasons: list[int] = []
        self.episodes: list[int] = []
        self.absolute: list[int] = []
        self.air_date: date | None = None
        self.episode_title: str | None = None
        self.resolution: str | None = None
        self.sources: list[str] = []
        self.uhd = False
        self.codec: str | None = None
        self.audio: list[str] = []
        self.languages: list[str] = []
        self.subtitles: list[str] = []
        self.tags: list[str] = []
        self.editions: list[str] = []
        self.service: str | None = None
        self.country: str | None = None
        self.container: str | None = None
        self.group: str | None = None
        self.website: str | None = None
        self.extras: dict[str, str] = {}


def add_unique(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def is_year(low: str) -> bool:
    return len(low) == 4 and low.isdecimal() and YEAR_MIN <= int(low) <= YEAR_MAX


def valid_date(y: int, m: int, d: int) -> date | None:
    if 1 <= m <= 12 and 1 <= d <= 31 and YEAR_MIN <= y <= YEAR_MAX:
        try:
            return date(y, m, d)
        except ValueError:
            return None
    return None


def add_int(items: list[int], value: int) -> None:
    if value not in items:
        items.append(value)


def extend(items: list[int], value: int, as_range: bool) -> None:
    """Append value; with as_range, first fill the numbers between the last item and it."""
    if as_range and items and items[-1] < value <= items[-1] + 60:
        for v in range(items[-1] + 1, value + 1):
            if v not in items:
                items.append(v)
    elif value not in items:
        items.append(value)
