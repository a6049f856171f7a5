"""The structured form of a release name."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

__all__ = ["Kind", "ParsedRelease"]

Kind = Literal["movie", "episode", "season"]


@dataclass(frozen=True, slots=True)
class ParsedRelease:
    """What a release name says about itself.

    Vocabularies are normalised (see ``leaktrace.releases.vocab``):

    * ``source``: cam, telesync, telecine, workprint, screener, r5, ppv, hdtv, web-dl,
      webrip, vhs, dvd, dvdrip, hddvd, bdrip, bluray, remux, uhd-bluray ... or None.
    * ``resolution``: "2160p", "1080p", "1080i", "720p", "576p", "480p" ... or None.
    * ``codec``: h264, h265, xvid, divx, av1, vc1, mpeg2, vp9 ... or None.
    * ``languages``: ISO 639-1 codes ("it", "fr", "de" ...) plus "multi".
    * ``tags``: upper-case scene tags (PROPER, REPACK, REAL, INTERNAL, LIMITED,
      READNFO, DIRFIX, NFOFIX, RERIP, TRUEFRENCH, VFF, HDR, DV, SUBBED, DUBBED ...).
    """

    name: str
    title: str | None = None
    year: int | None = None
    kind: Kind = "movie"
    seasons: tuple[int, ...] = ()
    episodes: tuple[int, ...] = ()
    absolute_episodes: tuple[int, ...] = ()
    air_date: date | None = None
    episode_title: str | None = None
    resolution: str | None = None
    source: str | None = None
    codec: str | None = None
    audio: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    subtitles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    edition: str | None = None
    service: str | None = None
    country: str | None = None
    container: str | None = None
    group: str | None = None
    website: str | None = None
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def season(self) -> int | None:
        """The first season, if any."""
        return self.seasons[0] if self.seasons else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, tuples as lists)."""
        out = asdict(self)
        if self.air_date is not None:
            out["air_date"] = self.air_date.isoformat()
        for key, value in out.items():
            if isinstance(value, tuple):
                out[key] = list(value)
        return out
