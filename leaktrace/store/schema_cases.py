"""Tables of cases and their evidence log.

A case (``cases``) has member agencies with a role in it, subjects, tasks, notes and
evidence items. Every change to a case is also an entry of the case's own append-only
Merkle log (``evidence_entries``, RFC 9162), with a signed tree head after each one
(``evidence_tree_heads``) and, when a time-stamping authority is configured, its RFC 3161
token (``evidence_timestamps``). Files and frozen snapshots are stored once, by SHA-256
(``evidence_blobs``).

Triggers (migration 0013) refuse UPDATE and DELETE on the log tables, the blobs and the
items: the application cannot rewrite what it recorded. ``cases`` rows (status, retention)
and tasks change; each change is a log entry.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from leaktrace.store.schema import Base, UTCDateTime

__all__ = [
    "APPEND_ONLY_TABLES",
    "CASES",
    "CASE_ITEMS",
    "CASE_MEMBERS",
    "CASE_NOTES",
    "CASE_SUBJECTS",
    "CASE_TASKS",
    "EVIDENCE_BLOBS",
    "EVIDENCE_ENTRIES",
    "EVIDENCE_TIMESTAMPS",
    "EVIDENCE_TREE_HEADS",
]


class CaseRow(Base):
    """An investigation: owned by one agency, seen only by its member agencies."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16))
    """``open``, ``suspended`` or ``closed``."""
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    retention_until: Mapped[date | None] = mapped_column(Date)
    log_id: Mapped[str] = mapped_column(String(300), unique=True)
    """The name of the case's evidence log (the checkpoint's origin line)."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(320))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseMemberRow(Base):
    """An agency's role in a case: ``lead`` (the owner), ``member`` or ``observer``."""

    __tablename__ = "case_members"
    __table_args__ = (UniqueConstraint("case_id", "agency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseSubjectRow(Base):
    """Who or what a case is about: a ``group``, ``account``, ``host`` or ``work``."""

    __tablename__ = "case_subjects"
    __table_args__ = (UniqueConstraint("case_id", "kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(300))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseTaskRow(Base):
    """A task of a case, assigned to a user of a member agency (or to nobody yet)."""

    __tablename__ = "case_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    assignee: Mapped[str | None] = mapped_column(String(320))
    """The assignee's e-mail (a user of a member agency)."""
    status: Mapped[str] = mapped_column(String(16))
    """``open`` or ``done``."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseNoteRow(Base):
    """A note on a case. Append-only."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(320))
    agency: Mapped[str | None] = mapped_column(String(32))
    entry_seq: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseItemRow(Base):
    """An evidence item: a frozen snapshot of a finding, or a file. Append-only.

    ``kind``: ``leak``, ``release``, ``group``, ``host``, ``supply-rank``, ``targets``,
    ``impact`` or ``file``. ``reference`` is what was snapshot (a leak id, a group name,
    a country ...); ``original_name`` a file's name as given (data only, never a path)."""

    __tablename__ = "case_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reference: Mapped[str] = mapped_column(String(300))
    label: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(ForeignKey("evidence_blobs.sha256"), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    original_name: Mapped[str | None] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text, default="")
    personal: Mapped[bool] = mapped_column(Boolean, default=False)
    """Whether the content names people (supply accounts, customers): reading it needs
    ``read:personal`` and is audited as such."""
    added_by: Mapped[str] = mapped_column(String(320))
    agency: Mapped[str | None] = mapped_column(String(32))
    entry_seq: Mapped[int] = mapped_column(Integer)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvidenceBlobRow(Base):
    """A file or snapshot, stored once by the SHA-256 of its bytes. Append-only."""

    __tablename__ = "evidence_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvidenceEntryRow(Base):
    """Entry ``seq`` (0-based leaf index) of a case's log: the exact bytes hashed (the
    RFC 8785 canonical JSON of the event) and its RFC 9162 leaf hash. Append-only."""

    __tablename__ = "evidence_entries"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[bytes] = mapped_column(LargeBinary)
    event: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvidenceTreeHeadRow(Base):
    """The signed tree head of a case's log after ``tree_size`` entries. Append-only.

    ``timestamp`` is kept as the exact RFC 3339 text that was signed."""

    __tablename__ = "evidence_tree_heads"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    tree_size: Mapped[int] = mapped_column(Integer, primary_key=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[str] = mapped_column(String(40))
    signature: Mapped[str] = mapped_column(String(100))
    """Base64 Ed25519 signature over the canonical JSON of the other four fields."""
    note_signature: Mapped[str] = mapped_column(String(200))
    """The C2SP checkpoint's signature line (``— name base64``), without the newline."""
    key_fingerprint: Mapped[str] = mapped_column(String(64))


class EvidenceTimestampRow(Base):
    """An RFC 3161 time-stamp token of a tree head's signed JSON, from the configured
    time-stamping authority. Append-only."""

    __tablename__ = "evidence_timestamps"
    __table_args__ = (Index("ix_evidence_timestamps_head", "case_id", "tree_size"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    tree_size: Mapped[int] = mapped_column(Integer)
    tsa_url: Mapped[str] = mapped_column(String(500))
    token: Mapped[bytes] = mapped_column(LargeBinary)
    """The DER TimeStampResp as the authority sent it."""
    gen_time: Mapped[datetime] = mapped_column(UTCDateTime())


CASES = cast(Table, CaseRow.__table__)
CASE_MEMBERS = cast(Table, CaseMemberRow.__table__)
CASE_SUBJECTS = cast(Table, CaseSubjectRow.__table__)
CASE_TASKS = cast(Table, CaseTaskRow.__table__)
CASE_NOTES = cast(Table, CaseNoteRow.__table__)
CASE_ITEMS = cast(Table, CaseItemRow.__table__)
EVIDENCE_BLOBS = cast(Table, EvidenceBlobRow.__table__)
EVIDENCE_ENTRIES = cast(Table, EvidenceEntryRow.__table__)
EVIDENCE_TREE_HEADS = cast(Table, EvidenceTreeHeadRow.__table__)
EVIDENCE_TIMESTAMPS = cast(Table, EvidenceTimestampRow.__table__)

APPEND_ONLY_TABLES = (
    "evidence_entries",
    "evidence_tree_heads",
    "evidence_timestamps",
    "evidence_blobs",
    "case_items",
    "case_notes",
)
"""Tables whose rows triggers keep from being updated or deleted."""
