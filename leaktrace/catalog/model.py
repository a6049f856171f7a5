"""Protected works and their release windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

__all__ = ["Window", "Work", "WorkKind"]

WorkKind = Literal["movie", "season"]


class Window(StrEnum):
    """The release windows a work goes through, in the usual order."""

    THEATRICAL = "theatrical"
    DIGITAL = "digital"
    PHYSICAL = "physical"
    BROADCAST = "broadcast"


@dataclass(frozen=True, slots=True)
class Work:
    """A film, or one season of a TV series, that the catalogue protects.

    ``year`` is the film's year, or for a season the year the series began (the year
    release names carry to tell remakes apart, as in ``Doctor.Who.2005.S01E01``).
    ``country`` tells same-titled series apart (``The Office`` US / GB); it comes from a
    ``country`` column or a title such as ``The Office (US)``.
    """

    id: str
    kind: WorkKind
    title: str
    year: int | None = None
    season: int | None = None
    aliases: tuple[str, ...] = ()
    theatrical: date | None = None
    digital: date | None = None
    physical: date | None = None
    broadcast: date | None = None
    country: str | None = None
    imdb_id: str | None = None
    tmdb_id: int | None = None

    def window_date(self, window: Window) -> date | None:
        """The first day of ``window`` for this work, if known."""
        value: date | None = getattr(self, window.value)
        return value

    @property
    def label(self) -> str:
        """A human label: ``Title (2021)`` or ``Title S04``."""
        text = self.title
        if self.kind == "season" and self.season is not None:
            text = f"{text} S{self.season:02d}"
        if self.year is not None:
            text = f"{text} ({self.year})"
        return text
