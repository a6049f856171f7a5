"""SQL of the case evidence logs: entries, signed tree heads and their RFC 3161 tokens.

Every table here is append-only (triggers of migration 0013 refuse UPDATE and DELETE):
this module only inserts and reads. The Merkle hashing and the signing are the caller's
(:mod:`leaktrace.services.case_log`); the rows hold exactly what was hashed and signed.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from leaktrace.evidence.checkpoint import SignedTreeHead
from leaktrace.store.schema_cases import (
    CASE_MEMBERS,
    CASES,
    EVIDENCE_BLOBS,
    EVIDENCE_ENTRIES,
    EVIDENCE_TIMESTAMPS,
    EVIDENCE_TREE_HEADS,
)

__all__ = [
    "EntryRecord",
    "TimestampRecord",
    "TreeHeadRecord",
    "blob",
    "blobs",
    "case_ids",
    "case_log_id",
    "entries",
    "head_root",
    "insert_entry",
    "insert_timestamp",
    "insert_tree_head",
    "iter_entries",
    "leaf_hashes",
    "lock_case",
    "log_size",
    "missing_blobs",
    "timestamps",
    "tree_head",
    "tree_heads",
    "unstamped_heads",
]


@dataclass(frozen=True, slots=True)
class EntryRecord:
    case_id: int
    seq: int
    entry: bytes
    leaf_hash: bytes
    event: str
    at: datetime


@dataclass(frozen=True, slots=True)
class TreeHeadRecord:
    """A stored signed head: the signed object itself, whose case it is, and whether an
    RFC 3161 token is stored for it."""

    case_id: int
    head: SignedTreeHead
    """Its ``log_id`` is the case's log name (joined from ``cases``)."""
    timestamped: bool

    @property
    def tree_size(self) -> int:
        return self.head.tree_size


@dataclass(frozen=True, slots=True)
class TimestampRecord:
    id: int
    case_id: int
    tree_size: int
    tsa_url: str
    token: bytes
    gen_time: datetime


def lock_case(conn: Connection, case_id: int, at: datetime) -> str | None:
    """Mark the case changed at ``at`` and take its row's write lock until the
    transaction ends (PostgreSQL: the row lock; SQLite: the database's write lock), so
    that appends to one log are serialised whoever calls. The case's log id, or None
    when there is no such case."""
    conn.execute(update(CASES).where(CASES.c.id == case_id).values(updated_at=at))
    return case_log_id(conn, case_id)


def case_log_id(conn: Connection, case_id: int) -> str | None:
    found = conn.execute(select(CASES.c.log_id).where(CASES.c.id == case_id)).scalar()
    return None if found is None else str(found)


def case_ids(
    conn: Connection, only: Sequence[int] | None = None, member_agency_id: int | None = None
) -> list[int]:
    """Every case id (or those of ``only`` that exist; or those ``member_agency_id`` is a
    member of), ascending."""
    query = select(CASES.c.id).order_by(CASES.c.id)
    if only is not None:
        query = query.where(CASES.c.id.in_(list(only)))
    if member_agency_id is not None:
        query = query.where(
            CASES.c.id.in_(
                select(CASE_MEMBERS.c.case_id).where(CASE_MEMBERS.c.agency_id == member_agency_id)
            )
        )
    return [int(x) for x in conn.execute(query).scalars()]


def log_size(conn: Connection, case_id: int) -> int:
    """How many entries the case's log has (the next entry's seq)."""
    top = conn.execute(
        select(func.max(EVIDENCE_ENTRIES.c.seq)).where(EVIDENCE_ENTRIES.c.case_id == case_id)
    ).scalar()
    return 0 if top is None else int(top) + 1


def insert_entry(
    conn: Connection,
    *,
    case_id: int,
    seq: int,
    entry: bytes,
    leaf_hash: bytes,
    event: str,
    at: datetime,
) -> None:
    conn.execute(
        insert(EVIDENCE_ENTRIES).values(
            case_id=case_id, seq=seq, entry=entry, leaf_hash=leaf_hash, event=event, at=at
        )
    )


