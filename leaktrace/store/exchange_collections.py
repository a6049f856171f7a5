"""TAXII collections and each agency's rights on them; status resources; H2 permissions.

An empty reader or writer list means nobody: rights are rows, and no row means no right.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, or_, select

from leaktrace.store.exchange_visibility import Viewer
from leaktrace.store.schema_access import AGENCIES
from leaktrace.store.schema_exchange import (
    EXCHANGE_COLLECTIONS as COLLECTIONS,
)
from leaktrace.store.schema_exchange import (
    EXCHANGE_PERMISSIONS as PERMISSIONS,
)
from leaktrace.store.schema_exchange import (
    EXCHANGE_RIGHTS as RIGHTS,
)
from leaktrace.store.schema_exchange import (
    EXCHANGE_STATUS as STATUS,
)

__all__ = [
    "CollectionRecord",
    "StatusRecord",
    "collection_by_id",
    "collection_by_name",
    "collections_for",
    "create_collection",
    "has_permission",
    "insert_status",
    "record_permission",
    "rights_of",
    "set_rights",
    "status_by_id",
]


@dataclass(frozen=True)
class CollectionRecord:
    id: str
    title: str
    alias: str
    description: str | None
    created_at: datetime
    can_read: bool
    """For the viewer it was read for (the local operator: True)."""
    can_write: bool
    readers: tuple[str, ...]
    """Agency codes (filled for the local operator only; empty for an agency's viewer)."""
    writers: tuple[str, ...]


@dataclass(frozen=True)
class StatusRecord:
    id: str
    collection_id: str
    agency_id: int | None
    request_timestamp: str
    status: str
    total_count: int
    details: dict[str, list[dict[str, Any]]]


def create_collection(
    conn: Connection,
    collection_id: str,
    title: str,
    alias: str,
    description: str | None,
    created_at: datetime,
) -> None:
    conn.execute(
        insert(COLLECTIONS).values(
            id=collection_id,
            title=title,
            alias=alias,
            description=description,
            created_at=created_at,
        )
    )


def set_rights(
    conn: Connection, collection_id: str, rights: Mapping[int, tuple[bool, bool]]
) -> None:
    """Replace the collection's rights by ``rights`` (agency id -> (read, write))."""
    conn.execute(delete(RIGHTS).where(RIGHTS.c.collection_id == collection_id))
    rows = [
        {"collection_id": collection_id, "agency_id": agency, "can_read": r, "can_write": w}
        for agency, (r, w) in rights.items()
        if r or w
    ]
    if rows:
        conn.execute(insert(RIGHTS), rows)


def _codes(conn: Connection, collection_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rows = conn.execute(
        select(AGENCIES.c.code, RIGHTS.c.can_read, RIGHTS.c.can_write)
        .join(AGENCIES, AGENCIES.c.id == RIGHTS.c.agency_id)
        .where(RIGHTS.c.collection_id == collection_id)
        .order_by(AGENCIES.c.code)
    ).all()
    return (
        tuple(code for code, r, _ in rows if r),
        tuple(code for code, _, w in rows if w),
    )


def _record(
    conn: Connection, row: Any, viewer: Viewer, read: bool, write: bool
) -> CollectionRecord:
    readers, writers = _codes(conn, row.id) if viewer.is_operator else ((), ())
    return CollectionRecord(
        id=row.id,
        title=row.title,
        alias=row.alias,
        description=row.description,
        created_at=row.created_at,
        can_read=read,
        can_write=write,
        readers=readers,
        writers=writers,
    )


def rights_of(conn: Connection, collection_id: str, viewer: Viewer) -> tuple[bool, bool]:
    """(may read, may write) of ``viewer`` on the collection (the operator: both)."""
    if viewer.agency_id is None:
        return True, True
    row = conn.execute(
        select(RIGHTS.c.can_read, RIGHTS.c.can_write).where(
            RIGHTS.c.collection_id == collection_id, RIGHTS.c.agency_id == viewer.agency_id
        )
    ).first()
    return (bool(row.can_read), bool(row.can_write)) if row is not None else (False, False)


def collections_for(conn: Connection, viewer: Viewer) -> list[CollectionRecord]:
    """The collections ``viewer`` has any right on (all of them for the operator), by title."""
    rows = conn.execute(select(COLLECTIONS).order_by(COLLECTIONS.c.title)).all()
    found: list[CollectionRecord] = []
    for row in rows:
        read, write = rights_of(conn, row.id, viewer)
        if read or write:
            found.append(_record(conn, row, viewer, read, write))
    return found


def collection_by_id(
    conn: Connection, collection_id: str, viewer: Viewer
) -> CollectionRecord | None:
    """The collection, or None when it does not exist *for the viewer* (no rights on it)."""
    row = conn.execute(select(COLLECTIONS).where(COLLECTIONS.c.id == collection_id)).first()
    if row is None:
        return None
    read, write = rights_of(conn, row.id, viewer)
    return _record(conn, row, viewer, read, write) if read or write else None


def collection_by_name(conn: Connection, name: str, viewer: Viewer) -> CollectionRecord | None:
    """By title, alias or id (in that order of preference); None as :func:`collection_by_id`."""
    row = conn.execute(
        select(COLLECTIONS).where(
            or_(COLLECTIONS.c.title == name, COLLECTIONS.c.alias == name, COLLECTIONS.c.id == name)
        )
    ).first()
    return None if row is None else collection_by_id(conn, row.id, viewer)


def insert_status(conn: Connection, record: StatusRecord) -> None:
    conn.execute(
        insert(STATUS).values(
            id=record.id,
            collection_id=record.collection_id,
            agency_id=record.agency_id,
            request_timestamp=record.request_timestamp,
            status=record.status,
            total_count=record.total_count,
            details=json.dumps(record.details, separators=(",", ":")),
        )
    )


def status_by_id(conn: Connection, status_id: str, viewer: Viewer) -> StatusRecord | None:
    """The status resource, or None when it does not exist or another agency posted it."""
    row = conn.execute(select(STATUS).where(STATUS.c.id == status_id)).first()
    if row is None or (viewer.agency_id is not None and row.agency_id != viewer.agency_id):
        return None
    return StatusRecord(
        id=row.id,
        collection_id=row.collection_id,
        agency_id=row.agency_id,
        request_timestamp=row.request_timestamp,
        status=row.status,
        total_count=row.total_count,
        details=json.loads(row.details),
    )


def record_permission(
    conn: Connection, stix_id: str, agency_id: int, granted_by: str, recorded_by: str, at: datetime
) -> None:
    conn.execute(
        insert(PERMISSIONS).values(
            stix_id=stix_id,
            agency_id=agency_id,
            granted_by=granted_by,
            recorded_by=recorded_by,
            recorded_at=at,
        )
    )


def has_permission(conn: Connection, stix_id: str, agency_id: int) -> bool:
    """Whether the owner's permission to pass on ``stix_id`` was recorded for the agency."""
    return (
        conn.execute(
            select(PERMISSIONS.c.id).where(
                PERMISSIONS.c.stix_id == stix_id, PERMISSIONS.c.agency_id == agency_id
            )
        ).first()
        is not None
    )
