"""Cases, their members, subjects, tasks, notes, evidence items and the blobs they name.

Functions take a :class:`~sqlalchemy.engine.Connection`; the services in
:mod:`leaktrace.services.cases` and :mod:`leaktrace.services.case_items` open the
transactions (and write the evidence log entry of every change in the same one).
Items, notes and blobs are append-only (triggers refuse UPDATE and DELETE): they are only
ever inserted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, null, select, text, update
from sqlalchemy.engine import Connection

from leaktrace.store.portable import insert_ignore
from leaktrace.store.schema_access import AGENCIES, USERS
from leaktrace.store.schema_cases import (
    CASE_ITEMS,
    CASE_MEMBERS,
    CASE_NOTES,
    CASE_SUBJECTS,
    CASE_TASKS,
    CASES,
    EVIDENCE_BLOBS,
    EVIDENCE_ENTRIES,
)

__all__ = [
    "CaseRecord",
    "CaseSummaryRecord",
    "ItemRecord",
    "MemberRecord",
    "NoteRecord",
    "SubjectRecord",
    "TaskRecord",
    "active_member_user",
    "blob_content",
    "case_by_id",
    "case_has_personal",
    "case_summaries",
    "has_subject",
    "insert_blob",
    "insert_case",
    "insert_item",
    "insert_member",
    "insert_note",
    "insert_subject",
    "insert_task",
    "item_by_id",
    "items_of",
    "member_role",
    "members_of",
    "next_id",
    "notes_of",
    "set_case_fields",
    "subjects_of",
    "task_by_id",
    "tasks_of",
    "update_task",
]


@dataclass(frozen=True, slots=True)
class CaseRecord:
    id: int
    title: str
    status: str
    legal_basis: str
    reference: str
    retention_until: date | None
    log_id: str
    owner_agency_id: int
    owner_agency: str
    created_at: datetime
    created_by: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CaseSummaryRecord:
    """A case as listed: with the listing agency's role, its item count and log size."""

    id: int
    title: str
    status: str
    owner_agency: str
    my_role: str | None
    reference: str
    retention_until: date | None
    created_at: datetime
    updated_at: datetime
    items: int
    tree_size: int


@dataclass(frozen=True, slots=True)
class MemberRecord:
    agency_id: int
    agency: str
    agency_name: str
    role: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class SubjectRecord:
    kind: str
    value: str
    added_at: datetime


@dataclass(frozen=True, slots=True)
class TaskRecord:
    id: int
    title: str
    assignee: str | None
    status: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NoteRecord:
    id: int
    text: str
    author: str
    agency: str | None
    added_at: datetime
    entry_seq: int


@dataclass(frozen=True, slots=True)
class ItemRecord:
    id: int
    kind: str
    reference: str
    label: str
    sha256: str
    size: int
    media_type: str
    original_name: str | None
    reason: str
    added_by: str
    agency: str | None
    added_at: datetime
    entry_seq: int
    personal: bool = False
    """Whether the content names people (reading it needs ``read:personal``)."""


# -- cases ------------------------------------------------------------------------------

_C = CASES
_CASE_COLUMNS = (
    _C.c.id,
    _C.c.title,
    _C.c.status,
    _C.c.legal_basis,
    _C.c.reference,
    _C.c.retention_until,
    _C.c.log_id,
    _C.c.owner_agency_id,
    AGENCIES.c.code.label("owner_agency"),
    _C.c.created_at,
    _C.c.created_by,
    _C.c.updated_at,
)


def insert_case(
    conn: Connection,
    *,
    owner_agency_id: int,
    title: str,
    legal_basis: str,
    reference: str,
    retention_until: date | None,
    log_id: str,
    created_by: str,
    now: datetime,
) -> int:
    return int(
        conn.execute(
            insert(_C)
            .values(
                owner_agency_id=owner_agency_id,
                title=title,
                status="open",
                legal_basis=legal_basis,
                reference=reference,
                retention_until=retention_until,
                log_id=log_id,
                created_at=now,
                created_by=created_by,
                updated_at=now,
            )
            .returning(_C.c.id)
        ).scalar_one()
    )


def case_by_id(conn: Connection, case_id: int, *, lock: bool = False) -> CaseRecord | None:
    """The case, or None. ``lock``: ``SELECT … FOR UPDATE`` of the case row on PostgreSQL
    (SQLite has no row locks: its writers are serialised by the database lock)."""
    query = (
        select(*_CASE_COLUMNS)
        .join(AGENCIES, AGENCIES.c.id == _C.c.owner_agency_id)
        .where(_C.c.id == case_id)
    )
    if lock and conn.dialect.name == "postgresql":
        query = query.with_for_update(of=_C)
    row = conn.execute(query).first()
    return CaseRecord(**row._mapping) if row else None


def set_case_fields(conn: Connection, case_id: int, **values: Any) -> None:
    """Change columns of the case row (``updated_at`` among them: every change sets it)."""
    conn.execute(update(_C).where(_C.c.id == case_id).values(**values))


