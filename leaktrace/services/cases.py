"""Cases: open, list, show (audited), members, subjects, tasks, notes, status.

Every change is an entry of the case's evidence log (:mod:`leaktrace.services.case_log`),
written in the same transaction as the change itself: the change and its entry are
committed together or not at all. Another agency's case answers exactly like a case that
does not exist (:func:`leaktrace.services.case_access.case_access`). OWNER: cases helper
(H2).
"""

from __future__ import annotations

import unicodedata
import uuid
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit, case_log, case_timeline
from leaktrace.services.case_access import CaseAccess, case_access
from leaktrace.services.case_views import (
    CASE_STATUSES,
    MEMBER_ROLES,
    SUBJECT_KINDS,
    CaseDetail,
    CaseItemView,
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
    "case_text",
    "item_view",
    "list_cases",
    "open_case",
    "set_status",
    "show_case",
    "update_case",
    "update_task",
]

MAX_TITLE = 300
MAX_LEGAL_BASIS = 10_000
MAX_REFERENCE = 200
MAX_SUBJECT = 300
MAX_NOTE = 10_000
MAX_REASON = 2_000
TASK_STATUSES = ("open", "done")


def case_text(
    value: str | None,
    field: str,
    limit: int,
    *,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """``value`` stripped and checked: at most ``limit`` characters, no control
    characters (line breaks and tabs only when ``multiline``), not empty when
    ``required``."""
    text = (value or "").strip()
    if required and not text:
        raise InputError("must not be empty", field=field)
    if len(text) > limit:
        raise InputError(f"at most {limit} characters", field=field)
    allowed = "\n\r\t" if multiline else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in text):
        raise InputError("must not contain control characters", field=field)
    return text


def _now() -> datetime:
    return datetime.now(UTC)


def _changed(conn: Connection, case_id: int, now: datetime) -> None:
    """Mark the case changed: its first write in the transaction, so that on SQLite the
    transaction holds the database's write lock before ids are handed out."""
    store.set_case_fields(conn, case_id, updated_at=now)


# -- views ------------------------------------------------------------------------------


def _summary(record: store.CaseSummaryRecord, actor: Actor) -> CaseSummary:
    values = asdict(record)
    values["my_role"] = "operator" if actor.is_local else record.my_role
    return CaseSummary.model_validate(values)


def _member_view(member: store.MemberRecord) -> CaseMemberView:
    return CaseMemberView(
        agency=member.agency,
        agency_name=member.agency_name,
        role=member.role,
        added_at=member.added_at,
    )


def _task_view(task: store.TaskRecord) -> CaseTaskView:
    return CaseTaskView.model_validate(asdict(task))


def item_view(item: store.ItemRecord) -> CaseItemView:
    return CaseItemView.model_validate(asdict(item))


