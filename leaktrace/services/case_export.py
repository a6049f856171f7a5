"""Exporting a case as a bundle that verifies offline (the export is itself an entry of
the case's log). OWNER: evidence helper (F3).

Who may export: any member agency of the case (lead, member, observer; the command
line's operator) whose actor holds ``read:cases``. An export is a read that is logged:
its ``case.exported`` entry names who exported, and the audit log gets ``case.export``.
When the case holds items that name people (``case_items.personal``), exporting it also
needs ``read:personal`` and is audited as a read of personal data
(``case.read.personal``). A closed case can still be exported (that is when a court
needs it).

One transaction: the ``case.exported`` entry is appended (its data: the tree size being
exported, which includes the entry itself, and the exporting agency), then everything is
read as of that entry: all entries, every file and snapshot they name (read from the
store one at a time while the zip is written, never all in memory), the signed head of
every size up to the new one (``tree_heads.jsonl``), the stored RFC 3161 time-stamp of
each of those heads (the oldest when there are several; the new head's own is asked for
after the commit, so it is in the next export), a consistency proof from the head of
every earlier export to it, the public key and ``index.html``.

:func:`export_case` streams the zip into a temporary file next to the target and puts
it in place before the entry commits, with ``os.link`` (which fails when the target
exists: no race with another writer) or, with ``replace=True``, ``os.replace`` after the
commit. Nothing is left behind, and no entry is committed, when writing fails.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.engine import Connection

from leaktrace.errors import ConflictError, InputError, PermissionDeniedError, StoreError
from leaktrace.evidence import index_page
from leaktrace.evidence.bundle import BundleContents, ConsistencyFile, write_bundle
from leaktrace.evidence.checkpoint import SignedTreeHead, rfc3339
from leaktrace.evidence.merkle import MerkleTree, leaf_hash
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.private_files import FILE_MODE, make_private_folder
from leaktrace.services import audit, case_log, cases
from leaktrace.services.case_access import CaseAccess, case_access
from leaktrace.services.case_views import ExportView
from leaktrace.services.context import AppContext
from leaktrace.store import cases as case_store
from leaktrace.store import evidence_log as log_store

__all__ = ["export_case", "export_case_bytes"]


def export_case(
    ctx: AppContext, actor: Actor, case_id: int, out: Path, *, replace: bool = False
) -> ExportView:
    """Write the bundle to ``out`` (mode 0600). An existing ``out`` is refused
    (ConflictError naming it), also when it appears while the bundle is being written,
    unless ``replace``; a folder is refused (InputError). Nothing is left behind, and no
    entry is committed, when writing fails. Without ``replace`` the bundle takes its name
    before the commit (and loses it if the commit fails); with ``replace`` it takes it at
    once after the commit, before any time-stamping, so an interruption while the
    authority is asked leaves the committed export's bundle in place."""
    target = Path(out).expanduser()
    if target.is_dir():
        raise InputError("is a directory, expected a file name for the bundle", file=str(target))
    if not replace and (target.exists() or target.is_symlink()):
        raise _exists(target)
    make_private_folder(target.parent)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    except OSError as exc:
        raise InputError(
            f"cannot write the bundle: {exc.strerror or exc}", file=str(target)
        ) from None
    placed = False  # the target is ours (linked before the commit)
    try:
        with os.fdopen(descriptor, "w+b") as handle:

            def seal() -> None:
                """Runs before the commit: the bundle on disk, in place unless replacing."""
                nonlocal placed
                handle.flush()
                os.fsync(handle.fileno())
                handle.close()
                os.chmod(temporary, FILE_MODE)
                if not replace:
                    _place_exclusively(Path(temporary), target)
                    placed = True

            def committed() -> None:
                """Runs as soon as the entry is committed (before any time-stamping): from
                here on the bundle is the record of a committed export and stays."""
                nonlocal placed
                if replace:
                    os.replace(temporary, target)
                placed = False

            view = _export(ctx, actor, case_id, handle, seal, committed)
    except OSError as exc:
        if placed:
            target.unlink(missing_ok=True)
        raise InputError(
            f"cannot write the bundle: {exc.strerror or exc}", file=str(target)
        ) from None
    except BaseException:
        if placed:
            target.unlink(missing_ok=True)
        raise
    finally:
        Path(temporary).unlink(missing_ok=True)
    return view.model_copy(update={"file": str(target)})