def case_summaries(
    conn: Connection,
    *,
    agency_id: int | None,
    status: str | None = None,
    case_id: int | None = None,
) -> list[CaseSummaryRecord]:
    """Cases newest first: those ``agency_id`` is a member of (with its role), or every
    case when ``agency_id`` is None (``my_role`` None: the caller names it)."""
    items = (
        select(func.count())
        .select_from(CASE_ITEMS)
        .where(CASE_ITEMS.c.case_id == _C.c.id)
        .scalar_subquery()
    )
    entries = (
        select(func.count())
        .select_from(EVIDENCE_ENTRIES)
        .where(EVIDENCE_ENTRIES.c.case_id == _C.c.id)
        .scalar_subquery()
    )
    query: Any
    columns = (
        _C.c.id,
        _C.c.title,
        _C.c.status,
        AGENCIES.c.code.label("owner_agency"),
        _C.c.reference,
        _C.c.retention_until,
        _C.c.created_at,
        _C.c.updated_at,
        items.label("items"),
        entries.label("tree_size"),
    )
    if agency_id is None:
        query = select(*columns, null().label("my_role"))
    else:
        query = select(*columns, CASE_MEMBERS.c.role.label("my_role")).join(
            CASE_MEMBERS,
            (CASE_MEMBERS.c.case_id == _C.c.id) & (CASE_MEMBERS.c.agency_id == agency_id),
        )
    query = query.join(AGENCIES, AGENCIES.c.id == _C.c.owner_agency_id)
    if status is not None:
        query = query.where(_C.c.status == status)
    if case_id is not None:
        query = query.where(_C.c.id == case_id)
    query = query.order_by(_C.c.created_at.desc(), _C.c.id.desc())
    return [
        CaseSummaryRecord(
            **{**row._mapping, "items": int(row.items), "tree_size": int(row.tree_size)}
        )
        for row in conn.execute(query)
    ]


def next_id(conn: Connection, table_name: str) -> int:
    """The id the next row of ``case_items`` or ``case_notes`` will get, so that the log
    entry that adds it can name it before the row (which needs the entry's seq) exists.

    PostgreSQL: the next value of the id's sequence (never handed out twice). SQLite: one
    more than the largest id; call it only after the transaction has written (it then
    holds the database's write lock, so no other writer can take the same id)."""
    if table_name not in ("case_items", "case_notes"):
        raise ValueError(f"no id sequence for {table_name}")
    if conn.dialect.name == "postgresql":
        found = conn.execute(
            text(f"SELECT nextval(pg_get_serial_sequence('{table_name}', 'id'))")
        ).scalar_one()
        return int(found)
    table = CASE_ITEMS if table_name == "case_items" else CASE_NOTES
    return int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1


# -- members ----------------------------------------------------------------------------


def member_role(conn: Connection, case_id: int, agency_id: int) -> str | None:
    found = conn.execute(
        select(CASE_MEMBERS.c.role).where(
            CASE_MEMBERS.c.case_id == case_id, CASE_MEMBERS.c.agency_id == agency_id
        )
    ).scalar()
    return None if found is None else str(found)


def insert_member(
    conn: Connection, *, case_id: int, agency_id: int, role: str, now: datetime
) -> None:
    conn.execute(
        insert(CASE_MEMBERS).values(case_id=case_id, agency_id=agency_id, role=role, added_at=now)
    )


def members_of(conn: Connection, case_id: int) -> list[MemberRecord]:
    """The member agencies, in the order they were added."""
    rows = conn.execute(
        select(
            CASE_MEMBERS.c.agency_id,
            AGENCIES.c.code.label("agency"),
            AGENCIES.c.name.label("agency_name"),
            CASE_MEMBERS.c.role,
            CASE_MEMBERS.c.added_at,
        )
        .join(AGENCIES, AGENCIES.c.id == CASE_MEMBERS.c.agency_id)
        .where(CASE_MEMBERS.c.case_id == case_id)
        .order_by(CASE_MEMBERS.c.id)
    )
    return [MemberRecord(**row._mapping) for row in rows]


def active_member_user(conn: Connection, case_id: int, email: str) -> bool:
    """Whether ``email`` is an active user of one of the case's member agencies."""
    found = conn.execute(
        select(USERS.c.id)
        .join(CASE_MEMBERS, CASE_MEMBERS.c.agency_id == USERS.c.agency_id)
        .where(
            CASE_MEMBERS.c.case_id == case_id,
            USERS.c.email == email,
            USERS.c.active.is_(True),
        )
    ).first()
    return found is not None


# -- subjects ---------------------------------------------------------------------------


def has_subject(conn: Connection, case_id: int, kind: str, value: str) -> bool:
    _S = CASE_SUBJECTS
    found = conn.execute(
        select(_S.c.id).where(_S.c.case_id == case_id, _S.c.kind == kind, _S.c.value == value)
    ).first()
    return found is not None


def insert_subject(conn: Connection, *, case_id: int, kind: str, value: str, now: datetime) -> None:
    conn.execute(
        insert(CASE_SUBJECTS).values(case_id=case_id, kind=kind, value=value, added_at=now)
    )


