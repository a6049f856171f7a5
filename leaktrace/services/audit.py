"""Recording and reading the audit log.

:func:`record` is called by services, inside their transaction, for every write, every
login (and failed login) and every read of personal data. :func:`list_audit` is the
``leaktrace audit`` command and ``GET /api/v1/audit``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Connection

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.context import AppContext
from leaktrace.services.paging import decode_cursor, encode_cursor, page_size
from leaktrace.services.views import Page, View
from leaktrace.store import audit as audit_store

__all__ = ["AuditView", "list_audit", "record"]


class AuditView(View):
    id: int
    at: datetime
    actor: str
    agency: str | None
    action: str
    subject: str
    detail: str
    outcome: str
    address: str | None


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    subject: str = "",
    detail: str = "",
    *,
    outcome: str = "ok",
) -> None:
    """Append one entry naming ``actor`` (in the caller's transaction)."""
    audit_store.append(
        conn,
        actor=actor.name,
        agency=actor.agency_code,
        action=action,
        subject=subject,
        detail=detail,
        outcome=outcome,
        address=actor.address,
    )


def list_audit(
    ctx: AppContext,
    actor: Actor,
    *,
    action: str | None = None,
    user: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[AuditView]:
    """The audit log, newest first. A user sees their own agency's entries only; the
    local operator sees everything."""
    actor.require(Permission.read_audit)
    size = page_size(limit, default=100)
    before = int(decode_cursor("audit", cursor, 1)[0]) if cursor else None
    with ctx.database.reading() as conn:
        rows = audit_store.entries(
            conn,
            agency=actor.agency_code,
            only_agency=not actor.is_local,
            action=action,
            actor=user,
            before_id=before,
            limit=size + 1,
        )
    items = [AuditView.model_validate(row, from_attributes=True) for row in rows[:size]]
    after = encode_cursor("audit", [items[-1].id]) if len(rows) > size and items else None
    return Page[AuditView](items=items, next_cursor=after)