def _read_summary(conn: Connection, actor: Actor, case_id: int) -> CaseSummary:
    agency = None if actor.is_local else actor.agency_id
    (record,) = store.case_summaries(conn, agency_id=agency, case_id=case_id)
    return _summary(record, actor)


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
    title = case_text(title, "title", MAX_TITLE, required=True)
    legal_basis = case_text(legal_basis, "legal_basis", MAX_LEGAL_BASIS, multiline=True)
    reference = case_text(reference, "reference", MAX_REFERENCE)
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
    first; ``writable``: only open cases where the actor may add evidence (the "add to
    case" menus); ``retention_due``: only cases past their retention date. Not audited
    (the list names no evidence); :func:`show_case` is."""
    actor.require(Permission.read_cases)
    if status is not None and status not in CASE_STATUSES:
        raise InputError(f"must be one of {', '.join(CASE_STATUSES)}", field="status")
    if writable and not actor.can(Permission.write_cases):
        return []
    if actor.agency_id is None and not actor.is_local:
        return []
    with ctx.database.reading() as conn:
        records = store.case_summaries(
            conn, agency_id=None if actor.is_local else actor.agency_id, status=status
        )
    cases = [_summary(record, actor) for record in records]
    if writable:
        cases = [c for c in cases if c.status == "open" and c.my_role != "observer"]
    if retention_due:
        cases = [c for c in cases if c.retention_due]
    return cases


def show_case(ctx: AppContext, actor: Actor, case_id: int) -> CaseDetail:
    """One case with members, subjects, tasks, notes, evidence, timeline and its latest
    signed tree head. Audited (``case.read``)."""
    with ctx.database.transaction() as conn:
        case_access(conn, actor, case_id, "read")
        audit.record(conn, actor, "case.read", f"case {case_id}")
        case = store.case_by_id(conn, case_id)
        assert case is not None
        summary = _read_summary(conn, actor, case_id)
        return CaseDetail.model_validate(
            summary.model_dump()
            | {
                "legal_basis": case.legal_basis,
                "created_by": case.created_by,
                "members": [_member_view(m) for m in store.members_of(conn, case_id)],
                "subjects": [asdict(s) for s in store.subjects_of(conn, case_id)],
                "tasks": [_task_view(t) for t in store.tasks_of(conn, case_id)],
                "notes": [asdict(n) for n in store.notes_of(conn, case_id)],
                "evidence": [item_view(i) for i in store.items_of(conn, case_id)],
                "timeline": case_timeline.timeline(conn, case_id),
                "tree_head": case_log.tree_head_view(conn, case_id),
            }
        )


# -- members and subjects ---------------------------------------------------------------


def add_member(
    ctx: AppContext, actor: Actor, case_id: int, agency: str, role: str = "member"
) -> CaseMemberView:
    """Make ``agency`` (a code) a ``member`` or ``observer`` of the case (its lead only)."""
    if role not in MEMBER_ROLES:
        raise InputError(f"must be one of {', '.join(MEMBER_ROLES)}", field="role")
    code = case_text(agency, "agency", 32, required=True).upper()
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "lead")
        found = agency_by_code(conn, code)
        if found is None:
            raise NotFoundError(f"no agency {code}", kind="agency", key=code)
        if store.member_role(conn, case_id, found.id) is not None:
            raise ConflictError(f"{found.code} is a member of case {case_id} already")
        _changed(conn, case_id, now)
        store.insert_member(conn, case_id=case_id, agency_id=found.id, role=role, now=now)
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
    value = case_text(value, "value", MAX_SUBJECT, required=True)
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
    email = case_text(assignee, "assignee", 320).lower()
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
    title = case_text(title, "title", MAX_TITLE, required=True)
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
    return _task_view(task)


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
    return _task_view(task)


def add_note(ctx: AppContext, actor: Actor, case_id: int, text: str) -> CaseNoteView:
    """A note (1-10000 characters); notes are never changed or removed."""
    text = case_text(text, "text", MAX_NOTE, required=True, multiline=True)
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "write")
        _changed(conn, case_id, now)
        note_id = store.next_id(conn, "case_notes")
        data = {"note": note_id, "text": text}
        seq = case_log.append_event(conn, ctx, access, actor, "note.added", data)
        store.insert_note(
            conn,
            note_id=note_id,
            case_id=case_id,
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


# -- status and details -----------------------------------------------------------------


def set_status(
    ctx: AppContext, actor: Actor, case_id: int, status: str, *, reason: str = ""
) -> CaseSummary:
    """Suspend, close or reopen the case (its lead only), with the reason recorded."""
    if status not in CASE_STATUSES:
        raise InputError(f"must be one of {', '.join(CASE_STATUSES)}", field="status")
    reason = case_text(reason, "reason", MAX_REASON, multiline=True)
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "lead", reopening=True)
        if access.status == status:
            raise ConflictError(f"case {case_id} is {status} already")
        store.set_case_fields(conn, case_id, status=status, updated_at=now)
        data = {"from": access.status, "to": status, "reason": reason}
        case_log.append_event(conn, ctx, access, actor, "status.changed", data)
        return _read_summary(conn, actor, case_id)


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
    only; None: unchanged). Each change names the old and new value in the log."""
    wanted: dict[str, Any] = {}
    if title is not None:
        wanted["title"] = case_text(title, "title", MAX_TITLE, required=True)
    if legal_basis is not None:
        wanted["legal_basis"] = case_text(
            legal_basis, "legal_basis", MAX_LEGAL_BASIS, multiline=True
        )
    if reference is not None:
        wanted["reference"] = case_text(reference, "reference", MAX_REFERENCE)
    if retention_until is not None:
        wanted["retention_until"] = retention_until
    now = _now()
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "lead")
        case = store.case_by_id(conn, case_id)
        assert case is not None
        changes = {k: v for k, v in wanted.items() if getattr(case, k) != v}
        if changes:
            store.set_case_fields(conn, case_id, updated_at=now, **changes)
            data = {
                "changed": {
                    k: {"from": _plain(getattr(case, k)), "to": _plain(v)}
                    for k, v in changes.items()
                }
            }
            case_log.append_event(conn, ctx, access, actor, "case.updated", data)
        return _read_summary(conn, actor, case_id)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value
