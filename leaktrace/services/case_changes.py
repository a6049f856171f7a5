"""Changing a case's status and details (its lead only): one transaction, everything
checked before anything is written. Re-exported by :mod:`leaktrace.services.cases`
(``cases.change_case``). OWNER: cases helper (F1).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from leaktrace.errors import ConflictError, InputError
from leaktrace.identity.actor import Actor
from leaktrace.services import case_log
from leaktrace.services.case_access import case_access
from leaktrace.services.case_reading import read_summary
from leaktrace.services.case_text import (
    MAX_LEGAL_BASIS,
    MAX_REASON,
    MAX_REFERENCE,
    MAX_TITLE,
    clean_text,
)
from leaktrace.services.case_views import CASE_STATUSES, CaseSummary
from leaktrace.services.context import AppContext
from leaktrace.store import cases as store

__all__ = ["change_case", "set_status", "update_case"]


def _now() -> datetime:
    return datetime.now(UTC)


def _wanted_details(
    title: str | None,
    legal_basis: str | None,
    reference: str | None,
    retention_until: date | None,
) -> dict[str, Any]:
    """The detail changes asked for (None: unchanged), each checked."""
    wanted: dict[str, Any] = {}
    if title is not None:
        wanted["title"] = clean_text(title, "title", MAX_TITLE, required=True)
    if legal_basis is not None:
        wanted["legal_basis"] = clean_text(
            legal_basis, "legal_basis", MAX_LEGAL_BASIS, multiline=True
        )
    if reference is not None:
        wanted["reference"] = clean_text(reference, "reference", MAX_REFERENCE)
    if retention_until is not None:
        if not isinstance(retention_until, date) or isinstance(retention_until, datetime):
            raise InputError("must be a date (YYYY-MM-DD)", field="retention_until")
        wanted["retention_until"] = retention_until
    return wanted


def change_case(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    *,
    status: str | None = None,
    reason: str = "",
    title: str | None = None,
    legal_basis: str | None = None,
    reference: str | None = None,
    retention_until: date | None = None,
) -> CaseSummary:
    """Change the case's status and/or details (its lead only; None: unchanged), all in
    one transaction, all checked before anything is written.

    Order: a reopening (``status="open"``) first, then the details (one ``case.updated``
    entry naming each old and new value), then a suspension or closing (one
    ``status.changed`` entry with ``reason``). So a closed case can be reopened and
    renamed in one call, and renamed and closed in one call. Anything asked that is
    already so is left alone (no entry); ConflictError when nothing at all is asked, or
    when details are to change on a closed case that stays closed."""
    return _change(
        ctx,
        actor,
        case_id,
        status=status,
        reason=reason,
        wanted=_wanted_details(title, legal_basis, reference, retention_until),
        same_status_conflicts=False,
    )


def _change(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    *,
    status: str | None,
    reason: str,
    wanted: dict[str, Any],
    same_status_conflicts: bool,
) -> CaseSummary:
    if status is not None and status not in CASE_STATUSES:
        raise InputError(f"must be one of {', '.join(CASE_STATUSES)}", field="status")
    reason = clean_text(reason, "reason", MAX_REASON, multiline=True)
    if status is None and not wanted:
        raise ConflictError(f"nothing to change in case {case_id}")
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "lead", reopening=True)
        case = store.case_by_id(conn, case_id)
        assert case is not None
        if status == access.status and same_status_conflicts:
            raise ConflictError(f"case {case_id} is {status} already")
        new_status = access.status if status is None else status
        if wanted and access.status == "closed" and new_status == "closed":
            raise ConflictError(f"case {case_id} is closed")
        changes = {k: v for k, v in wanted.items() if getattr(case, k) != v}
        current = access.status

        def to_status(target: str) -> None:
            nonlocal current
            store.set_case_fields(conn, case_id, status=target, updated_at=now)
            data = {"from": current, "to": target, "reason": reason}
            case_log.append_event(conn, ctx, access, actor, "status.changed", data)
            current = target

        if new_status == "open" and current != "open":
            to_status("open")
        if changes:
            store.set_case_fields(conn, case_id, updated_at=now, **changes)
            data = {
                "changed": {
                    k: {"from": _plain(getattr(case, k)), "to": _plain(v)}
                    for k, v in changes.items()
                }
            }
            case_log.append_event(conn, ctx, access, actor, "case.updated", data)
        if new_status != current:
            to_status(new_status)
        return read_summary(conn, actor, access)


def set_status(
    ctx: AppContext, actor: Actor, case_id: int, status: str, *, reason: str = ""
) -> CaseSummary:
    """Suspend, close or reopen the case (its lead only), with the reason recorded;
    ConflictError when it has that status already. (:func:`change_case` does more.)"""
    if status not in CASE_STATUSES:
        raise InputError(f"must be one of {', '.join(CASE_STATUSES)}", field="status")
    return _change(
        ctx,
        actor,
        case_id,
        status=status,
        reason=reason,
        wanted={},
        same_status_conflicts=True,
    )


def update_case(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    *,
    title: str | None = None,
    legal_basis: str | None = None,
    reference: str | None = None,
    retention_until: date | None = None,
) -> CaseSummary:
    """Change the case's title, legal basis, reference or retention date (its lead
    only; None: unchanged; nothing asked or nothing different: no entry).
    (:func:`change_case` does more.)"""
    wanted = _wanted_details(title, legal_basis, reference, retention_until)
    if not wanted:
        with ctx.database.reading() as conn:
            access = case_access(conn, actor, case_id, "lead")
            return read_summary(conn, actor, access)
    return change_case(
        ctx,
        actor,
        case_id,
        title=title,
        legal_basis=legal_basis,
        reference=reference,
        retention_until=retention_until,
    )


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
