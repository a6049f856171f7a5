"""Action days in the database: operations, their agencies, targets and issues (portable
SQL). The services decide who may see and change what
(:mod:`leaktrace.services.operation_access`); this module only reads and writes rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Row

from leaktrace.store.schema_access import AGENCIES
from leaktrace.store.schema_operations import (
    OPERATION_AGENCIES,
    OPERATION_ISSUES,
    OPERATION_TARGETS,
    OPERATIONS,
)

__all__ = [
    "IssueRecord",
    "OperationAgencyRecord",
    "OperationRecord",
    "TargetRecord",
    "agencies_of",
    "agency_role",
    "insert_agencies",
    "insert_issue",
    "insert_operation",
    "insert_target",
    "issue_by_id",
    "issues_of",
    "join_case_operations",
    "lock_operation",
    "open_issue_counts",
    "operation_by_id",
    "operation_by_name",
    "operations_of_agency",
    "resolve_issue",
    "target_by_id",
    "targets_by_label",
    "targets_of",
    "update_target",
]


@dataclass(frozen=True, slots=True)
class OperationRecord:
    id: int
    case_id: int
    name: str
    day: date
    h_hour: str
    handling: str
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class OperationAgencyRecord:
    agency_id: int
    code: str
    name: str
    country: str
    kind: str
    role: str
    timezone: str


@dataclass(frozen=True, slots=True)
class TargetRecord:
    id: int
    operation_id: int
    kind: str
    label: str
    country: str | None
    group_name: str | None
    reference: str | None
    real_name: str | None
    agency_id: int | None
    agency_code: str | None
    status: str
    checklist: dict[str, str]
    outcome: dict[str, Any]
    note: str | None
    updated_at: datetime
    updated_by: str | None


@dataclass(frozen=True, slots=True)
class IssueRecord:
    id: int
    operation_id: int
    target_id: int
    target_label: str
    text: str
    raised_by: str
    raised_agency: str | None
    raised_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    resolution: str | None


# --- operations ------------------------------------------------------------------------


def _operation(row: Row[Any]) -> OperationRecord:
    return OperationRecord(
        id=row.id,
        case_id=row.case_id,
        name=row.name,
        day=row.day,
        h_hour=row.h_hour,
        handling=row.handling,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def insert_operation(
    conn: Connection,
    *,
    case_id: int,
    name: str,
    day: date,
    h_hour: str,
    handling: str,
    created_by: str,
    now: datetime,
) -> int:
    """The new operation's id (the caller holds the case's write lock and has checked
    that the name is free)."""
    result = conn.execute(
        OPERATIONS.insert()
        .values(
            case_id=case_id,
            name=name,
            day=day,
            h_hour=h_hour,
            handling=handling,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        .returning(OPERATIONS.c.id)
    )
    return int(result.scalar_one())


def operation_by_id(conn: Connection, operation_id: int) -> OperationRecord | None:
    row = conn.execute(select(OPERATIONS).where(OPERATIONS.c.id == operation_id)).first()
    return None if row is None else _operation(row)


def operation_by_name(conn: Connection, case_id: int, name: str) -> OperationRecord | None:
    row = conn.execute(
        select(OPERATIONS).where(OPERATIONS.c.case_id == case_id, OPERATIONS.c.name == name)
    ).first()
    return None if row is None else _operation(row)


def lock_operation(conn: Connection, operation_id: int, at: datetime) -> OperationRecord | None:
    """Mark the operation changed at ``at`` and take its row's write lock until the
    transaction ends (PostgreSQL: the row lock; SQLite: the database's write lock): every
    change of an operation, and so every event of its topic, is serialised. None when
    there is no such operation."""
    conn.execute(update(OPERATIONS).where(OPERATIONS.c.id == operation_id).values(updated_at=at))
    return operation_by_id(conn, operation_id)


def operations_of_agency(conn: Connection, agency_id: int | None) -> list[OperationRecord]:
    """Operations ``agency_id`` takes part in (every operation for None: the command
    line's operator), newest first."""
    query = select(OPERATIONS).order_by(OPERATIONS.c.day.desc(), OPERATIONS.c.id.desc())
    if agency_id is not None:
        query = query.where(
            OPERATIONS.c.id.in_(
                select(OPERATION_AGENCIES.c.operation_id).where(
                    OPERATION_AGENCIES.c.agency_id == agency_id
                )
            )
        )
    return [_operation(row) for row in conn.execute(query)]


# --- agencies --------------------------------------------------------------------------


def insert_agencies(
    conn: Connection, operation_id: int, agencies: Iterable[tuple[int, str, str]]
) -> None:
    """Add (agency id, role, time zone) rows."""
    rows = [
        {"operation_id": operation_id, "agency_id": agency_id, "role": role, "timezone": zone}
        for agency_id, role, zone in agencies
    ]
    if rows:
        conn.execute(OPERATION_AGENCIES.insert(), rows)


def join_case_operations(conn: Connection, case_id: int, agency_id: int, zone: str) -> int:
    """Make ``agency_id`` an observer of every operation of the case it does not take
    part in yet (a new member of the case reads its evidence log, which records them);
    how many it joined."""
    joined = 0
    for operation_id in conn.execute(
        select(OPERATIONS.c.id).where(OPERATIONS.c.case_id == case_id)
    ).scalars():
        if agency_role(conn, operation_id, agency_id) is None:
            insert_agencies(conn, operation_id, [(agency_id, "observer", zone)])
            joined += 1
    return joined


def agencies_of(conn: Connection, operation_id: int) -> list[OperationAgencyRecord]:
    rows = conn.execute(
        select(
            OPERATION_AGENCIES.c.agency_id,
            AGENCIES.c.code,
            AGENCIES.c.name,
            AGENCIES.c.country,
            AGENCIES.c.kind,
            OPERATION_AGENCIES.c.role,
            OPERATION_AGENCIES.c.timezone,
        )
        .select_from(
            OPERATION_AGENCIES.join(AGENCIES, AGENCIES.c.id == OPERATION_AGENCIES.c.agency_id)
        )
        .where(OPERATION_AGENCIES.c.operation_id == operation_id)
        .order_by(AGENCIES.c.code)
    )
    return [OperationAgencyRecord(*row) for row in rows]


def agency_role(conn: Connection, operation_id: int, agency_id: int) -> str | None:
    value = conn.execute(
        select(OPERATION_AGENCIES.c.role).where(
            OPERATION_AGENCIES.c.operation_id == operation_id,
            OPERATION_AGENCIES.c.agency_id == agency_id,
        )
    ).scalar_one_or_none()
    return None if value is None else str(value)


# --- targets ---------------------------------------------------------------------------

_TARGET_COLUMNS = (*OPERATION_TARGETS.c, AGENCIES.c.code.label("agency_code"))


def _target_query() -> Any:
    return select(*_TARGET_COLUMNS).select_from(
        OPERATION_TARGETS.outerjoin(AGENCIES, AGENCIES.c.id == OPERATION_TARGETS.c.agency_id)
    )


def _target(row: Row[Any]) -> TargetRecord:
    return TargetRecord(
        id=row.id,
        operation_id=row.operation_id,
        kind=row.kind,
        label=row.label,
        country=row.country,
        group_name=row.group_name,
        reference=row.reference,
        real_name=row.real_name,
        agency_id=row.agency_id,
        agency_code=row.agency_code,
        status=row.status,
        checklist=json.loads(row.checklist),
        outcome=json.loads(row.outcome),
        note=row.note,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def insert_target(
    conn: Connection,
    *,
    operation_id: int,
    kind: str,
    label: str,
    country: str | None,
    group_name: str | None,
    reference: str | None,
    real_name: str | None,
    agency_id: int | None,
    status: str,
    now: datetime,
) -> int | None:
    """Add a target; None when the operation has a target of that kind and label
    already."""
    exists = conn.execute(
        select(OPERATION_TARGETS.c.id).where(
            OPERATION_TARGETS.c.operation_id == operation_id,
            OPERATION_TARGETS.c.kind == kind,
            OPERATION_TARGETS.c.label == label,
        )
    ).first()
    if exists is not None:
        return None
    result = conn.execute(
        OPERATION_TARGETS.insert()
        .values(
            operation_id=operation_id,
            kind=kind,
            label=label,
            country=country,
            group_name=group_name,
            reference=reference,
            real_name=real_name,
            agency_id=agency_id,
            status=status,
            checklist="{}",
            outcome="{}",
            note=None,
            updated_at=now,
            updated_by=None,
        )
        .returning(OPERATION_TARGETS.c.id)
    )
    return int(result.scalar_one())


def targets_of(conn: Connection, operation_id: int) -> list[TargetRecord]:
    rows = conn.execute(
        _target_query()
        .where(OPERATION_TARGETS.c.operation_id == operation_id)
        .order_by(OPERATION_TARGETS.c.id)
    )
    return [_target(row) for row in rows]


def target_by_id(conn: Connection, operation_id: int, target_id: int) -> TargetRecord | None:
    row = conn.execute(
        _target_query().where(
            OPERATION_TARGETS.c.operation_id == operation_id, OPERATION_TARGETS.c.id == target_id
        )
    ).first()
    return None if row is None else _target(row)


def targets_by_label(conn: Connection, operation_id: int, label: str) -> list[TargetRecord]:
    """Targets whose label is exactly ``label``; failing that, those whose label is
    ``label`` compared without case (Unicode case folding, done here: SQLite's
    ``lower()`` folds ASCII only)."""
    rows = conn.execute(
        _target_query()
        .where(OPERATION_TARGETS.c.operation_id == operation_id, OPERATION_TARGETS.c.label == label)
        .order_by(OPERATION_TARGETS.c.id)
    ).all()
    if rows:
        return [_target(row) for row in rows]
    folded = label.casefold()
    return [t for t in targets_of(conn, operation_id) if t.label.casefold() == folded]


def update_target(conn: Connection, target_id: int, **values: Any) -> None:
    """Change columns of a target (``checklist`` and ``outcome`` given as dicts)."""
    for name in ("checklist", "outcome"):
        if name in values:
            values[name] = json.dumps(values[name], ensure_ascii=False, sort_keys=True)
    conn.execute(
        update(OPERATION_TARGETS).where(OPERATION_TARGETS.c.id == target_id).values(**values)
    )


# --- issues ----------------------------------------------------------------------------


def _issue_query() -> Any:
    return select(*OPERATION_ISSUES.c, OPERATION_TARGETS.c.label.label("target_label")).select_from(
        OPERATION_ISSUES.join(
            OPERATION_TARGETS, OPERATION_TARGETS.c.id == OPERATION_ISSUES.c.target_id
        )
    )


def _issue(row: Row[Any]) -> IssueRecord:
    return IssueRecord(
        id=row.id,
        operation_id=row.operation_id,
        target_id=row.target_id,
        target_label=row.target_label,
        text=row.text,
        raised_by=row.raised_by,
        raised_agency=row.raised_agency,
        raised_at=row.raised_at,
        resolved_at=row.resolved_at,
        resolved_by=row.resolved_by,
        resolution=row.resolution,
    )


def insert_issue(
    conn: Connection,
    *,
    operation_id: int,
    target_id: int,
    text: str,
    raised_by: str,
    raised_agency: str | None,
    now: datetime,
) -> int:
    result = conn.execute(
        OPERATION_ISSUES.insert()
        .values(
            operation_id=operation_id,
            target_id=target_id,
            text=text,
            raised_by=raised_by,
            raised_agency=raised_agency,
            raised_at=now,
        )
        .returning(OPERATION_ISSUES.c.id)
    )
    return int(result.scalar_one())


def issues_of(conn: Connection, operation_id: int) -> list[IssueRecord]:
    """Every issue of the operation: open ones first, then oldest first."""
    rows = conn.execute(
        _issue_query()
        .where(OPERATION_ISSUES.c.operation_id == operation_id)
        .order_by(OPERATION_ISSUES.c.resolved_at.is_not(None), OPERATION_ISSUES.c.id)
    )
    return [_issue(row) for row in rows]


def issue_by_id(conn: Connection, operation_id: int, issue_id: int) -> IssueRecord | None:
    row = conn.execute(
        _issue_query().where(
            OPERATION_ISSUES.c.operation_id == operation_id, OPERATION_ISSUES.c.id == issue_id
        )
    ).first()
    return None if row is None else _issue(row)


def resolve_issue(
    conn: Connection, issue_id: int, *, by: str, resolution: str, now: datetime
) -> None:
    conn.execute(
        update(OPERATION_ISSUES)
        .where(OPERATION_ISSUES.c.id == issue_id)
        .values(resolved_at=now, resolved_by=by, resolution=resolution)
    )


def open_issue_counts(conn: Connection, operation_id: int) -> dict[int, int]:
    """Open issues per target id."""
    rows = conn.execute(
        select(OPERATION_ISSUES.c.target_id, func.count())
        .where(
            OPERATION_ISSUES.c.operation_id == operation_id,
            OPERATION_ISSUES.c.resolved_at.is_(None),
        )
        .group_by(OPERATION_ISSUES.c.target_id)
    )
    return {int(target): int(n) for target, n in rows}
