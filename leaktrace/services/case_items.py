"""Evidence items: a finding frozen as a snapshot of what it said at that moment, or a
file. Both are stored once by SHA-256 (``evidence_blobs``) and named by the log entry
that adds them. :func:`add_items` adds any mix of findings, files and notes all or
nothing (``case add --leak 51 --release nosuch`` adds nothing). OWNER: cases helper (H2,
then F1).

A snapshot is the RFC 8785 canonical JSON of the finding's read model
(``{"kind", "reference", "taken_at", "view": <view.to_json()>}``), media type
``application/json`` (:mod:`leaktrace.services.case_snapshots`). Files are never executed
or unpacked and their type is never guessed from their content (a zip bomb is just
bytes); their original name is kept as data only (the last component of what was given,
never used as a path); ``evidence.max_file_bytes`` bounds them. Items that name people
(``personal``, see :mod:`leaktrace.services.case_snapshots`) are read back only with
``read:personal``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit, case_log
from leaktrace.services.case_access import CaseAccess, case_access
from leaktrace.services.case_reading import item_view
from leaktrace.services.case_shared import BODY_DIGEST, frozen_body_digest, refuse_blind_members
from leaktrace.services.case_snapshots import take_snapshot
from leaktrace.services.case_text import MAX_NOTE, MAX_REASON, clean_text, refused_character
from leaktrace.services.case_views import FINDING_KINDS, AddedView, CaseItemView, FindingKind
from leaktrace.services.cases import write_note
from leaktrace.services.context import AppContext
from leaktrace.store import cases as store

__all__ = [
    "ADD_KINDS",
    "CHUNK_BYTES",
    "FILE_MEDIA_TYPE",
    "MAX_NAME_BYTES",
    "AddRequest",
    "add_file",
    "add_finding",
    "add_items",
    "item_content",
    "original_name",
]

FILE_MEDIA_TYPE = "application/octet-stream"
MAX_NAME_BYTES = 255
MAX_FINDING_REFERENCE = 300
CHUNK_BYTES = 1 << 16
ADD_KINDS = (*FINDING_KINDS, "file", "note")
"""What :func:`add_items` adds: a finding, a file or a note."""


def original_name(name: str) -> str:
    """The file name kept as data: the last component of ``name`` (``/`` or ``\\``
    separated). Refused (InputError, field ``name``): empty, ``.``, ``..``, what
    :func:`~leaktrace.services.case_text.refused_character` refuses in one line of text
    (control and direction-changing characters, lone surrogates: not UTF-8), over 255
    bytes of UTF-8."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    if last.strip() in ("", ".", ".."):
        raise InputError(f"{name!r} names no file", field="name")
    problem = refused_character(last)
    if problem is not None:
        raise InputError(f"a file name {problem}", field="name")
    if len(last.encode("utf-8")) > MAX_NAME_BYTES:
        raise InputError(f"a file name has at most {MAX_NAME_BYTES} bytes", field="name")
    return last


def _read_bounded(content: BinaryIO, limit: int) -> bytes:
    """All of ``content``, read in chunks; InputError (field ``file``) as soon as it has
    more than ``limit`` bytes (the rest is never read)."""
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = content.read(CHUNK_BYTES)
        if not chunk:
            return b"".join(parts)
        total += len(chunk)
        if total > limit:
            raise InputError(
                f"the file is larger than the limit of {limit} bytes (evidence.max_file_bytes)",
                field="file",
            )
        parts.append(bytes(chunk))


@dataclass(frozen=True, slots=True)
class AddRequest:
    """One thing to add to a case: a finding (``kind`` one of ``FINDING_KINDS``, with its
    ``reference``), a file (``kind="file"``, ``name`` and ``content``) or a note
    (``kind="note"``, ``text``)."""

    kind: str
    reference: str = ""
    name: str | None = None
    content: BinaryIO | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A request checked and read: the bytes to store (an item) or the text (a note)."""

    kind: str
    reference: str = ""
    label: str = ""
    content: bytes = b""
    media_type: str = FILE_MEDIA_TYPE
    name: str | None = None
    personal: bool = False
    note: str | None = None
    markings: dict[str, Any] | None = None
    """A shared object's provenance and markings (kind ``stix``): kept in its log entry."""


