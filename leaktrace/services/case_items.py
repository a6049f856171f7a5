"""Evidence items: a finding frozen as a snapshot of what it said at that moment, or a
file. Both are stored once by SHA-256 (``evidence_blobs``) and named by the log entry
that adds them. OWNER: cases helper (H2).

A snapshot is the RFC 8785 canonical JSON of the finding's read model
(``{"kind", "reference", "taken_at", "view": <view.to_json()>}``), media type
``application/json`` (:mod:`leaktrace.services.case_snapshots`). Files are never executed
or unpacked and their type is never guessed from their content (a zip bomb is just
bytes); their original name is kept as data only (the last component of what was given,
never used as a path); ``evidence.max_file_bytes`` bounds them.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, datetime
from typing import BinaryIO

from leaktrace.errors import InputError, NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit, case_log
from leaktrace.services.case_access import CaseAccess, case_access
from leaktrace.services.case_snapshots import take_snapshot
from leaktrace.services.case_views import FINDING_KINDS, CaseItemView, FindingKind
from leaktrace.services.cases import MAX_REASON, case_text, item_view
from leaktrace.services.context import AppContext
from leaktrace.store import cases as store

__all__ = [
    "CHUNK_BYTES",
    "FILE_MEDIA_TYPE",
    "MAX_NAME_BYTES",
    "add_file",
    "add_finding",
    "item_content",
    "original_name",
]

FILE_MEDIA_TYPE = "application/octet-stream"
MAX_NAME_BYTES = 255
MAX_FINDING_REFERENCE = 300
CHUNK_BYTES = 1 << 16
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
"""Characters that reorder how a name is shown (``invoice\u202egpj.exe``)."""


def original_name(name: str) -> str:
    """The file name kept as data: the last component of ``name`` (``/`` or ``\\``
    separated). Refused (InputError, field ``name``): empty, ``.``, ``..``, control or
    direction-changing characters, not UTF-8, over 255 bytes."""
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    if last.strip() in ("", ".", ".."):
        raise InputError(f"{name!r} names no file", field="name")
    if any(unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS for c in last):
        raise InputError("a file name must not contain control characters", field="name")
    try:
        size = len(last.encode("utf-8"))
    except UnicodeEncodeError:
        raise InputError("a file name must be UTF-8 text", field="name") from None
    if size > MAX_NAME_BYTES:
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


def _store_item(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    *,
    kind: str,
    reference: str,
    label: str,
    content: bytes,
    media_type: str,
    name: str | None,
    reason: str,
) -> CaseItemView:
    """Blob (once per SHA-256), item and its ``item.added`` entry, in one transaction."""
    sha256 = hashlib.sha256(content).hexdigest()
    now = datetime.now(UTC)
    with case_log.writing(ctx) as conn:
        access: CaseAccess = case_access(conn, actor, case_id, "write")
        store.set_case_fields(conn, case_id, updated_at=now)  # first write: the lock
        store.insert_blob(conn, sha256=sha256, content=content, now=now)
        item_id = store.next_id(conn, "case_items")
        data = {
            "item": item_id,
            "kind": kind,
            "reference": reference,
            "label": label,
            "reason": reason,
            "sha256": sha256,
            "size": len(content),
            "media_type": media_type,
            "original_name": name,
        }
        seq = case_log.append_event(conn, ctx, access, actor, "item.added", data, [sha256])
        item = store.ItemRecord(
            id=item_id,
            kind=kind,
            reference=reference,
            label=label,
            sha256=sha256,
            size=len(content),
            media_type=media_type,
            original_name=name,
            reason=reason,
            added_by=actor.name,
            agency=actor.agency_code,
            added_at=now,
            entry_seq=seq,
        )
        store.insert_item(conn, item=item, case_id=case_id)
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
    """Snapshot a finding into the case. ``reference``: the leak id (``leak``), the
    release name (``release``), the group name (``group``), the host name or address
    (``host``), the country code (``targets``), a work id or empty for all works
    (``impact``), empty (``supply-rank``).

    The case is checked first (an invisible or closed case costs no snapshot), the
    snapshot is read through its own service, then blob, item and log entry are written
    in one transaction (which checks the case again)."""
    if kind not in FINDING_KINDS:
        raise InputError(f"must be one of {', '.join(FINDING_KINDS)}", field="kind")
    reference = case_text(reference, "reference", MAX_FINDING_REFERENCE)
    reason = case_text(reason, "reason", MAX_REASON, multiline=True)
    with ctx.database.reading() as conn:
        case_access(conn, actor, case_id, "write")
    snapshot = take_snapshot(ctx, actor, kind, reference)
    return _store_item(
        ctx,
        actor,
        case_id,
        kind=kind,
        reference=snapshot.reference,
        label=snapshot.label,
        content=snapshot.content,
        media_type=snapshot.media_type,
        name=None,
        reason=reason,
    )


def add_file(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    *,
    name: str,
    content: BinaryIO,
    reason: str = "",
) -> CaseItemView:
    """Store a file (read in chunks, refused beyond ``evidence.max_file_bytes``)."""
    actor.require(Permission.write_cases)
    kept = original_name(name)
    reason = case_text(reason, "reason", MAX_REASON, multiline=True)
    with ctx.database.reading() as conn:
        case_access(conn, actor, case_id, "write")
    data = _read_bounded(content, ctx.settings.evidence.max_file_bytes)
    return _store_item(
        ctx,
        actor,
        case_id,
        kind="file",
        reference=kept,
        label=f"{kept} ({len(data)} bytes)",
        content=data,
        media_type=FILE_MEDIA_TYPE,
        name=kept,
        reason=reason,
    )


def item_content(
    ctx: AppContext, actor: Actor, case_id: int, item_id: int
) -> tuple[CaseItemView, bytes]:
    """An item and its stored bytes (a download; audited as ``case.read``)."""
    with ctx.database.transaction() as conn:
        case_access(conn, actor, case_id, "read")
        item = store.item_by_id(conn, case_id, item_id) if 0 < item_id < 2**31 else None
        if item is None:
            raise NotFoundError(
                f"no item {item_id} in case {case_id}", kind="item", key=str(item_id)
            )
        content = store.blob_content(conn, item.sha256)
        assert content is not None  # a foreign key: the blob of an item exists
        audit.record(conn, actor, "case.read", f"case {case_id}", f"item {item_id}")
    return item_view(item), content
