"""Each agency's verdict on a leak alert (``leak_triage``: one row per alert and agency)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from leaktrace.store.portable import insert_ignore
from leaktrace.store.schema import ALERTS
from leaktrace.store.schema_access import LEAK_TRIAGE

__all__ = ["alert_exists", "set_verdict"]

_T = LEAK_TRIAGE


def alert_exists(conn: Connection, alert_id: int) -> bool:
    return conn.execute(select(ALERTS.c.id).where(ALERTS.c.id == alert_id)).first() is not None


def set_verdict(
    conn: Connection,
    *,
    alert_id: int,
    agency_id: int,
    user_id: int | None,
    verdict: str,
    note: str,
    at: datetime,
) -> str | None:
    """Store ``agency_id``'s verdict on the alert, replacing its earlier one.

    Returns the verdict it replaced (None when the agency had none)."""
    where = (_T.c.alert_id == alert_id) & (_T.c.agency_id == agency_id)
    before = conn.execute(select(_T.c.verdict).where(where)).scalar()
    values = {"verdict": verdict, "note": note, "user_id": user_id, "updated_at": at}
    row = {"alert_id": alert_id, "agency_id": agency_id, **values}
    if before is not None or not insert_ignore(conn, _T, [row], ["alert_id", "agency_id"], ("id",)):
        conn.execute(update(_T).where(where).values(**values))  # stored meanwhile: replace
    return None if before is None else str(before)
