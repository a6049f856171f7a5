"""Cases: open, list, show (audited), members, subjects, tasks, notes, status.

Every change is an entry of the case's evidence log (:mod:`leaktrace.services.case_log`),
written in the same transaction as the change itself: the change and its entry are
committed together or not at all. Another agency's case answers exactly like a case that
does not exist (:func:`leaktrace.services.case_access.case_access`). Free text is checked
by :func:`leaktrace.services.case_text.clean_text`; read models are built by
:mod:`leaktrace.services.case_reading`. OWNER: cases helper (H2, then F1).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.operations.timezones import country_zone
from leaktrace.services import audit, case_log
from leaktrace.services.case_access import CaseAccess, abilities, case_access
from leaktrace.services.case_changes import change_case, set_status, update_case
from leaktrace.services.case_reading import (
    case_detail,
    item_view,
    summary_view,
    task_view,
)
from leaktrace.services.case_shared import refuse_blind_members, shared_markings
from leaktrace.services.case_text import (
    MAX_LEGAL_BASIS,
    MAX_NOTE,
    MAX_REASON,
    MAX_REFERENCE,
    MAX_SUBJECT,
    MAX_TITLE,
    clean_text,
)
from leaktrace.services.case_views import (
    CASE_STATUSES,
    MEMBER_ROLES,
    SUBJECT_KINDS,
    CaseDetail,
    CaseMemberView,
    CaseNoteView,
    CaseRef,
    CaseSubjectView,
    CaseSummary,
    CaseTaskView,
)
from leaktrace.services.context import AppContext
from leaktrace.store import cases as store
from leaktrace.store.identity import agency_by_code
from leaktrace.store.operations import join_case_operations

__all__ = [
    "MAX_LEGAL_BASIS",
    "MAX_NOTE",
    "MAX_REASON",
    "MAX_REFERENCE",
    "MAX_TITLE",
    "TASK_STATUSES",
    "add_member",
    "add_note",
    "add_subject",
    "add_task",
    "case_detail",
    "change_case",
    "item_view",
    "list_cases",
    "open_case",
    "set_status",
    "show_case",
    "update_case",
    "update_task",
    "write_note",
]

TASK_STATUSES = ("open", "done")
LISTED_IDS = 100
"""How many case ids the audit entry of a listing names."""


def _now() -> datetime:
    return datetime.now(UTC)


def _changed(conn: Connection, case_id: int, now: datetime) -> None:
    """Mark the case changed: its first write in the transaction, so that on SQLite the
    transaction holds the database's write lock before ids are handed out."""
    store.set_case_fields(conn, case_id, updated_at=now)


# -- opening and listing ----------------------------------------------------------------


def _owner_agency(conn: Connection, actor: Actor, agency: str | None) -> tuple[int, str]:
    """The agency a new case belongs to: the user's own, or the one the command line
    names."""
    code = (agency or "").strip().upper()
    if not actor.is_local:
        assert actor.agency_id is not None and actor.agency_code is not None
        if code and code != actor.agency_code.upper():
            raise PermissionDeniedError(
                f"a user of {actor.agency_code} opens cases for {actor.agency_code} only",
                permission="write:cases",
            )
        return actor.agency_id, actor.agency_code
    if not code:
        raise InputError("name the agency that owns the case (--agency CODE)", field="agency")
    found = agency_by_code(conn, code)
    if found is None:
        raise NotFoundError(f"no agency {code}", kind="agency", key=code)
    return found.id, found.code


def open_case(
    ctx: AppContext,
    actor: Actor,
    title: str,
    *,
    agency: str | None = None,
    legal_basis: str = "",
    reference: str = "",
    retention_until: date | None = None,
) -> CaseRef:
    """Open a case owned by ``agency`` (a code; a user's own agency by default, required
    for the command line); the owner becomes its ``lead`` member."""
    actor.require(Permission.write_cases)
    title = clean_text(title, "title", MAX_TITLE, required=True)
    legal_basis = clean_text(legal_basis, "legal_basis", MAX_LEGAL_BASIS, multiline=True)
    reference = clean_text(reference, "reference", MAX_REFERENCE)
    now = _now()
    with case_log.writing(ctx) as conn:
        owner_id, owner_code = _owner_agency(conn, actor, agency)
        case_id = store.insert_case(
            conn,
            owner_agency_id=owner_id,
            title=title,
            legal_basis=legal_basis,
            reference=reference,
            retention_until=retention_until,
            log_id=f"pending:{uuid.uuid4().hex}",
            created_by=actor.name,
            now=now,
        )
        log_id = case_log.log_id_for(ctx, case_id)
        store.set_case_fields(conn, case_id, log_id=log_id)
        store.insert_member(conn, case_id=case_id, agency_id=owner_id, role="lead", now=now)
        access = CaseAccess(
            case_id=case_id,
            log_id=log_id,
            title=title,
            status="open",
            owner_agency_id=owner_id,
            role="operator" if actor.is_local else "lead",
        )
        data = {
            "title": title,
            "agency": owner_code,
            "status": "open",
            "legal_basis": legal_basis,
            "reference": reference,
            "retention_until": None if retention_until is None else retention_until.isoformat(),
        }
        case_log.append_event(conn, ctx, access, actor, "case.opened", data)
    return CaseRef(id=case_id)


