"""A case's evidence log: appending entries, signed tree heads, proofs.

Entry (the exact bytes hashed: RFC 8785 canonical JSON, UTF-8)::

    {"v": 1, "log": <log_id>, "case": <case id>, "seq": <0-based index>,
     "at": <RFC 3339 UTC, ms>, "event": <event>, "actor": {"name", "agency"},
     "data": {...event specific, no floats...}, "sha256": [<hex of every file/snapshot>]}

Events: ``case.opened``, ``case.updated``, ``member.added``, ``subject.added``,
``item.added``, ``note.added``, ``task.added``, ``task.updated``, ``status.changed``,
``case.exported``; and an action day's (:mod:`leaktrace.services.operation_events`)
``operation.created``, ``operation.target``, ``operation.assigned``, ``operation.status``,
``operation.checked``, ``operation.issue``, ``operation.resolved``. A signed tree head
is written after every entry; when a time-stamping
authority is configured, each new head is time-stamped after the transaction commits.

The timeline (:mod:`leaktrace.services.case_timeline`) puts each entry in words from
these ``data`` keys when present (any other keys are kept in the entry, just not
summarised): ``title``, ``agency``, ``role``, ``kind``, ``value``, ``reference``,
``label``, ``original_name``, ``text``, ``assignee``, ``status``, ``task``, ``from``,
``to``, ``reason``, ``changed``, ``tree_size``.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, NotFoundError
from leaktrace.evidence.canonical import canonical_json
from leaktrace.evidence.checkpoint import rfc3339, sign_tree_head
from leaktrace.evidence.merkle import MerkleTree, leaf_hash
from leaktrace.identity.actor import Actor
from leaktrace.services import audit
from leaktrace.services.case_access import CaseAccess, case_access
from leaktrace.services.case_views import (
    ConsistencyProofView,
    InclusionProofView,
    TreeHeadView,
)
from leaktrace.services.context import AppContext
from leaktrace.store import evidence_log as log_store

if TYPE_CHECKING:  # cryptography loads with the key, not with every command
    from leaktrace.evidence.signing import EvidenceKey

__all__ = [
    "EVENTS",
    "ENTRY_VERSION",
    "append_event",
    "consistency_proof",
    "inclusion_proof",
    "key_name",
    "log_id_for",
    "signing_key",
    "tree_head",
    "tree_head_view",
    "writing",
]

log = logging.getLogger(__name__)

ENTRY_VERSION = 1
EVENTS = frozenset(
    {
        "case.opened",
        "case.updated",
        "member.added",
        "subject.added",
        "item.added",
        "note.added",
        "task.added",
        "task.updated",
        "status.changed",
        "case.exported",
        "operation.created",
        "operation.target",
        "operation.assigned",
        "operation.status",
        "operation.checked",
        "operation.issue",
        "operation.resolved",
    }
)
SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
PENDING_HEADS = "leaktrace.case_log.pending_heads"
"""Key in the connection's ``info`` under which :func:`writing` collects the heads
appended in its transaction (case id, tree size)."""

_keys: dict[Path, EvidenceKey] = {}
_keys_lock = threading.Lock()
KEPT_TREES = 64
"""How many cases' Merkle trees a process keeps between appends (least recently used
go first; about 200 bytes per entry each)."""
_trees: OrderedDict[tuple[str, int], MerkleTree] = OrderedDict()
_trees_lock = threading.Lock()


# --- the installation's key and the logs' names -------------------------------------


def signing_key(ctx: AppContext) -> EvidenceKey:
    """The installation's Ed25519 key (created on first use), loaded once per process."""
    path = ctx.settings.evidence_key_path()
    with _keys_lock:
        key = _keys.get(path)
        if key is None:
            from leaktrace.evidence.signing import load_or_create_key  # loads cryptography

            key = _keys[path] = load_or_create_key(path)
        return key


def key_name(ctx: AppContext, key: EvidenceKey | None = None) -> str:
    """The signer's name in checkpoints: ``evidence.origin``, or ``leaktrace-`` and the
    first 16 hex digits of the key's fingerprint."""
    origin = ctx.settings.evidence.origin
    if origin:
        return origin
    return "leaktrace-" + (key or signing_key(ctx)).fingerprint[:16]


def log_id_for(ctx: AppContext, case_id: int) -> str:
    """The name of case ``case_id``'s log (the checkpoints' origin line):
    ``<origin>/case/<id>``. Set once, when the case is opened."""
    return f"{key_name(ctx)}/case/{case_id}"


# --- writing --------------------------------------------------------------------------


@contextmanager
def writing(
    ctx: AppContext, *, after_commit: Callable[[], None] | None = None
) -> Iterator[Connection]:
    """A write transaction for case changes: after it commits, ``after_commit`` runs
    (what must follow the commit at once, e.g. an export's file taking its name), then the
    tree heads appended in it are time-stamped (when ``evidence.tsa_url`` is set; a
    failing authority is logged and does not undo the change)."""
    pending: list[tuple[int, int]] = []
    with ctx.database.transaction() as conn:
        conn.info[PENDING_HEADS] = pending
        try:
            yield conn
        finally:
            conn.info.pop(PENDING_HEADS, None)
    if after_commit is not None:
        after_commit()
    if pending and ctx.settings.evidence.tsa_url:
        _timestamp_heads(ctx, pending)