def _exists(target: Path) -> ConflictError:
    return ConflictError(f"{target} exists already: not replaced (choose another name)")


def _place_exclusively(temporary: Path, target: Path) -> None:
    """Give ``temporary`` the name ``target``, failing if ``target`` exists (even when it
    appeared a moment ago, or is a dangling link): a hard link, or on file systems
    without them an exclusively created placeholder that is then replaced."""
    try:
        os.link(temporary, target, follow_symlinks=False)
        return
    except FileExistsError:
        raise _exists(target) from None
    except OSError:
        pass  # no hard links here
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        raise _exists(target) from None
    try:
        os.replace(temporary, target)  # our own placeholder
    except BaseException:
        target.unlink(missing_ok=True)
        raise


def export_case_bytes(ctx: AppContext, actor: Actor, case_id: int) -> tuple[ExportView, bytes]:
    """The bundle as bytes (an API download), built in memory: each file once, in the
    zip."""
    buffer = io.BytesIO()
    view = _export(ctx, actor, case_id, buffer, lambda: None, None)
    return view, buffer.getvalue()


def _export_access(conn: Connection, actor: Actor, case_id: int) -> tuple[CaseAccess, bool]:
    """The case as the exporter may read it; whether it holds items naming people."""
    access = case_access(conn, actor, case_id, "read")
    personal = case_store.case_has_personal(conn, case_id)
    if personal and not actor.can(Permission.read_personal):
        raise PermissionDeniedError(
            f"case {case_id} holds items that name people: exporting it needs read:personal",
            permission="read:personal",
        )
    return access, personal


def _digest(out: BinaryIO) -> tuple[int, str]:
    """The size and SHA-256 of everything written to ``out``."""
    size = out.tell()
    out.seek(0)
    digest = hashlib.file_digest(out, "sha256").hexdigest()  # type: ignore[arg-type]
    out.seek(size)
    return size, digest


def _export(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    out: BinaryIO,
    seal: Callable[[], None],
    committed: Callable[[], None] | None,
) -> ExportView:
    """Append the export's entry, write the bundle as of it to ``out`` and call ``seal``
    before the transaction commits (a failure up to there undoes the entry)."""
    with case_log.writing(ctx, after_commit=committed) as conn:
        # the case's lock first: no item can join between the check and the bundle
        log_store.lock_case(conn, case_id, datetime.now(UTC))
        access, personal = _export_access(conn, actor, case_id)
        size = log_store.log_size(conn, case_id) + 1
        seq = case_log.append_event(
            conn,
            ctx,
            access,
            actor,
            "case.exported",
            {"tree_size": size, "agency": actor.agency_code},
        )
        if seq + 1 != size:  # pragma: no cover - the lock above rules it out
            raise StoreError(f"case {case_id}: the log grew during its export")
        contents, earlier = _contents(ctx, conn, actor, access, size)
        write_bundle(contents, out)
        written, digest = _digest(out)
        audit.record(
            conn,
            actor,
            "case.export",
            f"case {case_id}",
            f"tree size {size}, {len(contents.files)} files, "
            f"{len(contents.timestamps)} time-stamps, zip sha256 {digest}",
        )
        if personal:
            audit.record(
                conn,
                actor,
                "case.read.personal",
                f"case {case_id}",
                "export: the bundle holds items that name people",
            )
        seal()
    return ExportView(
        case_id=case_id,
        file=None,
        bytes=written,
        sha256=digest,
        tree_size=size,
        root_hash=contents.checkpoint.root_hash,
        entries=len(contents.entries),
        files=len(contents.files),
        consistency_proofs=earlier,
    )