def list_cases(
    ctx: AppContext,
    actor: Actor,
    *,
    status: str | None = None,
    writable: bool = False,
    retention_due: bool = False,
) -> list[CaseSummary]:
    """The cases the actor's agency is a member of (all, for the command line), newest
    first; ``writable``: only cases where the actor may add evidence (the "add to case"
    menus: the same rule as :attr:`CaseDetail.may`'s ``add``); ``retention_due``: only
    cases past their retention date. Audited (``case.list``, naming the ids listed):
    every read of cases is; :func:`show_case` audits reading one."""
    actor.require(Permission.read_cases)
    if status is not None and status not in CASE_STATUSES:
        raise InputError(f"must be one of {', '.join(CASE_STATUSES)}", field="status")
    if writable and not actor.can(Permission.write_cases):
        return []
    if actor.agency_id is None and not actor.is_local:
        return []
    with ctx.database.transaction() as conn:
        records = store.case_summaries(
            conn, agency_id=None if actor.is_local else actor.agency_id, status=status
        )
        cases = [summary_view(r, "operator" if actor.is_local else None) for r in records]
        if writable:
            cases = [c for c in cases if abilities(actor, c.my_role, c.status).add]
        if retention_due:
            cases = [c for c in cases if c.retention_due]
        audit.record(conn, actor, "case.list", "cases", _listed(cases, writable=writable))
    return cases


def _listed(cases: list[CaseSummary], *, writable: bool) -> str:
    """The audit detail of a listing: how many and which (the first 100 ids)."""
    ids = [str(c.id) for c in cases[:LISTED_IDS]]
    more = f" and {len(cases) - LISTED_IDS} more" if len(cases) > LISTED_IDS else ""
    menu = " (add-to-case menu)" if writable else ""
    return f"{len(cases)} cases{menu}: {', '.join(ids)}{more}"


def show_case(ctx: AppContext, actor: Actor, case_id: int) -> CaseDetail:
    """One case with members, subjects, tasks, notes, evidence, timeline, its latest
    signed tree head and what the actor may do (:func:`case_detail`). Audited
    (``case.read``, recorded last: the transaction reads before it writes)."""
    with ctx.database.transaction() as conn:
        access = case_access(conn, actor, case_id, "read")
        detail = case_detail(conn, actor, access)
        audit.record(conn, actor, "case.read", f"case {case_id}")
    return detail


# -- members and subjects ---------------------------------------------------------------


def add_member(
    ctx: AppContext, actor: Actor, case_id: int, agency: str, role: str = "member"
) -> CaseMemberView:
    """Make ``agency`` (a code) a ``member`` or ``observer`` of the case (its lead only)."""
    if role not in MEMBER_ROLES:
        raise InputError(f"must be one of {', '.join(MEMBER_ROLES)}", field="role")
    code = clean_text(agency, "agency", 32, required=True).upper()
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "lead")
        found = agency_by_code(conn, code)
        if found is None:
            raise NotFoundError(f"no agency {code}", kind="agency", key=code)
        if store.member_role(conn, case_id, found.id) is not None:
            raise ConflictError(f"{found.code} is a member of case {case_id} already")
        refuse_blind_members(conn, [(found.id, found.code)], shared_markings(conn, case_id))
        _changed(conn, case_id, now)
        store.insert_member(conn, case_id=case_id, agency_id=found.id, role=role, now=now)
        # the case's log records its action days: a member reads them as an observer
        join_case_operations(conn, case_id, found.id, country_zone(found.country))
        data = {"agency": found.code, "agency_name": found.name, "role": role}
        case_log.append_event(conn, ctx, access, actor, "member.added", data)
    return CaseMemberView(agency=found.code, agency_name=found.name, role=role, added_at=now)