def subjects_of(conn: Connection, case_id: int) -> list[SubjectRecord]:
    _S = CASE_SUBJECTS
    rows = conn.execute(
        select(_S.c.kind, _S.c.value, _S.c.added_at)
        .where(_S.c.case_id == case_id)
        .order_by(_S.c.id)
    )
    return [SubjectRecord(**row._mapping) for row in rows]


# -- tasks ------------------------------------------------------------------------------

_T = CASE_TASKS
_TASK_COLUMNS = (_T.c.id, _T.c.title, _T.c.assignee, _T.c.status, _T.c.created_at, _T.c.updated_at)


def insert_task(
    conn: Connection, *, case_id: int, title: str, assignee: str | None, now: datetime
) -> int:
    return int(
        conn.execute(
            insert(_T)
            .values(
                case_id=case_id,
                title=title,
                assignee=assignee,
                status="open",
                created_at=now,
                updated_at=now,
            )
            .returning(_T.c.id)
        ).scalar_one()
    )


def task_by_id(conn: Connection, case_id: int, task_id: int) -> TaskRecord | None:
    row = conn.execute(
        select(*_TASK_COLUMNS).where(_T.c.case_id == case_id, _T.c.id == task_id)
    ).first()
    return TaskRecord(**row._mapping) if row else None


def update_task(conn: Connection, task_id: int, **values: Any) -> None:
    conn.execute(update(_T).where(_T.c.id == task_id).values(**values))


def tasks_of(conn: Connection, case_id: int) -> list[TaskRecord]:
    rows = conn.execute(select(*_TASK_COLUMNS).where(_T.c.case_id == case_id).order_by(_T.c.id))
    return [TaskRecord(**row._mapping) for row in rows]


# -- notes ------------------------------------------------------------------------------

_N = CASE_NOTES


def insert_note(
    conn: Connection,
    *,
    note_id: int,
    case_id: int,
    text: str,
    author: str,
    agency: str | None,
    entry_seq: int,
    now: datetime,
) -> None:
    conn.execute(
        insert(_N).values(
            id=note_id,
            case_id=case_id,
            text=text,
            author=author,
            agency=agency,
            entry_seq=entry_seq,
            added_at=now,
        )
    )


def notes_of(conn: Connection, case_id: int) -> list[NoteRecord]:
    rows = conn.execute(
        select(_N.c.id, _N.c.text, _N.c.author, _N.c.agency, _N.c.added_at, _N.c.entry_seq)
        .where(_N.c.case_id == case_id)
        .order_by(_N.c.id)
    )
    return [NoteRecord(**row._mapping) for row in rows]


# -- evidence items and blobs -----------------------------------------------------------

_I = CASE_ITEMS
_ITEM_COLUMNS = (
    _I.c.id,
    _I.c.kind,
    _I.c.reference,
    _I.c.label,
    _I.c.sha256,
    _I.c.size,
    _I.c.media_type,
    _I.c.original_name,
    _I.c.reason,
    _I.c.added_by,
    _I.c.agency,
    _I.c.added_at,
    _I.c.entry_seq,
    _I.c.personal,
)


def insert_blob(conn: Connection, *, sha256: str, content: bytes, now: datetime) -> bool:
    """Store ``content`` under its SHA-256 unless stored already; whether it was new."""
    row = {"sha256": sha256, "size": len(content), "content": content, "stored_at": now}
    return bool(insert_ignore(conn, EVIDENCE_BLOBS, [row], ["sha256"], ("sha256",)))


def blob_content(conn: Connection, sha256: str) -> bytes | None:
    found = conn.execute(
        select(EVIDENCE_BLOBS.c.content).where(EVIDENCE_BLOBS.c.sha256 == sha256)
    ).scalar()
    return None if found is None else bytes(found)


def insert_item(conn: Connection, *, item: ItemRecord, case_id: int) -> None:
    values = {column.name: getattr(item, column.name) for column in _ITEM_COLUMNS}
    conn.execute(insert(_I).values(case_id=case_id, **values))


def item_by_id(conn: Connection, case_id: int, item_id: int) -> ItemRecord | None:
    row = conn.execute(
        select(*_ITEM_COLUMNS).where(_I.c.case_id == case_id, _I.c.id == item_id)
    ).first()
    return ItemRecord(**row._mapping) if row else None


def case_has_personal(conn: Connection, case_id: int) -> bool:
    """Whether any item or subject of the case names people (an item marked personal, a
    supply-account subject): an export then needs ``read:personal``."""
    found = conn.execute(
        select(_I.c.id).where(_I.c.case_id == case_id, _I.c.personal.is_(True)).limit(1)
    ).first()
    if found is not None:
        return True
    subjects = CASE_SUBJECTS
    account = conn.execute(
        select(subjects.c.id)
        .where(subjects.c.case_id == case_id, subjects.c.kind == "account")
        .limit(1)
    ).first()
    return account is not None


def items_of(conn: Connection, case_id: int) -> list[ItemRecord]:
    rows = conn.execute(select(*_ITEM_COLUMNS).where(_I.c.case_id == case_id).order_by(_I.c.id))
    return [ItemRecord(**row._mapping) for row in rows]
