"""Sources' health: each watched source's state, its quarantined input, and alert
deliveries per sink (``leaktrace sources``, ``GET /api/v1/sources``)."""

from __future__ import annotations

from datetime import UTC, datetime

from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.context import AppContext
from leaktrace.services.views import View
from leaktrace.store.outbox import event_counts
from leaktrace.store.source_state import list_quarantine, list_states, quarantine_counts

__all__ = [
    "QuarantinedView",
    "SourceHealthView",
    "SourcesView",
    "quarantined_input",
    "sources_health",
]

MAX_QUARANTINE = 500


class SourceHealthView(View):
    """One watched source: last success and error, items seen and quarantined, lag."""

    name: str
    kind: str
    last_success_at: str | None
    last_error_at: str | None
    last_error: str | None
    consecutive_failures: int
    items_seen: int
    items_quarantined: int
    newest_item_at: str | None
    lag_seconds: float | None
    last_success: str | None
    """``2.5h ago`` (for people)."""
    newest_item: str | None


class SourcesView(View):
    """Every source's health and the alert deliveries by sink and status."""

    sources: list[SourceHealthView]
    deliveries: dict[str, dict[str, int]]


class QuarantinedView(View):
    """A bad item or reply kept aside: reason, where, and the sample (secrets redacted)."""

    source: str
    received_at: str | None
    reason: str
    location: str | None
    sample: str | None


def _ago(moment: datetime | None, now: datetime) -> str | None:
    if moment is None:
        return None
    seconds = (now - moment).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit} ago"
    return f"{seconds:.0f}s ago"


def sources_health(ctx: AppContext, actor: Actor, *, now: datetime | None = None) -> SourcesView:
    actor.require(Permission.read_intel)
    at = now or datetime.now(UTC)
    with ctx.database.reading() as conn:
        states = list_states(conn)
        quarantined = quarantine_counts(conn)
        deliveries = event_counts(conn)
    return SourcesView(
        sources=[
            SourceHealthView(
                name=s.name,
                kind=s.kind,
                last_success_at=s.last_success_at.isoformat() if s.last_success_at else None,
                last_error_at=s.last_error_at.isoformat() if s.last_error_at else None,
                last_error=s.last_error,
                consecutive_failures=s.consecutive_failures,
                items_seen=s.items_seen,
                items_quarantined=quarantined.get(s.name, 0),
                newest_item_at=s.newest_item_at.isoformat() if s.newest_item_at else None,
                lag_seconds=round((at - s.last_success_at).total_seconds(), 1)
                if s.last_success_at
                else None,
                last_success=_ago(s.last_success_at, at),
                newest_item=_ago(s.newest_item_at, at),
            )
            for s in states
        ],
        deliveries=deliveries,
    )


def quarantined_input(
    ctx: AppContext, actor: Actor, source: str | None = None, *, limit: int = 200
) -> list[QuarantinedView]:
    """The newest quarantined input of ``source`` (None: of every source)."""
    actor.require(Permission.read_intel)
    if not 1 <= limit <= MAX_QUARANTINE:
        raise InputError(f"must be between 1 and {MAX_QUARANTINE}", field="limit")
    with ctx.database.reading() as conn:
        rows = list_quarantine(conn, source, limit)
    return [QuarantinedView.model_validate(r) for r in rows]
