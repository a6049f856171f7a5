"""Each watched source's checkpoint, health and quarantined input."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection

from leaktrace.feeds.timeparse import format_time
from leaktrace.sources.base import Quarantined
from leaktrace.store.schema import QUARANTINE, SOURCE_STATE

__all__ = [
    "SourceState",
    "list_quarantine",
    "list_states",
    "load_checkpoint",
    "record_failure",
    "record_success",
]

SAMPLE_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class SourceState:
    name: str
    kind: str
    checkpoint: dict[str, Any] | None
    last_poll_at: datetime | None
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None
    consecutive_failures: int
    items_seen: int
    items_quarantined: int
    newest_item_at: datetime | None


def _state(row: Any) -> SourceState:
    checkpoint = json.loads(row.checkpoint) if row.checkpoint else None
    return SourceState(
        row.name,
        row.kind,
        checkpoint,
        row.last_poll_at,
        row.last_success_at,
        row.last_error_at,
        row.last_error,
        row.consecutive_failures,
        row.items_seen,
        row.items_quarantined,
        row.newest_item_at,
    )


def _ensure(conn: Connection, name: str, kind: str) -> None:
    exists = conn.execute(
        select(SOURCE_STATE.c.name).where(SOURCE_STATE.c.name == name)
    ).scalar_one_or_none()
    if exists is None:
        conn.execute(
            SOURCE_STATE.insert().values(
                name=name,
                kind=kind,
                consecutive_failures=0,
                items_seen=0,
                items_quarantined=0,
                updated_at=datetime.now(UTC),
            )
        )


def load_checkpoint(conn: Connection, name: str) -> dict[str, Any] | None:
    raw = conn.execute(
        select(SOURCE_STATE.c.checkpoint).where(SOURCE_STATE.c.name == name)
    ).scalar_one_or_none()
    return json.loads(raw) if raw else None


def record_success(
    conn: Connection,
    name: str,
    kind: str,
    *,
    checkpoint: dict[str, Any] | None,
    items: int,
    quarantined: Sequence[Quarantined],
    newest: datetime | None,
) -> None:
    """Commit a batch's checkpoint, counters and quarantine (call inside the batch's
    transaction, so data and checkpoint land together or not at all)."""
    _ensure(conn, name, kind)
    now = datetime.now(UTC)
    values: dict[str, Any] = {
        "last_poll_at": now,
        "last_success_at": now,
        "consecutive_failures": 0,
        "items_seen": SOURCE_STATE.c.items_seen + items,
        "items_quarantined": SOURCE_STATE.c.items_quarantined + len(quarantined),
        "updated_at": now,
        "kind": kind,
    }
    if checkpoint is not None:
        values["checkpoint"] = json.dumps(checkpoint, sort_keys=True, default=str)
    if newest is not None:
        current = conn.execute(
            select(SOURCE_STATE.c.newest_item_at).where(SOURCE_STATE.c.name == name)
        ).scalar_one_or_none()
        if current is None or newest > current:
            values["newest_item_at"] = newest
    conn.execute(update(SOURCE_STATE).where(SOURCE_STATE.c.name == name).values(**values))
    if quarantined:
        conn.execute(
            QUARANTINE.insert(),
            [
                {
                    "source": name,
                    "received_at": now,
                    "reason": _storable(q.reason, 2000),
                    "location": _storable(q.location, 2048),
                    "sample": _storable(q.sample, SAMPLE_LIMIT),
                }
                for q in quarantined
            ],
        )


def _storable(text: str | None, limit: int) -> str | None:
    """``text`` cut to ``limit`` characters, lone surrogates (undecodable bytes kept by
    ``surrogateescape``) written as escapes so the database accepts it."""
    if text is None:
        return None
    return text[:limit].encode("utf-8", "backslashreplace").decode("utf-8")


def record_failure(
    conn: Connection,
    name: str,
    kind: str,
    error: str,
    *,
    location: str | None = None,
    sample: str | None = None,
) -> None:
    """Note a failed poll; a new kind of failure is also quarantined with ``location``
    (the URL, secrets redacted) and ``sample`` (the start of the reply) when a reply was
    the problem. A repeat of the same error during an outage is counted, not stored again."""
    _ensure(conn, name, kind)
    now = datetime.now(UTC)
    previous = conn.execute(
        select(SOURCE_STATE.c.last_error, SOURCE_STATE.c.consecutive_failures).where(
            SOURCE_STATE.c.name == name
        )
    ).one()
    if previous.consecutive_failures == 0 or previous.last_error != _storable(error, 2000):
        conn.execute(
            QUARANTINE.insert().values(
                source=name,
                received_at=now,
                reason=_storable(f"poll failed: {error}", 2000),
                location=_storable(location, 2048),
                sample=_storable(sample, SAMPLE_LIMIT),
            )
        )
        conn.execute(
            update(SOURCE_STATE)
            .where(SOURCE_STATE.c.name == name)
            .values(items_quarantined=SOURCE_STATE.c.items_quarantined + 1)
        )
    conn.execute(
        update(SOURCE_STATE)
        .where(SOURCE_STATE.c.name == name)
        .values(
            last_poll_at=now,
            last_error_at=now,
            last_error=_storable(error, 2000),
            consecutive_failures=SOURCE_STATE.c.consecutive_failures + 1,
            updated_at=now,
        )
    )


def list_states(conn: Connection) -> list[SourceState]:
    return [_state(r) for r in conn.execute(select(SOURCE_STATE).order_by(SOURCE_STATE.c.name))]


def list_quarantine(
    conn: Connection, source: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    query = select(QUARANTINE).order_by(QUARANTINE.c.id.desc()).limit(limit)
    if source:
        query = query.where(QUARANTINE.c.source == source)
    return [
        {
            "source": r.source,
            "received_at": format_time(r.received_at),
            "reason": r.reason,
            "location": r.location,
            "sample": r.sample,
        }
        for r in conn.execute(query)
    ]


def quarantine_counts(conn: Connection) -> dict[str, int]:
    return {
        s: int(n)
        for s, n in conn.execute(
            select(QUARANTINE.c.source, func.count()).group_by(QUARANTINE.c.source)
        )
    }