class _StoredFiles(Mapping[str, bytes]):
    """The files and snapshots a bundle holds, read from the store one at a time, when
    the bundle writer asks for each (so never all in memory)."""

    def __init__(self, conn: Connection, case_id: int, digests: list[str]) -> None:
        self._conn = conn
        self._case_id = case_id
        self._digests = sorted(set(digests))
        self._known = set(self._digests)

    def __getitem__(self, digest: str) -> bytes:
        if digest not in self._known:
            raise KeyError(digest)
        data = log_store.blob(self._conn, digest)
        if data is None:  # pragma: no cover - checked before writing started
            raise StoreError(f"case {self._case_id}: the stored file {digest} is missing")
        return data

    def __iter__(self) -> Iterator[str]:
        return iter(self._digests)

    def __len__(self) -> int:
        return len(self._digests)


def _contents(
    ctx: AppContext, conn: Connection, actor: Actor, access: CaseAccess, size: int
) -> tuple[BundleContents, list[int]]:
    """Everything the bundle holds, as of tree size ``size``; the earlier exported sizes."""
    case_id = access.case_id
    records = log_store.entries(conn, case_id, 0, size)
    entries = [r.entry for r in records]
    tree = MerkleTree(leaf_hash(e) for e in entries)
    named: list[str] = []
    earlier: list[int] = []
    for record in records:
        value = json.loads(record.entry)
        named.extend(value.get("sha256") or [])
        if record.event == "case.exported" and record.seq < size - 1:
            old = value.get("data", {}).get("tree_size")
            if isinstance(old, int) and 1 <= old < size:
                earlier.append(old)
    missing = log_store.missing_blobs(conn, named)
    if missing:
        raise StoreError(
            f"case {case_id}: the stored file {missing[0]} named by its log is missing"
        )
    heads = _signed_heads(conn, case_id, tree, size)
    head = heads[-1]
    consistency = []
    for old_size in sorted(set(earlier)):
        old = log_store.tree_head(conn, case_id, old_size)
        if old is None:
            raise StoreError(f"case {case_id}: no signed tree head of size {old_size}")
        consistency.append(
            ConsistencyFile(
                old_head=old.head,
                new_size=size,
                new_root=head.root_hash,
                proof=tree.consistency_proof(old_size, size),
            )
        )
    timestamps = _timestamps(conn, case_id, size)
    key = case_log.signing_key(ctx)
    detail = cases.case_detail(conn, actor, access)
    html = index_page.render(
        detail.to_json(),
        head,
        exported_at=rfc3339(datetime.now(UTC)),
        exported_by=actor.name,
        exported_agency=actor.agency_code,
        key_name=case_log.key_name(ctx, key),
        consistency_from=sorted(set(earlier)),
        timestamps=timestamps,
    )
    contents = BundleContents(
        entries=entries,
        files=_StoredFiles(conn, case_id, named),
        checkpoint=head,
        public_key_pem=key.public_pem,
        index_html=html,
        consistency=consistency,
        heads=heads,
        timestamps=timestamps,
    )
    return contents, sorted(set(earlier))


def _signed_heads(
    conn: Connection, case_id: int, tree: MerkleTree, size: int
) -> list[SignedTreeHead]:
    """The stored head of every tree size 1..``size``, each checked against the root of
    the stored entries (a bundle that would not verify is not written)."""
    heads = [r.head for r in log_store.tree_heads(conn, case_id, upto=size)]
    for expected in range(1, size + 1):
        if expected > len(heads) or heads[expected - 1].tree_size != expected:
            raise StoreError(f"case {case_id}: no signed tree head of size {expected}")
        if heads[expected - 1].root_hash != tree.root(expected).hex():
            raise StoreError(
                f"case {case_id}: the stored log does not match its signed head of size "
                f"{expected} ('leaktrace evidence verify' names the entry)"
            )
    return heads


def _timestamps(conn: Connection, case_id: int, size: int) -> dict[int, bytes]:
    """The oldest stored RFC 3161 reply of each head up to ``size`` (tree size -> DER)."""
    found: dict[int, bytes] = {}
    for token in log_store.timestamps(conn, case_id):
        if token.tree_size <= size:
            found.setdefault(token.tree_size, token.token)
    return found
