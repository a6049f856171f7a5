"""Changes on an action day: assign a target, move its status (with outcome fields and a
note), tick its checklist, raise and resolve issues.

Each runs in one transaction that takes the operation's row lock first, checks who may
do it (:mod:`leaktrace.services.operation_access`), changes the rows and records the
change as an evidence-log entry and a live event
(:func:`leaktrace.services.operation_events.record_change`): the change, its evidence and
its event commit together or not at all.

A target is named by its id or by its label (a server's address, a handle), compared
without case; a label that names several targets (different kinds) must be given by id.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.operations.model import (
    CHECKLIST,
    AgencyRole,
    TargetStatus,
    check_move,
    checked_outcome,
    checked_text,
    parse_status,
)
from leaktrace.services.case_log import writing
from leaktrace.services.context import AppContext
from leaktrace.services.operation_access import (
    MAX_ID,
    OperationAccess,
    operation_access,
    require_change,
)
from leaktrace.services.operation_board import issue_view, shown_target
from leaktrace.services.operation_events import record_change, target_fields
from leaktrace.services.operation_views import OperationIssueView, OperationTargetView
from leaktrace.store import operations as store
from leaktrace.store.operations import TargetRecord

__all__ = [
    "assign_target",
    "change_status",
    "check_item",
    "find_target",
    "raise_issue",
    "resolve_issue",
]

NOTE_LIMIT = 2000


@dataclass(frozen=True, slots=True)
class _Locked:
    conn: Connection
    access: OperationAccess
    now: datetime


@contextmanager
def _changing(ctx: AppContext, actor: Actor, operation_id: int) -> Iterator[_Locked]:
    """A write transaction on the operation: access checked (``write``), then its row
    lock taken (before any event id is drawn)."""
    now = datetime.now(UTC)
    with writing(ctx) as conn:
        operation_access(conn, actor, operation_id, "write")
        store.lock_operation(conn, operation_id, now)
        access = operation_access(conn, actor, operation_id, "write")  # as locked
        yield _Locked(conn, access, now)


def find_target(conn: Connection, operation_id: int, ref: str | int) -> TargetRecord:
    """The target named ``ref`` (its id, or its label), or NotFoundError (kind
    ``operation-target``); InputError when a label names several."""
    text = str(ref).strip()
    if text.isascii() and text.isdigit():
        number = int(text)
        found = store.target_by_id(conn, operation_id, number) if number <= MAX_ID else None
        if found is not None:
            return found
    matches = store.targets_by_label(conn, operation_id, text)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        ids = ", ".join(f"{t.id} ({t.kind})" for t in matches)
        raise InputError(
            f"{text!r} names several targets: give one of the ids {ids}", field="target"
        )
    raise NotFoundError(
        f"operation {operation_id} has no target {text!r}", kind="operation-target", key=text
    )


def _view(locked: _Locked, actor: Actor, target_id: int) -> OperationTargetView:
    record = store.target_by_id(locked.conn, locked.access.operation.id, target_id)
    assert record is not None
    counts = store.open_issue_counts(locked.conn, locked.access.operation.id)
    return shown_target(locked.conn, locked.access, actor, record, counts)


def assign_target(
    ctx: AppContext, actor: Actor, operation_id: int, target: str | int, agency: str
) -> OperationTargetView:
    """Assign ``target`` to the participating agency ``agency`` (coordinators only)."""
    with _changing(ctx, actor, operation_id) as locked:
        if not locked.access.coordinates:
            raise PermissionDeniedError(
                "only the operation's coordinators assign targets",
                permission=Permission.write_cases.value,
            )
        record = find_target(locked.conn, operation_id, target)
        code = agency.strip()
        members = {a.code: a for a in store.agencies_of(locked.conn, operation_id)}
        member = members.get(code)
        if member is None or member.role == AgencyRole.observer.value:
            acting = ", ".join(
                sorted(c for c, a in members.items() if a.role != AgencyRole.observer.value)
            )
            raise InputError(
                f"{code!r} does not act in this operation (agencies that do: {acting})",
                field="agency",
            )
        if record.agency_id == member.agency_id:
            return _view(locked, actor, record.id)
        store.update_target(
            locked.conn,
            record.id,
            agency_id=member.agency_id,
            updated_at=locked.now,
            updated_by=actor.name,
        )
        after = find_target(locked.conn, operation_id, record.id)
        record_change(
            locked.conn,
            ctx,
            actor,
            locked.access,
            log_event="operation.assigned",
            log_data={"target": record.label, "agency": code, "from": record.agency_code},
            event={"type": "assigned", **target_fields(after), "status": after.status},
        )
        return _view(locked, actor, record.id)


def change_status(
    ctx: AppContext,
    actor: Actor,
    operation_id: int,
    target: str | int,
    status: str,
    *,
    note: str | None = None,
    outcome: Mapping[str, Any] | None = None,
) -> OperationTargetView:
    """Move ``target`` to ``status`` (``planned → go → in-progress → done | failed |
    aborted``), with an optional note and outcome fields (``seized``, ``arrested``,
    ``offline``, ``moved_to``). Only the target's agency and coordinators may."""
    new = parse_status(status)
    text = checked_text(note, "note", limit=NOTE_LIMIT)
    fields = checked_outcome(outcome or {})
    with _changing(ctx, actor, operation_id) as locked:
        record = find_target(locked.conn, operation_id, target)
        require_change(locked.access, record)
        current = TargetStatus(record.status)
        check_move(current, new)
        merged = {**record.outcome, **fields}
        store.update_target(
            locked.conn,
            record.id,
            status=new.value,
            outcome=merged,
            note=text if text is not None else record.note,
            updated_at=locked.now,
            updated_by=actor.name,
        )
        log_data: dict[str, Any] = {"target": record.label, "from": current.value, "to": new.value}
        if text:
            log_data["note"] = text
        if fields:
            log_data["outcome"] = {k: v for k, v in fields.items()}
        record_change(
            locked.conn,
            ctx,
            actor,
            locked.access,
            log_event="operation.status",
            log_data=log_data,
            event={
                "type": "status",
                **target_fields(record),
                "status": new.value,
                "previous": current.value,
                "note": text,
                "outcome": merged or None,
            },
        )
        return _view(locked, actor, record.id)


