"""Alert events and the sinks that deliver them.

A new leak alert (or a nuke of an alerted release) becomes an :class:`AlertEvent` in the
database's outbox, in the same transaction as the data that caused it. A dispatcher
delivers each event to every sink whose filter accepts it, at least once: receivers use
``event.key`` (the dedupe key) to make that exactly once. A sink raises
:class:`DeliveryError` when delivery failed; the dispatcher retries with back-off and,
after persistent failure, moves the delivery to the dead-letter table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, field_validator

from leaktrace.detect.rules import Severity
from leaktrace.errors import LeakTraceError
from leaktrace.feeds.timeparse import format_time

__all__ = [
    "NOTICE_SINK",
    "AlertEvent",
    "AlertKind",
    "DeliveryError",
    "EventKind",
    "Sink",
    "SinkConfig",
    "SinkPlugin",
]

EventKind = Literal["leak", "nuke", "notice"]
AlertKind = Literal["leak", "nuke"]
"""The kinds a sink's ``events`` filter names: ``notice`` events (a takedown notice's
mail) are never planned for alert sinks, only for the notices' own sink."""
NOTICE_SINK = "notices"
"""The sink name the takedown notices' deliveries use; no configured sink may take it."""


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """Something a person should hear about.

    ``payload`` is JSON-ready. For ``leak`` events it holds the alert in the same shape as
    ``leaktrace leaks --format json`` (release, work_id, work, window, window_date, source,
    lead_days, severity, group, released_at, rule, explanation); for ``nuke`` events the
    same plus ``nuke`` = {action, reason, net, at}.
    """

    key: str
    kind: EventKind
    created_at: datetime
    severity: Severity
    window: str
    work_id: str
    payload: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        """The document sinks send: event kind, dedupe key, time, and the payload."""
        return {
            "event": f"{self.kind}",
            "dedupe_key": self.key,
            "created_at": format_time(self.created_at),
            **self.payload,
        }


class DeliveryError(LeakTraceError):
    """A sink could not deliver an event. ``transient`` failures are retried."""

    def __init__(
        self,
        reason: str,
        *,
        sink: str | None = None,
        transient: bool = True,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.sink = sink
        self.transient = transient
        self.retry_after = retry_after


class SinkConfig(BaseModel):
    """What every sink's configuration has; each kind subclasses it. Filters: an event
    passes when its severity is at least ``min_severity`` and its window and work are in
    ``windows`` and ``works`` (each when given)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: str
    min_severity: Severity | None = None
    windows: list[str] | None = None
    works: list[str] | None = None
    events: list[AlertKind] | None = None
    max_attempts: int = 8
    enabled: bool = True
    backfill: bool = False
    """A new sink also receives the events already in the outbox (default: only new ones)."""

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value.strip().casefold() == NOTICE_SINK:
            raise ValueError(
                f"the sink name {NOTICE_SINK!r} is reserved for the takedown notices' mail"
            )
        return value

    def accepts(self, event: AlertEvent) -> bool:
        if self.events is not None and event.kind not in self.events:
            return False
        if self.min_severity is not None and event.severity.rank < self.min_severity.rank:
            return False
        if self.windows is not None and event.window not in self.windows:
            return False
        return self.works is None or event.work_id in self.works


@runtime_checkable
class Sink(Protocol):
    name: str

    def deliver(self, event: AlertEvent) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SinkPlugin:
    kind: str
    config_model: type[SinkConfig]
    create: Callable[[Any], Sink]