def leaf_hashes(conn: Connection, case_id: int, upto: int | None = None) -> list[bytes]:
    """The stored leaf hashes of entries ``0 .. upto-1`` (all by default), in order."""
    query = (
        select(EVIDENCE_ENTRIES.c.leaf_hash)
        .where(EVIDENCE_ENTRIES.c.case_id == case_id)
        .order_by(EVIDENCE_ENTRIES.c.seq)
    )
    if upto is not None:
        query = query.where(EVIDENCE_ENTRIES.c.seq < upto)
    return [bytes(x) for x in conn.execute(query).scalars()]


def entries(
    conn: Connection, case_id: int, start: int = 0, stop: int | None = None
) -> list[EntryRecord]:
    """Entries ``start .. stop-1`` of the case's log (all by default), in order."""
    return list(iter_entries(conn, case_id, start, stop))


def iter_entries(
    conn: Connection, case_id: int, start: int = 0, stop: int | None = None
) -> Iterator[EntryRecord]:
    query = (
        select(EVIDENCE_ENTRIES)
        .where(EVIDENCE_ENTRIES.c.case_id == case_id, EVIDENCE_ENTRIES.c.seq >= start)
        .order_by(EVIDENCE_ENTRIES.c.seq)
    )
    if stop is not None:
        query = query.where(EVIDENCE_ENTRIES.c.seq < stop)
    for row in conn.execute(query):
        m = row._mapping
        yield EntryRecord(
            case_id=int(m["case_id"]),
            seq=int(m["seq"]),
            entry=bytes(m["entry"]),
            leaf_hash=bytes(m["leaf_hash"]),
            event=str(m["event"]),
            at=m["at"],
        )


def insert_tree_head(
    conn: Connection,
    *,
    case_id: int,
    tree_size: int,
    root_hash: str,
    timestamp: str,
    signature: str,
    note_signature: str,
    key_fingerprint: str,
) -> None:
    conn.execute(
        insert(EVIDENCE_TREE_HEADS).values(
            case_id=case_id,
            tree_size=tree_size,
            root_hash=root_hash,
            timestamp=timestamp,
            signature=signature,
            note_signature=note_signature,
            key_fingerprint=key_fingerprint,
        )
    )


def _head_query(case_id: int) -> Select[Any]:
    stamped = (
        select(func.count())
        .select_from(EVIDENCE_TIMESTAMPS)
        .where(
            EVIDENCE_TIMESTAMPS.c.case_id == EVIDENCE_TREE_HEADS.c.case_id,
            EVIDENCE_TIMESTAMPS.c.tree_size == EVIDENCE_TREE_HEADS.c.tree_size,
        )
        .scalar_subquery()
    )
    return (
        select(EVIDENCE_TREE_HEADS, CASES.c.log_id, stamped.label("stamps"))
        .join(CASES, CASES.c.id == EVIDENCE_TREE_HEADS.c.case_id)
        .where(EVIDENCE_TREE_HEADS.c.case_id == case_id)
    )


def _head(row: Row[Any]) -> TreeHeadRecord:
    m = row._mapping
    head = SignedTreeHead(
        log_id=str(m["log_id"]),
        tree_size=int(m["tree_size"]),
        root_hash=str(m["root_hash"]),
        timestamp=str(m["timestamp"]),
        signature=str(m["signature"]),
        note_signature=str(m["note_signature"]),
        key_fingerprint=str(m["key_fingerprint"]),
    )
    return TreeHeadRecord(case_id=int(m["case_id"]), head=head, timestamped=int(m["stamps"]) > 0)


def tree_head(
    conn: Connection, case_id: int, tree_size: int | None = None
) -> TreeHeadRecord | None:
    """The case's signed head at ``tree_size`` (default: the largest), or None."""
    query = _head_query(case_id)
    if tree_size is None:
        query = query.order_by(EVIDENCE_TREE_HEADS.c.tree_size.desc()).limit(1)
    else:
        query = query.where(EVIDENCE_TREE_HEADS.c.tree_size == tree_size)
    row = conn.execute(query).first()
    return None if row is None else _head(row)


