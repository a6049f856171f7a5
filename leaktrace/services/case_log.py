"""A case's evidence log: appending entries, signed tree heads, proofs, the timeline.

Entry (the exact bytes hashed: RFC 8785 canonical JSON, UTF-8)::

    {"v": 1, "log": <log_id>, "case": <case id>, "seq": <0-based index>,
     "at": <RFC 3339 UTC, ms>, "event": <event>, "actor": {"name", "agency"},
     "data": {...event specific, no floats...}, "sha256": [<hex of every file/snapshot>]}

Events: ``case.opened``, ``case.updated``, ``member.added``, ``subject.added``,
``item.added``, ``note.added``, ``task.added``, ``task.updated``, ``status.changed``,
``case.exported``. A signed tree head is written after every entry; when a time-stamping
authority is configured, each new head is time-stamped after the transaction commits.
OWNER: log helper (H3).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.identity.actor import Actor
from leaktrace.services.case_access import CaseAccess
from leaktrace.services.case_views import (
    ConsistencyProofView,
    InclusionProofView,
    TimelineEntryView,
    TreeHeadView,
)
from leaktrace.services.context import AppContext

__all__ = [
    "append_event",
    "consistency_proof",
    "inclusion_proof",
    "timeline",
    "tree_head",
    "tree_head_view",
    "writing",
]


@contextmanager
def writing(ctx: AppContext) -> Iterator[Connection]:
    """A write transaction for case changes: after it commits, the tree heads appended in
    it are time-stamped (when ``evidence.tsa_url`` is set; a failing authority is logged
    and does not undo the change)."""
    raise NotImplementedError
    yield  # pragma: no cover


def append_event(
    conn: Connection,
    ctx: AppContext,
    case: CaseAccess,
    actor: Actor,
    event: str,
    data: Mapping[str, Any],
    sha256: Sequence[str] = (),
) -> int:
    """Append one entry to ``case``'s log and its signed tree head; the entry's seq."""
    raise NotImplementedError


def tree_head_view(conn: Connection, case_id: int, tree_size: int | None = None) -> TreeHeadView:
    """The stored signed head of ``case_id`` at ``tree_size`` (default: the latest)."""
    raise NotImplementedError


def timeline(conn: Connection, case_id: int) -> list[TimelineEntryView]:
    """Every entry of the case's log, oldest first, in words."""
    raise NotImplementedError


def tree_head(
    ctx: AppContext, actor: Actor, case_id: int, tree_size: int | None = None
) -> TreeHeadView:
    raise NotImplementedError


def inclusion_proof(
    ctx: AppContext, actor: Actor, case_id: int, index: int, tree_size: int | None = None
) -> InclusionProofView:
    raise NotImplementedError


def consistency_proof(
    ctx: AppContext, actor: Actor, case_id: int, old_size: int, new_size: int | None = None
) -> ConsistencyProofView:
    raise NotImplementedError
