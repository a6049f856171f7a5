"""One observation of a release somewhere: a sighting before it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["FeedItem", "NukeEvent"]


@dataclass(slots=True)
class FeedItem:
    """A release name seen somewhere at some time (treat it as read-only: it is not
    frozen only because a frozen dataclass takes about five times as long to build, and
    an ingest builds one per feed line).

    ``origin`` is the kind of place (``jsonl``, ``predb``, ``torznab``, ``rss``,
    ``torrent``, ``magnet``, ``nfo``); ``source`` the configured source's name when it
    came through ``leaktrace watch``. Swarm figures are as reported at that moment.
    ``attrs`` keeps every attribute the source gave (every ``torznab:attr``), as text.
    """

    name: str
    time: datetime
    origin: str = "jsonl"
    group: str | None = None
    size_bytes: int | None = None
    url: str | None = None
    site: str | None = None
    imdb_id: str | None = None
    extra: dict[str, object] = field(default_factory=dict)
    file: str | None = None
    line: int | None = None
    source: str | None = None
    infohash: str | None = None
    infohash_v2: str | None = None
    seeders: int | None = None
    leechers: int | None = None
    grabs: int | None = None
    tmdb_id: int | None = None
    tvdb_id: int | None = None
    category: str | None = None
    attrs: dict[str, str] = field(default_factory=dict)
    nfo_text: str | None = None
    """The decoded text of the NFO this item came from, kept to compare groups' NFOs."""


@dataclass(frozen=True, slots=True)
class NukeEvent:
    """A pre-database's verdict on a release: ``nuke``, ``unnuke``, ``modnuke``, ``delpre``
    or ``undelpre``. It updates the release (status, reason, net); history is kept."""

    name: str
    action: str
    time: datetime
    reason: str | None = None
    net: str | None = None
    source: str | None = None
