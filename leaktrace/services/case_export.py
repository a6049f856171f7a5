"""Exporting a case as a bundle that verifies offline (the export is itself an entry of
the case's log). OWNER: log helper (H3).

Who may export: an actor with ``write:cases`` whose agency is the case's lead or a
member (or the command line's operator). Observers may read a case but not export it:
an export is a change to the case's log (its ``case.exported`` entry) and hands the
evidence outside the application. A closed case can still be exported (that is when a
court needs it).

One transaction: the ``case.exported`` entry is appended (its data: the tree size being
exported, which includes the entry itself, and the exporting agency), then everything is
read as of that entry: all entries, every file and snapshot they name, the signed head
of every size up to the new one (``tree_heads.jsonl``: the verifier names the first
entry changed with them), the stored RFC 3161 time-stamp of each of those heads (the
oldest when there are several; the new head's own is asked for after the commit, so it
is in the next export), a consistency proof from the head of every earlier export to
it, the public key and ``index.html``. The audit log gets ``case.export``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, PermissionDeniedError, StoreError
from leaktrace.evidence import index_page
from leaktrace.evidence.bundle import BundleContents, ConsistencyFile, write_bundle
from leaktrace.evidence.checkpoint import SignedTreeHead, rfc3339
from leaktrace.evidence.merkle import MerkleTree, leaf_hash
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.private_files import FILE_MODE, make_private_folder
from leaktrace.services import audit, case_log
from leaktrace.services.case_access import CaseAccess, case_access
from leaktrace.services.case_views import CaseDetail, CaseItemView, CaseSummary, ExportView
from leaktrace.services.context import AppContext
from leaktrace.store import cases as case_store
from leaktrace.store import evidence_log as log_store

__all__ = ["EXPORTING_ROLES", "export_case", "export_case_bytes"]

EXPORTING_ROLES = ("lead", "member", "operator")


def export_case(ctx: AppContext, actor: Actor, case_id: int, out: Path) -> ExportView:
    """Write the bundle to ``out`` (mode 0600, atomically): a temporary file in the same
    folder, written before the export's log entry commits and moved into place after.
    Nothing is left behind, and no entry is committed, when writing fails."""
    target = Path(out).expanduser()
    if target.is_dir():
        raise InputError("is a directory, expected a file name for the bundle", file=str(target))
    make_private_folder(target.parent)
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    except OSError as exc:
        raise InputError(
            f"cannot write the bundle: {exc.strerror or exc}", file=str(target)
        ) from None

    try:
        with os.fdopen(descriptor, "wb") as handle:

            def write(data: bytes) -> None:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())

            view = _export(ctx, actor, case_id, write)
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise InputError(
            f"cannot write the bundle: {exc.strerror or exc}", file=str(target)
        ) from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return view.model_copy(update={"file": str(target)})


def export_case_bytes(ctx: AppContext, actor: Actor, case_id: int) -> tuple[ExportView, bytes]:
    """The bundle as bytes (an API download)."""
    kept: list[bytes] = []
    view = _export(ctx, actor, case_id, kept.append)
    return view, kept[0]


def _export_access(conn: Connection, actor: Actor, case_id: int) -> CaseAccess:
    actor.require(Permission.write_cases)
    access = case_access(conn, actor, case_id, "read")
    if access.role not in EXPORTING_ROLES:
        raise PermissionDeniedError(
            f"an agency with the {access.role} role in case {case_id} may not export it "
            "(its lead and members may)",
            permission="write:cases",
        )
    return access


def _export(
    ctx: AppContext, actor: Actor, case_id: int, deliver: Callable[[bytes], None]
) -> ExportView:
    """Append the export's entry, build the bundle as of it and hand the zip to
    ``deliver`` before the transaction commits (a failure there undoes the entry)."""
    with case_log.writing(ctx) as conn:
        access = _export_access(conn, actor, case_id)
        log_store.lock_case(conn, case_id, datetime.now(UTC))  # no append until commit
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
        buffer = io.BytesIO()
        write_bundle(contents, buffer)
        data = buffer.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        audit.record(
            conn,
            actor,
            "case.export",
            f"case {case_id}",
            f"tree size {size}, {len(contents.files)} files, "
            f"{len(contents.timestamps)} time-stamps, zip sha256 {digest}",
        )
        deliver(data)
    return ExportView(
        case_id=case_id,
        file=None,
        bytes=len(data),
        sha256=digest,
        tree_size=size,
        root_hash=contents.checkpoint.root_hash,
        entries=len(contents.entries),
        files=len(contents.files),
        consistency_proofs=earlier,
    )


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
    files = log_store.blobs(conn, named)
    missing = sorted(set(named) - set(files))
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
                old_head=case_log.head_of(old),
                new_size=size,
                new_root=head.root_hash,
                proof=tree.consistency_proof(old_size, size),
            )
        )
    key = case_log.signing_key(ctx)
    detail = _detail(conn, actor, access)
    html = index_page.render(
        detail.to_json(),
        head,
        exported_at=rfc3339(datetime.now(UTC)),
        exported_by=actor.name,
        exported_agency=actor.agency_code,
        key_name=case_log.key_name(ctx, key),
        consistency_from=sorted(set(earlier)),
    )
    contents = BundleContents(
        entries=entries,
        files=files,
        checkpoint=head,
        public_key_pem=key.public_pem,
        index_html=html,
        consistency=consistency,
        heads=heads,
        timestamps=_timestamps(conn, case_id, size),
    )
    return contents, sorted(set(earlier))


def _signed_heads(
    conn: Connection, case_id: int, tree: MerkleTree, size: int
) -> list[SignedTreeHead]:
    """The stored head of every tree size 1..``size``, each checked against the root of
    the stored entries (a bundle that would not verify is not written)."""
    heads = [case_log.head_of(r) for r in log_store.tree_heads(conn, case_id, upto=size)]
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


def _detail(conn: Connection, actor: Actor, access: CaseAccess) -> CaseDetail:
    """The case as ``show_case`` shows it, read in the export's transaction."""
    case_id = access.case_id
    case = case_store.case_by_id(conn, case_id)
    (summary,) = case_store.case_summaries(conn, agency_id=None, case_id=case_id)
    if case is None:  # pragma: no cover - case_access found it in this transaction
        raise StoreError(f"case {case_id} vanished during its export")
    values = asdict(summary) | {"my_role": access.role}
    return CaseDetail.model_validate(
        CaseSummary.model_validate(values).model_dump()
        | {
            "legal_basis": case.legal_basis,
            "created_by": case.created_by,
            "members": [asdict(m) for m in case_store.members_of(conn, case_id)],
            "subjects": [asdict(s) for s in case_store.subjects_of(conn, case_id)],
            "tasks": [asdict(t) for t in case_store.tasks_of(conn, case_id)],
            "notes": [asdict(n) for n in case_store.notes_of(conn, case_id)],
            "evidence": [
                CaseItemView.model_validate(asdict(i)) for i in case_store.items_of(conn, case_id)
            ],
            "timeline": case_log.timeline(conn, case_id),
            "tree_head": case_log.tree_head_view(conn, case_id),
        }
    )
