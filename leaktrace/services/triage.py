"""Triage: an agency marks a leak ``confirmed`` or ``false-positive``, with a note.

Each agency has its own verdict on a leak and sees only its own (``POST
/api/v1/leaks/{id}/triage``); every verdict is written to the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime

from leaktrace.errors import InputError, NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.leak_views import VERDICTS, LeakView
from leaktrace.services.leaks import read_leak
from leaktrace.store.triage import alert_exists, set_verdict

__all__ = ["MAX_NOTE", "triage_leak"]

MAX_NOTE = 2000


def triage_leak(
    ctx: AppContext, actor: Actor, leak_id: int, *, verdict: str, note: str = ""
) -> LeakView:
    """Record ``actor``'s agency's verdict on the leak (replacing its earlier one) and
    return the leak as that agency now sees it."""
    actor.require(Permission.triage)
    if actor.agency_id is None:
        raise InputError(
            "triage is per agency and the local operator has none: triage as a user of "
            "an agency (through the API or the web UI)",
            field="agency",
        )
    if verdict not in VERDICTS:
        raise InputError("must be confirmed or false-positive", field="verdict")
    if len(note) > MAX_NOTE:
        raise InputError(f"at most {MAX_NOTE} characters", field="note")
    with ctx.database.transaction() as conn:
        if not alert_exists(conn, leak_id):
            raise NotFoundError(f"no leak {leak_id}", kind="leak", key=str(leak_id))
        before = set_verdict(
            conn,
            alert_id=leak_id,
            agency_id=actor.agency_id,
            user_id=actor.user_id,
            verdict=verdict,
            note=note,
            at=datetime.now(UTC),
        )
        audit.record(
            conn,
            actor,
            "leak.triage",
            subject=f"leak {leak_id}",
            detail=f"{before or 'untriaged'} -> {verdict}",
        )
        return read_leak(conn, actor, leak_id)
