"""The append-only audit log (the table's triggers refuse UPDATE and DELETE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from leaktrace.store.schema_access import AUDIT_LOG

__all__ = ["AuditEntry", "append", "entries"]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    agency: str | None
    action: str
    subject: str
    detail: str
    outcome: str
    address: str | None


def append(
    conn: Connection,
    *,
    actor: str,
    agency: str | None,
    action: str,
    subject: str = "",
    detail: str = "",
    outcome: str = "ok",
    address: str | None = None,
    at: datetime | None = None,
) -> None:
    conn.execute(
        insert(AUDIT_LOG).values(
            at=at or datetime.now(UTC),
            actor=actor[:320],
            agency=agency,
            action=action[:64],
            subject=subject[:300],
            detail=detail,
            outcome=outcome[:16],
            address=address[:64] if address else None,
        )
    )


def entries(
    conn: Connection,
    *,
    agency: str | None = None,
    only_agency: bool = False,
    action: str | None = None,
    actor: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """Newest first. ``only_agency`` restricts to ``agency``'s entries (None: the local
    operator's)."""
    query: Any = select(AUDIT_LOG).order_by(AUDIT_LOG.c.id.desc()).limit(limit)
    if only_agency:
        query = query.where(
            AUDIT_LOG.c.agency.is_(None) if agency is None else AUDIT_LOG.c.agency == agency
        )
    if action:
        query = query.where(AUDIT_LOG.c.action == action)
    if actor:
        query = query.where(AUDIT_LOG.c.actor == actor.lower())
    if before_id is not None:
        query = query.where(AUDIT_LOG.c.id < before_id)
    return [AuditEntry(**row._mapping) for row in conn.execute(query)]
