"""The outbox: alert events, per-sink deliveries, dead letters; the topic events of
action days; and the takedown notices to send (portable SQL).

Alert events (``kind`` leak or nuke) are planned for sinks. Notice events (``kind``
notice, ``topic`` ``notice:<id>``) are never planned: :func:`enqueue_notice_event` writes
each with its one delivery for the notices' mail sink (``NOTICE_SINK``), and
:func:`due_deliveries` hands a sink only its own kind (the notices' sink notice events,
every other sink alerts), so an alert sink never receives a notice and the other way
round. Topic events (``kind``
operation, ``topic`` ``operation:<id>``) are read by their live boards in id order
(:func:`topic_events`) and never planned for sinks. A writer of topic events holds the
write lock of the row that owns the topic (the operation) from before the event's id is
drawn until commit, so within one topic ids become visible in increasing order: a reader
that has seen id N never later finds a new event below N."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, type_coerce, update
from sqlalchemy.engine import Connection

from leaktrace.alerts.base import AlertEvent, EventKind
from leaktrace.alerts.notice_mail import NOTICE_KIND, NOTICE_SINK
from leaktrace.detect.rules import Severity
from leaktrace.store.portable import insert_ignore
from leaktrace.store.schema import (
    ALERT_EVENTS,
    DEAD_LETTERS,
    DELIVERIES,
    SINK_STATE,
    UTCDateTime,
)

__all__ = [
    "ALERT_KINDS",
    "Delivery",
    "NoticeDelivery",
    "TopicEvent",
    "due_deliveries",
    "enqueue_events",
    "enqueue_notice_event",
    "enqueue_topic_event",
    "event_counts",
    "latest_topic_events",
    "mark_delivered",
    "mark_retry",
    "move_to_dead_letters",
    "notice_deliveries",
    "plan_deliveries",
    "sink_cursor",
    "topic_events",
    "topic_head",
]

ALERT_KINDS = ("leak", "nuke")
"""The kinds of event delivered to sinks (topic events are not alerts)."""
TOPIC_KIND = "operation"


def enqueue_events(
    conn: Connection, events: Sequence[AlertEvent], release_ids: Sequence[int | None]
) -> None:
    """Add events to the outbox; an event whose key is already there is skipped."""
    insert_ignore(
        conn,
        ALERT_EVENTS,
        [
            {
                "key": e.key,
                "kind": e.kind,
                "release_id": rid,
                "severity": e.severity.value,
                "window": e.window,
                "work_id": e.work_id,
                "payload": json.dumps(e.payload, ensure_ascii=False, sort_keys=True, default=str),
                "created_at": e.created_at,
            }
            for e, rid in zip(events, release_ids, strict=True)
        ],
        ["key"],
    )


_KINDS: dict[str, EventKind] = {
    "leak": "leak",
    "nuke": "nuke",
    "notice": "notice",
}


def _event(row: Any) -> AlertEvent:
    kind: EventKind = _KINDS.get(row.kind, "leak")
    return AlertEvent(
        key=row.key,
        kind=kind,
        created_at=row.created_at,
        severity=Severity(row.severity),
        window=row.window,
        work_id=row.work_id,
        payload=json.loads(row.payload),
    )


def sink_cursor(conn: Connection, sink: str, *, backfill: bool) -> int:
    """The last outbox id ``sink`` has planned; a new sink starts at the end (or the start
    with ``backfill``), so adding a sink does not replay history unless asked to."""
    found = conn.execute(
        select(SINK_STATE.c.last_event_id).where(SINK_STATE.c.name == sink)
    ).scalar_one_or_none()
    if found is not None:
        return int(found)
    start = (
        0
        if backfill
        else int(
            conn.execute(
                select(func.coalesce(func.max(ALERT_EVENTS.c.id), 0)).where(
                    ALERT_EVENTS.c.kind.in_(ALERT_KINDS)
                )
            ).scalar_one()
        )
    )
    conn.execute(
        SINK_STATE.insert().values(name=sink, last_event_id=start, updated_at=datetime.now(UTC))
    )
    return start


def plan_deliveries(
    conn: Connection, sink: str, accepts: Any, *, backfill: bool = False, limit: int = 1000
) -> int:
    """Create pending deliveries for the outbox events ``sink`` has not planned yet and
    whose filter (``accepts(event)``) lets through. Returns how many were created."""
    cursor = sink_cursor(conn, sink, backfill=backfill)
    # alerts only, in SQL: topic events share the id sequence, and a cursor moved past a
    # topic id could pass an alert with a lower id still uncommitted (PostgreSQL)
    rows = conn.execute(
        select(ALERT_EVENTS)
        .where(ALERT_EVENTS.c.id > cursor, ALERT_EVENTS.c.kind.in_(ALERT_KINDS))
        .order_by(ALERT_EVENTS.c.id)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    now = datetime.now(UTC)
    wanted = [
        {"event_id": r.id, "sink": sink, "status": "pending", "attempts": 0, "next_attempt_at": now}
        for r in rows
        if accepts(_event(r))
    ]
    insert_ignore(conn, DELIVERIES, wanted, ["event_id", "sink"])
    conn.execute(
        update(SINK_STATE)
        .where(SINK_STATE.c.name == sink)
        .values(last_event_id=rows[-1].id, updated_at=now)
    )
    return len(wanted)


@dataclass(frozen=True, slots=True)
class Delivery:
    id: int
    sink: str
    attempts: int
    event: AlertEvent


def due_deliveries(
    conn: Connection,
    sinks: Sequence[str],
    now: datetime,
    limit: int = 200,
    *,
    event_ids: Sequence[int] | None = None,
) -> list[Delivery]:
    """The pending deliveries of ``sinks`` due at ``now``, soonest first: for the
    notices' sink its notice events, for every other sink alert events only (with
    ``event_ids``: of those events only)."""
    if not sinks or event_ids is not None and not event_ids:
        return []
    query = (
        select(DELIVERIES.c.id, DELIVERIES.c.sink, DELIVERIES.c.attempts, ALERT_EVENTS)
        .select_from(DELIVERIES.join(ALERT_EVENTS, DELIVERIES.c.event_id == ALERT_EVENTS.c.id))
        .where(
            DELIVERIES.c.status == "pending",
            DELIVERIES.c.next_attempt_at <= now,
            DELIVERIES.c.sink.in_(list(sinks)),
            or_(
                and_(DELIVERIES.c.sink == NOTICE_SINK, ALERT_EVENTS.c.kind == NOTICE_KIND),
                and_(DELIVERIES.c.sink != NOTICE_SINK, ALERT_EVENTS.c.kind.in_(ALERT_KINDS)),
            ),
        )
        .order_by(DELIVERIES.c.next_attempt_at, DELIVERIES.c.id)
        .limit(limit)
    )
    if event_ids is not None:
        query = query.where(DELIVERIES.c.event_id.in_(list(event_ids)))
    return [Delivery(r[0], r[1], r[2], _event(r)) for r in conn.execute(query)]


def next_due(conn: Connection, sinks: Sequence[str]) -> datetime | None:
    if not sinks:
        return None
    earliest = type_coerce(func.min(DELIVERIES.c.next_attempt_at), UTCDateTime())
    value: datetime | None = conn.execute(
        select(earliest).where(DELIVERIES.c.status == "pending", DELIVERIES.c.sink.in_(list(sinks)))
    ).scalar_one()
    return value


def claim_delivery(conn: Connection, delivery_id: int, now: datetime, until: datetime) -> bool:
    """Take a due pending delivery for one attempt: it is not due again before ``until``
    (the lease; a process that dies while sending leaves it due then). False when it is
    no longer due: another process has taken it."""
    result = conn.execute(
        update(DELIVERIES)
        .where(
            DELIVERIES.c.id == delivery_id,
            DELIVERIES.c.status == "pending",
            DELIVERIES.c.next_attempt_at <= now,
        )
        .values(next_attempt_at=until)
    )
    return bool(result.rowcount)


def mark_delivered(conn: Connection, delivery_id: int, attempts: int) -> None:
    conn.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id == delivery_id)
        .values(
            status="delivered", attempts=attempts, delivered_at=datetime.now(UTC), last_error=None
        )
    )


def mark_retry(
    conn: Connection, delivery_id: int, attempts: int, error: str, next_attempt_at: datetime
) -> None:
    conn.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id == delivery_id)
        .values(attempts=attempts, last_error=error[:2000], next_attempt_at=next_attempt_at)
    )


def move_to_dead_letters(conn: Connection, delivery_id: int, attempts: int, error: str) -> None:
    row = conn.execute(
        select(DELIVERIES.c.event_id, DELIVERIES.c.sink).where(DELIVERIES.c.id == delivery_id)
    ).one()
    now = datetime.now(UTC)
    conn.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id == delivery_id)
        .values(status="dead", attempts=attempts, last_error=error[:2000])
    )
    conn.execute(
        DEAD_LETTERS.insert().values(
            event_id=row.event_id,
            sink=row.sink,
            attempts=attempts,
            last_error=error[:2000],
            failed_at=now,
        )
    )


def event_counts(conn: Connection) -> dict[str, dict[str, int]]:
    """Deliveries by sink and status, for ``leaktrace sources``."""
    out: dict[str, dict[str, int]] = {}
    for sink, status, n in conn.execute(
        select(DELIVERIES.c.sink, DELIVERIES.c.status, func.count()).group_by(
            DELIVERIES.c.sink, DELIVERIES.c.status
        )
    ):
        out.setdefault(sink, {})[status] = int(n)
    return out


# --- takedown notices to send ----------------------------------------------------------


def enqueue_notice_event(
    conn: Connection,
    *,
    notice_id: int,
    payload: dict[str, Any],
    created_at: datetime,
) -> int:
    """Queue one notice for the notices' mail sink, in the caller's transaction: an event
    (kind ``notice``, topic ``notice:<id>``, key ``notice:<id>:<n>`` - the n-th time this
    notice is queued) and its pending delivery, due now. Returns the event id."""
    topic = f"{NOTICE_KIND}:{notice_id}"
    earlier = conn.execute(
        select(func.count()).select_from(ALERT_EVENTS).where(ALERT_EVENTS.c.topic == topic)
    ).scalar_one()
    event_id = _insert_topic_event(
        conn,
        key=f"{topic}:{int(earlier) + 1}",
        kind=NOTICE_KIND,
        topic=topic,
        payload=payload,
        created_at=created_at,
    )
    conn.execute(
        DELIVERIES.insert().values(
            event_id=event_id,
            sink=NOTICE_SINK,
            status="pending",
            attempts=0,
            next_attempt_at=datetime.now(UTC),  # due now, whatever time the caller gave
        )
    )
    return event_id


@dataclass(frozen=True, slots=True)
class NoticeDelivery:
    """Where the latest sending of a notice stands."""

    notice_id: int
    event_id: int
    status: str
    """``pending``, ``delivered`` or ``dead``."""
    attempts: int
    last_error: str | None
    delivered_at: datetime | None
    payload: dict[str, Any]


def notice_deliveries(conn: Connection, notice_ids: Sequence[int]) -> dict[int, NoticeDelivery]:
    """The latest queued sending of each of ``notice_ids`` that has one."""
    if not notice_ids:
        return {}
    out: dict[int, NoticeDelivery] = {}
    topics = [f"{NOTICE_KIND}:{i}" for i in notice_ids]
    for start in range(0, len(topics), 500):
        rows = conn.execute(
            select(
                ALERT_EVENTS.c.id,
                ALERT_EVENTS.c.topic,
                ALERT_EVENTS.c.payload,
                DELIVERIES.c.status,
                DELIVERIES.c.attempts,
                DELIVERIES.c.last_error,
                DELIVERIES.c.delivered_at,
            )
            .select_from(ALERT_EVENTS.join(DELIVERIES, DELIVERIES.c.event_id == ALERT_EVENTS.c.id))
            .where(
                ALERT_EVENTS.c.kind == NOTICE_KIND,
                ALERT_EVENTS.c.topic.in_(topics[start : start + 500]),
                DELIVERIES.c.sink == NOTICE_SINK,
            )
            .order_by(ALERT_EVENTS.c.id)
        ).all()
        for r in rows:
            notice_id = int(str(r.topic).rpartition(":")[2])
            out[notice_id] = NoticeDelivery(
                notice_id=notice_id,
                event_id=int(r.id),
                status=str(r.status),
                attempts=int(r.attempts),
                last_error=r.last_error,
                delivered_at=r.delivered_at,
                payload=json.loads(r.payload),
            )
    return out


# --- topic events (action days' live boards) -------------------------------------------


@dataclass(frozen=True, slots=True)
class TopicEvent:
    id: int
    topic: str
    created_at: datetime
    payload: dict[str, Any]


def enqueue_topic_event(
    conn: Connection, *, key: str, topic: str, payload: dict[str, Any], created_at: datetime
) -> int:
    """Add one topic event in the caller's transaction; its id (the SSE event id).

    The caller holds the write lock of the topic's owner (see the module docstring)."""
    return _insert_topic_event(
        conn, key=key, kind=TOPIC_KIND, topic=topic, payload=payload, created_at=created_at
    )


