"""The structured form of a release name."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
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

    ``title`` is the title a catalogue can match (the original, usually Latin-script title
    of a multi-title name); ``aliases`` are the other titles the name gives (a Russian,
    Chinese or Italian title beside it), in name order. ``pack`` marks a pack (``Complete``,
    ``INTEGRAL``, ``Collection``, several seasons, a year range); a year range such as
    ``1993-2004`` is kept in ``year_range`` and then ``year`` is None. ``website`` is the
    site or uploader named in a prefix or suffix (``www.site.example - ...``, ``[Site]``).
    """

    name: str
    title: str | None = None
    aliases: tuple[str, ...] = ()
    year: int | None = None
    year_range: tuple[int, int] | None = None
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
    pack: bool = False
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def season(self) -> int | None:
        """The first season, if any."""
        return self.seasons[0] if self.seasons else None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (dates as ISO strings, tuples as lists)."""
        out: dict[str, Any] = {}
        for key in _FIELD_NAMES:
            value = getattr(self, key)
            if type(value) is tuple:
                value = list(value)
            elif type(value) is dict:
                value = dict(value)
            elif key == "air_date" and value is not None:
                value = value.isoformat()
            out[key] = value
        return out

    def to_compact_dict(self) -> dict[str, Any]:
        """Like :meth:`to_dict` without the name and without empty fields (``pack`` only
        when true)."""
        return {
            k: v
            for k, v in self.to_dict().items()
            if k != "name" and v is not None and v is not False and v != [] and v != {}
        }


_FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in fields(ParsedRelease))