def _checked(request: AddRequest) -> AddRequest:
    """``request`` with its text checked (nothing read yet); InputError otherwise."""
    kind = request.kind
    if kind not in ADD_KINDS:
        raise InputError(f"must be one of {', '.join(ADD_KINDS)}", field="kind")
    if kind == "note":
        text = clean_text(request.text, "text", MAX_NOTE, required=True, multiline=True)
        return AddRequest(kind="note", text=text)
    if kind == "file":
        if request.name is None or request.content is None:
            raise InputError("a file needs its name and content", field="file")
        return AddRequest(kind="file", name=original_name(request.name), content=request.content)
    reference = clean_text(request.reference, "reference", MAX_FINDING_REFERENCE)
    return AddRequest(kind=kind, reference=reference)


def _prepare(ctx: AppContext, actor: Actor, request: AddRequest) -> _Prepared:
    """Take the snapshot, read the file (bounded) or keep the note (checked already)."""
    if request.kind == "note":
        return _Prepared(kind="note", note=request.text)
    if request.kind == "file":
        assert request.name is not None and request.content is not None
        data = _read_bounded(request.content, ctx.settings.evidence.max_file_bytes)
        return _Prepared(
            kind="file",
            reference=request.name,
            label=f"{request.name} ({len(data)} bytes)",
            content=data,
            name=request.name,
        )
    snapshot = take_snapshot(ctx, actor, request.kind, request.reference)
    return _Prepared(
        kind=request.kind,
        reference=snapshot.reference,
        label=snapshot.label,
        content=snapshot.content,
        media_type=snapshot.media_type,
        personal=snapshot.personal,
        markings=snapshot.markings,
    )


def add_items(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    requests: Sequence[AddRequest],
    *,
    reason: str = "",
) -> AddedView:
    """Add findings, files and notes to the case, all or nothing, in the order given.

    First every request is checked, the case is checked (an invisible or closed case
    costs no snapshot), every snapshot is taken through its own service and every file
    read (bounded by ``evidence.max_file_bytes``); only then are blobs, items, notes and
    their log entries written, in one transaction. Any failure (an unknown reference, a
    file too large, a missing permission) writes nothing. ``reason`` is kept with each
    item (a note is its own reason)."""
    actor.require(Permission.write_cases)
    if not requests:
        raise InputError("nothing to add", field="requests")
    checked = [_checked(r) for r in requests]
    reason = clean_text(reason, "reason", MAX_REASON, multiline=True)
    with ctx.database.reading() as conn:
        case_access(conn, actor, case_id, "write")
    prepared = [_prepare(ctx, actor, r) for r in checked]
    now = datetime.now(UTC)
    items: list[CaseItemView] = []
    notes = []
    with case_log.writing(ctx) as conn:
        access = case_access(conn, actor, case_id, "write")
        store.set_case_fields(conn, case_id, updated_at=now)  # first write: the lock
        _check_shared(conn, case_id, prepared)
        for one in prepared:
            if one.note is not None:
                notes.append(write_note(conn, ctx, access, actor, one.note, now))
            else:
                items.append(_write_item(conn, ctx, access, actor, one, reason, now))
    return AddedView(items=items, notes=notes)