def _insert_topic_event(
    conn: Connection,
    *,
    key: str,
    kind: str,
    topic: str,
    payload: dict[str, Any],
    created_at: datetime,
) -> int:
    """An event of a topic (no release, no work: not an alert); its id."""
    result = conn.execute(
        ALERT_EVENTS.insert()
        .values(
            key=key,
            kind=kind,
            topic=topic,
            release_id=None,
            severity="low",
            window="-",
            work_id="",
            payload=json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str),
            created_at=created_at,
        )
        .returning(ALERT_EVENTS.c.id)
    )
    return int(result.scalar_one())


def topic_events(
    conn: Connection, topic: str, *, after: int = 0, limit: int = 1000
) -> list[TopicEvent]:
    """The events of ``topic`` with an id above ``after``, oldest first (at most
    ``limit``)."""
    rows = conn.execute(
        select(ALERT_EVENTS.c.id, ALERT_EVENTS.c.created_at, ALERT_EVENTS.c.payload)
        .where(ALERT_EVENTS.c.topic == topic, ALERT_EVENTS.c.id > after)
        .order_by(ALERT_EVENTS.c.id)
        .limit(limit)
    ).all()
    return [TopicEvent(r.id, topic, r.created_at, json.loads(r.payload)) for r in rows]


def topic_head(conn: Connection, topic: str) -> int:
    """The id of the newest event of ``topic`` (0 when it has none)."""
    value = conn.execute(
        select(func.coalesce(func.max(ALERT_EVENTS.c.id), 0)).where(ALERT_EVENTS.c.topic == topic)
    ).scalar_one()
    return int(value)


def latest_topic_events(conn: Connection, topic: str, limit: int) -> list[TopicEvent]:
    """The newest ``limit`` events of ``topic``, oldest first."""
    rows = conn.execute(
        select(ALERT_EVENTS.c.id, ALERT_EVENTS.c.created_at, ALERT_EVENTS.c.payload)
        .where(ALERT_EVENTS.c.topic == topic)
        .order_by(ALERT_EVENTS.c.id.desc())
        .limit(limit)
    ).all()
    return [TopicEvent(r.id, topic, r.created_at, json.loads(r.payload)) for r in reversed(rows)]