def check_item(
    ctx: AppContext,
    actor: Actor,
    operation_id: int,
    target: str | int,
    item: str,
    *,
    reference: str | None = None,
    undo: bool = False,
) -> OperationTargetView:
    """Tick (or, with ``undo``, clear) checklist ``item`` of ``target``, with its
    reference (the authorisation's number, an exhibit)."""
    keys = [key for key, _ in CHECKLIST]
    name = item.strip().lower()
    if name not in keys:
        raise InputError(
            f"unknown checklist item {item!r} (one of {', '.join(keys)})", field="item"
        )
    text = checked_text(reference, "reference", limit=300)
    with _changing(ctx, actor, operation_id) as locked:
        record = find_target(locked.conn, operation_id, target)
        require_change(locked.access, record)
        checklist = dict(record.checklist)
        if undo:
            checklist.pop(name, None)
        else:
            checklist[name] = text or ""
        if checklist == record.checklist:  # nothing changes: no entry, no event
            return _view(locked, actor, record.id)
        store.update_target(
            locked.conn,
            record.id,
            checklist=checklist,
            updated_at=locked.now,
            updated_by=actor.name,
        )
        log_data: dict[str, Any] = {"target": record.label, "item": name, "done": not undo}
        if text:
            log_data["note"] = text
        record_change(
            locked.conn,
            ctx,
            actor,
            locked.access,
            log_event="operation.checked",
            log_data=log_data,
            event={
                "type": "checked",
                **target_fields(record),
                "status": record.status,
                "item": name,
                "note": None if undo else (text or ""),
            },
        )
        return _view(locked, actor, record.id)


def raise_issue(
    ctx: AppContext, actor: Actor, operation_id: int, target: str | int, text: str
) -> OperationIssueView:
    """Raise a problem on ``target`` ("server moved to another provider", "warrant
    missing"): any participating agency (observers too) whose user may write."""
    words = checked_text(text, "text", limit=NOTE_LIMIT, required=True)
    assert words is not None
    actor.require(Permission.write_cases)
    now = datetime.now(UTC)
    with writing(ctx) as conn:
        access = operation_access(conn, actor, operation_id)  # observers may raise issues
        store.lock_operation(conn, operation_id, now)
        record = find_target(conn, operation_id, target)
        issue_id = store.insert_issue(
            conn,
            operation_id=operation_id,
            target_id=record.id,
            text=words,
            raised_by=actor.name,
            raised_agency=actor.agency_code,
            now=now,
        )
        record_change(
            conn,
            ctx,
            actor,
            access,
            log_event="operation.issue",
            log_data={"target": record.label, "text": words, "issue": issue_id},
            event={
                "type": "issue",
                **target_fields(record),
                "status": record.status,
                "issue_id": issue_id,
                "text": words,
            },
        )
        issue = store.issue_by_id(conn, operation_id, issue_id)
        assert issue is not None
        return issue_view(issue, handling=access.operation.handling)


def resolve_issue(
    ctx: AppContext, actor: Actor, operation_id: int, issue_id: int, resolution: str | None = None
) -> OperationIssueView:
    """Close an open issue: coordinators, the agency that raised it, or the target's
    agency."""
    text = checked_text(resolution, "resolution", limit=NOTE_LIMIT)
    actor.require(Permission.write_cases)
    now = datetime.now(UTC)
    with writing(ctx) as conn:
        access = operation_access(conn, actor, operation_id)
        store.lock_operation(conn, operation_id, now)
        issue = store.issue_by_id(conn, operation_id, issue_id) if issue_id <= MAX_ID else None
        if issue is None:
            raise NotFoundError(
                f"operation {operation_id} has no issue {issue_id}",
                kind="operation-issue",
                key=str(issue_id),
            )
        record = find_target(conn, operation_id, issue.target_id)
        allowed = (
            access.coordinates
            or (issue.raised_agency is not None and issue.raised_agency == access.agency_code)
            or (record.agency_id is not None and record.agency_id == access.agency_id)
        )
        if not allowed:
            raise PermissionDeniedError(
                "only coordinators, the agency that raised an issue and the target's agency "
                "resolve it",
                permission=Permission.write_cases.value,
            )
        if issue.resolved_at is not None:
            return issue_view(issue, handling=access.operation.handling)
        store.resolve_issue(conn, issue_id, by=actor.name, resolution=text or "", now=now)
        log_data: dict[str, Any] = {"target": record.label, "issue": issue_id}
        if text:
            log_data["note"] = text
        record_change(
            conn,
            ctx,
            actor,
            access,
            log_event="operation.resolved",
            log_data=log_data,
            event={
                "type": "resolved",
                **target_fields(record),
                "status": record.status,
                "issue_id": issue_id,
                "note": text,
            },
        )
        resolved = store.issue_by_id(conn, operation_id, issue_id)
        assert resolved is not None
        return issue_view(resolved, handling=access.operation.handling)
