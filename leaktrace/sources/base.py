"""The one small interface every source of releases implements.

A source is *polling* (``poll(checkpoint) -> PollResult``, called on a schedule) or
*streaming* (``stream(checkpoint, stop) -> Iterator[PollResult]``, a long-lived push
connection such as predb.ovh's websocket). Either way it returns batches: items seen,
nukes, quarantined bad input, and the new checkpoint that covers them. The watcher
commits a batch's data and its checkpoint in one transaction, so a crash at any moment
loses nothing and doubles nothing.

Sources never touch the database, never raise for one bad item (they quarantine it), and
raise :class:`SourceError` when the whole poll failed (network, HTTP status, a response
that is not what it should be), with ``retry_after`` when the server said when to retry.

Third parties add kinds through the ``leaktrace.sources`` entry point group: each entry
point names a :class:`SourcePlugin`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict

from leaktrace.feeds.item import FeedItem, NukeEvent
from leaktrace.formats.source_errors import Quarantined, SourceError

__all__ = [
    "Backlog",
    "Checkpoint",
    "PollResult",
    "PollingSource",
    "Quarantined",
    "SourceConfig",
    "SourceError",
    "SourcePlugin",
    "StixBatch",
    "StreamingSource",
]

Checkpoint = Mapping[str, Any]
"""A source's own bookmark (JSON-serialisable): last id, ETag, last pubDate, file offsets."""


@dataclass(frozen=True, slots=True)
class Backlog:
    """Input a poll left for a later one (a JSON Lines file read ``limit`` lines at a time)."""

    location: str
    """The file."""
    read: int
    """Lines read from it by this poll."""
    offset: int
    """The byte offset the next poll starts from."""
    limit: int
    """The most lines one poll reads (the source's ``max_items``)."""


@dataclass(frozen=True, slots=True)
class StixBatch:
    """STIX objects a poll took in (the ``taxii`` kind), for a local exchange collection.

    The watcher stores them with :func:`leaktrace.store.exchange_batches.store_batch` in
    the same transaction as the poll's checkpoint."""

    collection: str
    """The local collection (title, alias or id)."""
    objects: list[dict[str, Any]]
    """Each already passed :func:`leaktrace.exchange.classify.check_object`."""
    origin: str
    """Provenance stored with each object (``pulled <api root> <collection id>``)."""
    agency: str | None = None
    """The receiving agency's code (owner of the stored objects); None: owned by nobody."""


@dataclass(slots=True)
class PollResult:
    items: list[FeedItem] = field(default_factory=list)
    nukes: list[NukeEvent] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    checkpoint: dict[str, Any] | None = None
    """The bookmark after this batch; None keeps the previous one."""
    not_modified: bool = False
    """The server said nothing changed (HTTP 304)."""
    backlog: list[Backlog] = field(default_factory=list)
    """What this poll left unread for the next one (JSON Lines files beyond ``max_items``)."""
    stix: StixBatch | None = None
    """STIX objects for a local exchange collection (the ``taxii`` kind)."""


class SourceConfig(BaseModel):
    """What every source's configuration has; each kind subclasses it."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: str
    interval: float = 60.0
    """Seconds between polls (polling sources)."""
    jitter: float = 0.1
    """Each wait is shortened by up to this fraction, at random, so sources drift apart."""
    enabled: bool = True


@runtime_checkable
class PollingSource(Protocol):
    name: str

    def poll(self, checkpoint: Checkpoint | None) -> PollResult: ...

    def close(self) -> None: ...


@runtime_checkable
class StreamingSource(Protocol):
    name: str

    def stream(
        self, checkpoint: Checkpoint | None, stop: threading.Event
    ) -> Iterator[PollResult]: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SourcePlugin:
    """How a kind of source is configured and built."""

    kind: str
    config_model: type[SourceConfig]
    create: Callable[[Any], PollingSource | StreamingSource]