def _timestamp_heads(ctx: AppContext, heads: Sequence[tuple[int, int]]) -> None:
    from leaktrace.evidence import timestamping

    settings = ctx.settings.evidence
    url = settings.tsa_url
    assert url is not None
    for case_id, size in heads:
        try:
            with ctx.database.reading() as conn:
                record = log_store.tree_head(conn, case_id, size)
            if record is None:
                continue
            stamp = timestamping.request_timestamp(
                record.head.signed_bytes(),
                url,
                timeout=settings.tsa_timeout,
                certificate=settings.tsa_certificate,
            )
            with ctx.database.transaction() as conn:
                log_store.insert_timestamp(
                    conn,
                    case_id=case_id,
                    tree_size=size,
                    tsa_url=url,
                    token=stamp.response,
                    gen_time=stamp.gen_time,
                )
        except Exception as exc:  # noqa: BLE001 - the change stands whatever the TSA says
            log.warning(
                "could not time-stamp case %s tree head %s at %s: %s", case_id, size, url, exc
            )


def _check_data(value: Any, where: str = "data") -> None:
    """Entries hold JSON without floats (RFC 8785 numbers differ between languages'
    float printing; an entry must hash the same everywhere)."""
    if isinstance(value, float):
        raise InputError(f"{where} is a float: log entries hold integers and text only")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InputError(f"{where} has a key that is not text: {key!r}")
            _check_data(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_data(item, f"{where}[{index}]")


def build_entry(
    *,
    log_id: str,
    case_id: int,
    seq: int,
    at: datetime,
    event: str,
    actor: Actor,
    data: Mapping[str, Any],
    sha256: Sequence[str] = (),
) -> bytes:
    """The canonical bytes of an entry (see the module docstring)."""
    if event not in EVENTS:
        raise ValueError(f"unknown evidence log event {event!r}")
    digests = sorted(set(sha256))
    for digest in digests:
        if not SHA256_HEX.match(digest):
            raise InputError(f"not a lowercase SHA-256 hex digest: {digest!r}", field="sha256")
    _check_data(data)
    entry = {
        "v": ENTRY_VERSION,
        "log": log_id,
        "case": case_id,
        "seq": seq,
        "at": rfc3339(at),
        "event": event,
        "actor": {"name": actor.name, "agency": actor.agency_code},
        "data": dict(data),
        "sha256": digests,
    }
    return canonical_json(entry)


def append_event(
    conn: Connection,
    ctx: AppContext,
    case: CaseAccess,
    actor: Actor,
    event: str,
    data: Mapping[str, Any],
    sha256: Sequence[str] = (),
) -> int:
    """Append one entry to ``case``'s log and its signed tree head; the entry's seq.

    Runs in the caller's transaction (so the entry and the change it records commit or
    roll back together). The case row is updated first (its ``updated_at``): that takes
    its write lock, so concurrent appends to one log get consecutive seqs."""
    now = datetime.now(UTC)
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)  # what the entry says
    log_id = log_store.lock_case(conn, case.case_id, now)
    if log_id is None:
        raise NotFoundError(f"no case {case.case_id}", kind="case", key=str(case.case_id))
    tree = _current_tree(ctx, conn, case.case_id)
    seq = tree.size
    entry = build_entry(
        log_id=log_id,
        case_id=case.case_id,
        seq=seq,
        at=now,
        event=event,
        actor=actor,
        data=data,
        sha256=sha256,
    )
    leaf = leaf_hash(entry)
    log_store.insert_entry(
        conn, case_id=case.case_id, seq=seq, entry=entry, leaf_hash=leaf, event=event, at=now
    )
    tree.append_leaf_hash(leaf)
    key = signing_key(ctx)
    head = sign_tree_head(key, key_name(ctx, key), log_id, seq + 1, tree.root(), now)
    log_store.insert_tree_head(
        conn,
        case_id=case.case_id,
        tree_size=head.tree_size,
        root_hash=head.root_hash,
        timestamp=head.timestamp,
        signature=head.signature,
        note_signature=head.note_signature,
        key_fingerprint=head.key_fingerprint,
    )
    _keep_tree(ctx, case.case_id, tree)
    pending = conn.info.get(PENDING_HEADS)
    if isinstance(pending, list):
        pending.append((case.case_id, head.tree_size))
    return seq


def _current_tree(ctx: AppContext, conn: Connection, case_id: int) -> MerkleTree:
    """The Merkle tree over every stored entry of the case (the caller holds the case's
    write lock).

    The tree this process kept after its last append to the case is reused when it still
    has the log's size and the root that the stored signed head of that size names;
    otherwise (the transaction that grew it rolled back, another process appended, rows
    were changed behind the application's back) it is rebuilt from the stored leaf
    hashes. An append then costs O(log n) instead of reading all n leaf hashes."""
    cache_key = (ctx.database.url, case_id)
    with _trees_lock:
        tree = _trees.pop(cache_key, None)  # one user at a time: never shared
    if tree is not None:
        size = log_store.log_size(conn, case_id)
        if tree.size != size or (
            size and log_store.head_root(conn, case_id, size) != tree.root().hex()
        ):
            tree = None
    return tree if tree is not None else MerkleTree(log_store.leaf_hashes(conn, case_id))


