"""Evidence items: a finding frozen as a snapshot of what it said at that moment, or a
file. Both are stored once by SHA-256 (``evidence_blobs``) and named by the log entry
that adds them. OWNER: cases helper (H2).

A snapshot is the RFC 8785 canonical JSON of the finding's read model
(``{"kind", "reference", "taken_at", "view": <view.to_json()>}``), media type
``application/json``. Files are never executed or unpacked; their original name is kept
as data only; ``evidence.max_file_bytes`` bounds them.
"""

from __future__ import annotations

from typing import BinaryIO

from leaktrace.identity.actor import Actor
from leaktrace.services.case_views import CaseItemView, FindingKind
from leaktrace.services.context import AppContext

__all__ = ["add_file", "add_finding", "item_content"]


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
    (``impact``), empty (``supply-rank``)."""
    raise NotImplementedError


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
    raise NotImplementedError


def item_content(
    ctx: AppContext, actor: Actor, case_id: int, item_id: int
) -> tuple[CaseItemView, bytes]:
    """An item and its stored bytes (a download; audited)."""
    raise NotImplementedError
