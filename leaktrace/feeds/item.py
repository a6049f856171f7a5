"""One observation of a release in a feed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["FeedItem"]


@dataclass(frozen=True, slots=True)
class FeedItem:
    """A release name seen somewhere at some time (a sighting, before it is stored)."""

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