def _check_shared(conn: Connection, case_id: int, prepared: Sequence[_Prepared]) -> None:
    """Refuse a shared object that a member agency of the case does not see exactly as it
    is frozen (every member reads the case's evidence; a property hidden from a member by a
    granular marking must not reach it through the case): nothing goes further than its
    owner allowed. The body compared is the one in the bytes about to be stored."""
    shared = [
        {**one.markings, BODY_DIGEST: frozen_body_digest(one.content)}
        for one in prepared
        if one.markings is not None
    ]
    if not shared:
        return
    members = store.members_of(conn, case_id)
    refuse_blind_members(conn, [(m.agency_id, m.agency) for m in members], shared)


def _write_item(
    conn: Connection,
    ctx: AppContext,
    access: CaseAccess,
    actor: Actor,
    one: _Prepared,
    reason: str,
    now: datetime,
) -> CaseItemView:
    """Blob (once per SHA-256), item and its ``item.added`` entry, in the caller's
    transaction."""
    sha256 = hashlib.sha256(one.content).hexdigest()
    store.insert_blob(conn, sha256=sha256, content=one.content, now=now)
    item_id = store.next_id(conn, "case_items")
    data = {
        "item": item_id,
        "kind": one.kind,
        "reference": one.reference,
        "label": one.label,
        "reason": reason,
        "sha256": sha256,
        "size": len(one.content),
        "media_type": one.media_type,
        "original_name": one.name,
        "personal": one.personal,
    }
    if one.markings is not None:
        data["markings"] = one.markings
    seq = case_log.append_event(conn, ctx, access, actor, "item.added", data, [sha256])
    item = store.ItemRecord(
        id=item_id,
        kind=one.kind,
        reference=one.reference,
        label=one.label,
        sha256=sha256,
        size=len(one.content),
        media_type=one.media_type,
        original_name=one.name,
        reason=reason,
        added_by=actor.name,
        agency=actor.agency_code,
        added_at=now,
        entry_seq=seq,
        personal=one.personal,
    )
    store.insert_item(conn, item=item, case_id=access.case_id)
    return item_view(item)


def add_finding(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    kind: FindingKind,
    reference: str = "",
    *,
    reason: str = "",
) -> CaseItemView:
    """Snapshot one finding into the case (:func:`add_items`). ``reference``: the leak id
    (``leak``), the release name (``release``), the group name (``group``), the host name,
    address or reverse DNS name (``host``), the country code (``targets``) - all
    required -, a work id or empty for all works (``impact``), empty (``supply-rank``)."""
    if kind not in FINDING_KINDS:
        raise InputError(f"must be one of {', '.join(FINDING_KINDS)}", field="kind")
    request = AddRequest(kind=kind, reference=reference)
    return add_items(ctx, actor, case_id, [request], reason=reason).items[0]


def add_file(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    *,
    name: str,
    content: BinaryIO,
    reason: str = "",
) -> CaseItemView:
    """Store one file (:func:`add_items`; read in chunks, refused beyond
    ``evidence.max_file_bytes``)."""
    request = AddRequest(kind="file", name=name, content=content)
    return add_items(ctx, actor, case_id, [request], reason=reason).items[0]


def item_content(
    ctx: AppContext, actor: Actor, case_id: int, item_id: int
) -> tuple[CaseItemView, bytes]:
    """An item and its stored bytes (a download). Any member agency's user with
    ``read:cases`` may download (observers too); an item that names people also needs
    ``read:personal``. Audited: ``case.read`` or, for a personal item,
    ``case.read.personal``, naming the item."""
    with ctx.database.transaction() as conn:
        case_access(conn, actor, case_id, "read")
        item = store.item_by_id(conn, case_id, item_id) if 0 < item_id < 2**31 else None
        if item is None:
            raise NotFoundError(
                f"no item {item_id} in case {case_id}", kind="item", key=str(item_id)
            )
        if item.personal:
            actor.require(Permission.read_personal)
        content = store.blob_content(conn, item.sha256)
        assert content is not None  # a foreign key: the blob of an item exists
        action = "case.read.personal" if item.personal else "case.read"
        audit.record(conn, actor, action, f"case {case_id}", f"item {item_id}")
    return item_view(item), content