def _keep_tree(ctx: AppContext, case_id: int, tree: MerkleTree) -> None:
    with _trees_lock:
        _trees[(ctx.database.url, case_id)] = tree
        while len(_trees) > KEPT_TREES:
            _trees.popitem(last=False)


# --- reading --------------------------------------------------------------------------


def _view(record: log_store.TreeHeadRecord) -> TreeHeadView:
    head = record.head
    return TreeHeadView(
        log_id=head.log_id,
        tree_size=head.tree_size,
        root_hash=head.root_hash,
        timestamp=head.timestamp,
        signature=head.signature,
        checkpoint=head.checkpoint_text(),
        key_fingerprint=head.key_fingerprint,
        rfc3161=record.timestamped,
    )


def _stored_head(conn: Connection, case_id: int, tree_size: int | None) -> log_store.TreeHeadRecord:
    record = log_store.tree_head(conn, case_id, tree_size)
    if record is None:
        if tree_size is None:
            raise NotFoundError(
                f"case {case_id} has no signed tree head", kind="tree head", key=str(case_id)
            )
        size = log_store.log_size(conn, case_id)
        raise InputError(
            f"no signed tree head of size {tree_size}: the log has {size} entries",
            field="tree_size",
        )
    return record


def tree_head_view(conn: Connection, case_id: int, tree_size: int | None = None) -> TreeHeadView:
    """The stored signed head of ``case_id`` at ``tree_size`` (default: the latest)."""
    return _view(_stored_head(conn, case_id, tree_size))


# --- the services: heads and proofs for a member of the case ---------------------------


def tree_head(
    ctx: AppContext, actor: Actor, case_id: int, tree_size: int | None = None
) -> TreeHeadView:
    """The case's signed tree head at ``tree_size`` (default: the latest). Audited."""
    with ctx.database.transaction() as conn:
        case_access(conn, actor, case_id, "read")
        view = tree_head_view(conn, case_id, tree_size)
        audit.record(conn, actor, "case.tree_head", f"case {case_id}", f"size {view.tree_size}")
        return view


def _tree(conn: Connection, case_id: int, size: int) -> MerkleTree:
    return MerkleTree(log_store.leaf_hashes(conn, case_id, upto=size))


def inclusion_proof(
    ctx: AppContext, actor: Actor, case_id: int, index: int, tree_size: int | None = None
) -> InclusionProofView:
    """RFC 9162 2.1.3 inclusion proof of entry ``index`` in the tree of ``tree_size``
    entries (default: the latest signed head), with that signed head. Audited."""
    with ctx.database.transaction() as conn:
        case_access(conn, actor, case_id, "read")
        head = _stored_head(conn, case_id, tree_size)
        if not 0 <= index < head.tree_size:
            raise InputError(f"must be below the tree size {head.tree_size}", field="index")
        tree = _tree(conn, case_id, head.tree_size)
        view = InclusionProofView(
            log_id=head.head.log_id,
            index=index,
            tree_size=head.tree_size,
            leaf_hash=tree.leaf(index).hex(),
            proof=[h.hex() for h in tree.inclusion_proof(index, head.tree_size)],
            tree_head=_view(head),
        )
        audit.record(
            conn,
            actor,
            "case.proof",
            f"case {case_id}",
            f"inclusion of {index} in {head.tree_size}",
        )
        return view


def consistency_proof(
    ctx: AppContext, actor: Actor, case_id: int, old_size: int, new_size: int | None = None
) -> ConsistencyProofView:
    """RFC 9162 2.1.4 consistency proof from ``old_size`` to ``new_size`` (default: the
    latest signed head), with the signed heads of both sizes. Audited."""
    with ctx.database.transaction() as conn:
        case_access(conn, actor, case_id, "read")
        new = _stored_head(conn, case_id, new_size)
        if not 1 <= old_size <= new.tree_size:
            raise InputError(
                f"must be between 1 and the tree size {new.tree_size}", field="old_size"
            )
        old = _stored_head(conn, case_id, old_size)
        tree = _tree(conn, case_id, new.tree_size)
        view = ConsistencyProofView(
            log_id=new.head.log_id,
            old_size=old.tree_size,
            new_size=new.tree_size,
            old_root=old.head.root_hash,
            new_root=new.head.root_hash,
            proof=[h.hex() for h in tree.consistency_proof(old.tree_size, new.tree_size)],
            old_tree_head=_view(old),
            tree_head=_view(new),
        )
        audit.record(
            conn,
            actor,
            "case.proof",
            f"case {case_id}",
            f"consistency {old.tree_size} -> {new.tree_size}",
        )
        return view