def add_subject(
    ctx: AppContext, actor: Actor, case_id: int, kind: str, value: str
) -> CaseSubjectView:
    """Record who or what the case is about: a release group, a supply account, a host
    or a work."""
    if kind not in SUBJECT_KINDS:
        raise InputError(f"must be one of {', '.join(SUBJECT_KINDS)}", field="kind")
    value = clean_text(value, "value", MAX_SUBJECT, required=True)
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "write")
        if store.has_subject(conn, case_id, kind, value):
            raise ConflictError(f"{kind} {value!r} is a subject of case {case_id} already")
        _changed(conn, case_id, now)
        store.insert_subject(conn, case_id=case_id, kind=kind, value=value, now=now)
        data = {"kind": kind, "value": value}
        case_log.append_event(conn, ctx, access, actor, "subject.added", data)
    return CaseSubjectView(kind=kind, value=value, added_at=now)


# -- tasks and notes --------------------------------------------------------------------


def _assignee(conn: Connection, case_id: int, assignee: str | None) -> str | None:
    """``assignee`` as stored (lower-cased), checked to be an active user of a member
    agency; None (or empty): nobody."""
    email = clean_text(assignee, "assignee", 320).lower()
    if not email:
        return None
    if not store.active_member_user(conn, case_id, email):
        raise InputError(
            f"{email} is not an active user of an agency that is a member of case {case_id}",
            field="assignee",
        )
    return email


def add_task(
    ctx: AppContext, actor: Actor, case_id: int, title: str, *, assignee: str | None = None
) -> CaseTaskView:
    """A new open task, assigned to a user of a member agency (or to nobody yet)."""
    title = clean_text(title, "title", MAX_TITLE, required=True)
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "write")
        email = _assignee(conn, case_id, assignee)
        _changed(conn, case_id, now)
        task_id = store.insert_task(conn, case_id=case_id, title=title, assignee=email, now=now)
        data = {"task": task_id, "title": title, "assignee": email, "status": "open"}
        case_log.append_event(conn, ctx, access, actor, "task.added", data)
        task = store.task_by_id(conn, case_id, task_id)
    assert task is not None
    return task_view(task)


def update_task(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    task_id: int,
    *,
    status: str | None = None,
    assignee: str | None = None,
) -> CaseTaskView:
    """Change a task's status (``open``/``done``) and/or assignee (``""``: nobody).
    Nothing changed: no log entry."""
    if status is not None and status not in TASK_STATUSES:
        raise InputError(f"must be one of {', '.join(TASK_STATUSES)}", field="status")
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "write")
        task = store.task_by_id(conn, case_id, task_id) if 0 < task_id < 2**31 else None
        if task is None:
            raise NotFoundError(
                f"no task {task_id} in case {case_id}", kind="task", key=str(task_id)
            )
        changes: dict[str, Any] = {}
        if status is not None and status != task.status:
            changes["status"] = status
        if assignee is not None:
            email = _assignee(conn, case_id, assignee)
            if email != task.assignee:
                changes["assignee"] = email
        if changes:
            _changed(conn, case_id, now)
            store.update_task(conn, task_id, updated_at=now, **changes)
            data = {"task": task_id, "title": task.title, **changes}
            case_log.append_event(conn, ctx, access, actor, "task.updated", data)
        task = store.task_by_id(conn, case_id, task_id)
    assert task is not None
    return task_view(task)


def add_note(ctx: AppContext, actor: Actor, case_id: int, text: str) -> CaseNoteView:
    """A note (1-10000 characters, may span lines); notes are never changed or removed."""
    text = clean_text(text, "text", MAX_NOTE, required=True, multiline=True)
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "write")
        _changed(conn, case_id, now)
        return write_note(conn, ctx, access, actor, text, now)


def write_note(
    conn: Connection,
    ctx: AppContext,
    access: CaseAccess,
    actor: Actor,
    text: str,
    now: datetime,
) -> CaseNoteView:
    """Write the note ``text`` (checked already) and its ``note.added`` entry, in the
    caller's case-writing transaction (which has written to the case already)."""
    note_id = store.next_id(conn, "case_notes")
    data = {"note": note_id, "text": text}
    seq = case_log.append_event(conn, ctx, access, actor, "note.added", data)
    store.insert_note(
        conn,
        note_id=note_id,
        case_id=access.case_id,
        text=text,
        author=actor.name,
        agency=actor.agency_code,
        entry_seq=seq,
        now=now,
    )
    return CaseNoteView(
        id=note_id,
        text=text,
        author=actor.name,
        agency=actor.agency_code,
        added_at=now,
        entry_seq=seq,
    )
