"""An action day's changes as evidence and as live events.

Every change of an operation is, in the same transaction, (1) an entry of its case's
evidence log (who, when, what; never a person's real name) and (2) an event in the
outbox under the topic ``operation:<id>`` (the transactional outbox of the alerts: no
second bus), which every live board reads in id order. The change services take the
operation's row lock first (:func:`leaktrace.store.operations.lock_operation`), so an
operation's event ids become visible in increasing order on every backend.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from leaktrace.errors import ConflictError
from leaktrace.identity.actor import Actor
from leaktrace.services.case_access import CaseAccess, no_such_case
from leaktrace.services.case_log import append_event
from leaktrace.services.context import AppContext
from leaktrace.services.operation_access import OperationAccess, operation_access
from leaktrace.services.operation_views import OperationEventView
from leaktrace.store import cases as case_store
from leaktrace.store.operations import TargetRecord
from leaktrace.store.outbox import TopicEvent, enqueue_topic_event, topic_events, topic_head

__all__ = [
    "MAX_EVENT_ID",
    "NOTIFY_CHANNEL",
    "REPLAY_LIMIT",
    "event_view",
    "events_after",
    "last_event_id",
    "record_change",
    "target_fields",
    "topic",
]

MAX_EVENT_ID = 2**63 - 1
"""The largest id the outbox's key can hold."""
NOTIFY_CHANNEL = "leaktrace_operation"
"""PostgreSQL channel told (at commit) the id of every operation that changed; the live
boards' pollers listen to it and read at once (their polling stays the safety net)."""
REPLAY_LIMIT = 1000
"""At most this many events per read (a stream reads again until it has caught up)."""


def topic(operation_id: int) -> str:
    return f"operation:{operation_id}"


def target_fields(target: TargetRecord) -> dict[str, Any]:
    """What every event about ``target`` says of it (never its real name)."""
    return {
        "target_id": target.id,
        "label": target.label,
        "kind": target.kind,
        "country": target.country,
        "agency": target.agency_code,
    }


def record_change(
    conn: Connection,
    ctx: AppContext,
    actor: Actor,
    access: OperationAccess,
    *,
    log_event: str,
    log_data: Mapping[str, Any],
    event: Mapping[str, Any],
) -> int:
    """Append ``log_event`` to the case's evidence log and the live ``event`` to the
    outbox, in the caller's transaction (which holds the operation's lock); the event's
    id."""
    operation = access.operation
    case = case_store.case_by_id(conn, operation.case_id)
    if case is None:  # pragma: no cover - the foreign key cascades
        raise no_such_case(operation.case_id)
    if case.status == "closed":
        raise ConflictError(
            f"case {case.id} is closed: its operation {operation.name!r} takes no more changes"
        )
    case_ref = CaseAccess(
        case_id=case.id,
        log_id=case.log_id,
        title=case.title,
        status=case.status,
        owner_agency_id=case.owner_agency_id,
        role="operation",
    )
    append_event(
        conn,
        ctx,
        case_ref,
        actor,
        log_event,
        {
            "operation": operation.name,
            "operation_id": operation.id,
            "handling": operation.handling,
            **log_data,
        },
    )
    now = datetime.now(UTC)
    payload = {
        **event,
        "operation_id": operation.id,
        "handling": operation.handling,
        "by_agency": actor.agency_code,
    }
    event_id = enqueue_topic_event(
        conn, key=uuid.uuid4().hex, topic=topic(operation.id), payload=payload, created_at=now
    )
    if conn.dialect.name == "postgresql":  # delivered at commit: wakes every process's poller
        conn.execute(
            text("SELECT pg_notify(:channel, :operation)"),
            {"channel": NOTIFY_CHANNEL, "operation": str(operation.id)},
        )
    return event_id


def event_view(event: TopicEvent) -> OperationEventView:
    at = stamp(event.created_at)
    return OperationEventView.model_validate({**event.payload, "id": event.id, "at": at})


def stamp(moment: datetime) -> str:
    """``moment`` as the operation views write times: RFC 3339 in UTC with ``Z``."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def events_after(
    ctx: AppContext, actor: Actor, operation_id: int, *, after: int = 0, limit: int = REPLAY_LIMIT
) -> list[OperationEventView]:
    """The operation's events with an id above ``after``, oldest first (at most
    ``limit``): what a board that reconnects with ``Last-Event-ID`` missed."""
    with ctx.database.reading() as conn:
        operation_access(conn, actor, operation_id)
        if after >= MAX_EVENT_ID:  # past any id the outbox can hold
            return []
        found = topic_events(conn, topic(operation_id), after=max(after, 0), limit=limit)
    return [event_view(e) for e in found]


def last_event_id(conn: Connection, operation_id: int) -> int:
    return topic_head(conn, topic(operation_id))