def head_root(conn: Connection, case_id: int, tree_size: int) -> str | None:
    """The root hash (hex) the case's stored head at ``tree_size`` signs, or None."""
    found = conn.execute(
        select(EVIDENCE_TREE_HEADS.c.root_hash).where(
            EVIDENCE_TREE_HEADS.c.case_id == case_id,
            EVIDENCE_TREE_HEADS.c.tree_size == tree_size,
        )
    ).scalar()
    return None if found is None else str(found)


def tree_heads(conn: Connection, case_id: int, upto: int | None = None) -> list[TreeHeadRecord]:
    """Every stored head of the case (those of tree size ``upto`` or less), by tree size."""
    query = _head_query(case_id).order_by(EVIDENCE_TREE_HEADS.c.tree_size)
    if upto is not None:
        query = query.where(EVIDENCE_TREE_HEADS.c.tree_size <= upto)
    return [_head(row) for row in conn.execute(query)]


def insert_timestamp(
    conn: Connection,
    *,
    case_id: int,
    tree_size: int,
    tsa_url: str,
    token: bytes,
    gen_time: datetime,
) -> None:
    conn.execute(
        insert(EVIDENCE_TIMESTAMPS).values(
            case_id=case_id, tree_size=tree_size, tsa_url=tsa_url, token=token, gen_time=gen_time
        )
    )


def timestamps(
    conn: Connection, case_id: int, tree_size: int | None = None
) -> list[TimestampRecord]:
    """The stored RFC 3161 tokens of the case's heads (of one head), oldest first."""
    query = (
        select(EVIDENCE_TIMESTAMPS)
        .where(EVIDENCE_TIMESTAMPS.c.case_id == case_id)
        .order_by(EVIDENCE_TIMESTAMPS.c.id)
    )
    if tree_size is not None:
        query = query.where(EVIDENCE_TIMESTAMPS.c.tree_size == tree_size)
    return [
        TimestampRecord(
            id=int(m["id"]),
            case_id=int(m["case_id"]),
            tree_size=int(m["tree_size"]),
            tsa_url=str(m["tsa_url"]),
            token=bytes(m["token"]),
            gen_time=m["gen_time"],
        )
        for m in (row._mapping for row in conn.execute(query))
    ]


def unstamped_heads(conn: Connection, case_ids: Sequence[int]) -> list[TreeHeadRecord]:
    """The stored heads of ``case_ids`` that have no RFC 3161 token, by case and size."""
    found: list[TreeHeadRecord] = []
    for case_id in case_ids:
        query = _head_query(case_id).order_by(EVIDENCE_TREE_HEADS.c.tree_size)
        found += [r for r in map(_head, conn.execute(query)) if not r.timestamped]
    return found


def blob(conn: Connection, digest: str) -> bytes | None:
    """The stored content of one file or snapshot (None when there is none)."""
    found = conn.execute(
        select(EVIDENCE_BLOBS.c.content).where(EVIDENCE_BLOBS.c.sha256 == digest)
    ).scalar()
    return None if found is None else bytes(found)


def missing_blobs(conn: Connection, digests: Sequence[str]) -> list[str]:
    """Those of ``digests`` that are not stored, sorted (without reading any content)."""
    wanted = sorted(set(digests))
    present: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(EVIDENCE_BLOBS.c.sha256).where(EVIDENCE_BLOBS.c.sha256.in_(chunk))
        present.update(str(x) for x in conn.execute(query).scalars())
    return [d for d in wanted if d not in present]


def blobs(conn: Connection, digests: Sequence[str]) -> dict[str, bytes]:
    """The stored content of each of ``digests`` that exists (sha256 hex -> bytes)."""
    found: dict[str, bytes] = {}
    wanted = sorted(set(digests))
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = select(EVIDENCE_BLOBS.c.sha256, EVIDENCE_BLOBS.c.content).where(
            EVIDENCE_BLOBS.c.sha256.in_(chunk)
        )
        for digest, content in conn.execute(query):
            found[str(digest)] = bytes(content)
    return found
