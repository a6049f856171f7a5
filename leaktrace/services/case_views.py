"""Read models of cases, their evidence and their log (one JSON form each: the CLI's
``--format json``, the API and the bundle's ``index.html`` data)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Literal

from pydantic import computed_field

from leaktrace.services.leak_views import LeakView, ReleaseDetail
from leaktrace.services.views import View

__all__ = [
    "CASE_ROLES",
    "CASE_STATUSES",
    "FINDING_KINDS",
    "MEMBER_ROLES",
    "STIX_RESTRICTIONS",
    "SUBJECT_KINDS",
    "AddedView",
    "BundleVerification",
    "CaseAbilities",
    "CaseDetail",
    "CaseItemView",
    "CaseMemberView",
    "CaseNoteView",
    "CaseRef",
    "CaseSubjectView",
    "CaseSummary",
    "CaseTaskView",
    "ConsistencyProofView",
    "EvidenceKeyView",
    "ExportView",
    "FindingKind",
    "InclusionProofView",
    "LeakEvidenceView",
    "LogProblem",
    "LogVerification",
    "TimelineEntryView",
    "TreeHeadView",
    "item_restriction",
]

CASE_STATUSES = ("open", "suspended", "closed")
CASE_ROLES = ("lead", "member", "observer")
"""An agency's role in a case: the lead (owner) manages members and status; members add
evidence, notes and tasks; observers read."""
MEMBER_ROLES = ("member", "observer")
"""The roles an agency can be given when added to a case (a case has one lead: its owner)."""
SUBJECT_KINDS = ("group", "account", "host", "work")
FINDING_KINDS = ("leak", "release", "group", "host", "supply-rank", "targets", "impact", "stix")
FindingKind = Literal[
    "leak", "release", "group", "host", "supply-rank", "targets", "impact", "stix"
]
"""``stix``: a shared STIX object of a collection the agency may read, its reference
``"STIX_ID COLLECTION"`` (the collection's id, title or alias)."""

STIX_RESTRICTIONS: dict[str, str] = {
    "H1": "H1 — not for use in judicial proceedings without the provider's permission",
    "H2": "H2 — not to be passed on without permission",
    "H3": "H3 — other restrictions (stated in the item)",
}
"""How a shared object's SIENA handling code marks its case item, wherever the item is
listed (the case, its timeline, every export): the label of a ``stix`` item starts with
``[<restriction>]``."""


def item_restriction(kind: str, label: str) -> str | None:
    """The handling restriction a ``stix`` item's label starts with, else None."""
    if kind != "stix":
        return None
    for restriction in STIX_RESTRICTIONS.values():
        if label.startswith(f"[{restriction}]"):
            return restriction
    return None


class CaseRef(View):
    """What ``case open`` answers: ``{"id": ...}``."""

    id: int


class CaseSummary(View):
    id: int
    title: str
    status: str
    owner_agency: str
    """The lead agency's code."""
    my_role: str
    """The asking agency's role (``operator`` for the command line)."""
    reference: str
    retention_until: date | None
    """Keep the case until this day; after it, the lead reviews it (close or extend)."""
    created_at: datetime
    updated_at: datetime
    items: int
    tree_size: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def retention_due(self) -> bool:
        """Whether the retention date has passed (UTC): the case is due for review."""
        return self.retention_until is not None and self.retention_until < datetime.now(UTC).date()


class CaseMemberView(View):
    agency: str
    agency_name: str
    role: str
    added_at: datetime


class CaseSubjectView(View):
    kind: str
    value: str
    added_at: datetime


class CaseTaskView(View):
    id: int
    title: str
    assignee: str | None
    status: str
    created_at: datetime
    updated_at: datetime


class CaseNoteView(View):
    id: int
    text: str
    author: str
    agency: str | None
    added_at: datetime
    entry_seq: int


class LeakEvidenceView(View):
    """A leak alert as frozen into a case: the alert and its release with the sightings
    (the ``view`` of a ``leak`` snapshot)."""

    leak: LeakView
    release: ReleaseDetail


class CaseItemView(View):
    id: int
    kind: str
    reference: str
    label: str
    sha256: str
    size: int
    media_type: str
    original_name: str | None
    reason: str
    added_by: str
    agency: str | None
    added_at: datetime
    entry_seq: int
    personal: bool = False

    @computed_field  # type: ignore[prop-decorator]
    @property
    def restriction(self) -> str | None:
        """A shared object's handling restriction (H1: not for court without the
        provider's permission; H2: not to be passed on without permission), else None."""
        return item_restriction(self.kind, self.label)

    """Whether it names people (supply-chain accounts, customers): reading its content
    needs ``read:personal`` and is audited as a read of personal data."""


class AddedView(View):
    """What one ``add_items`` call added, in the order asked (items and notes)."""

    items: list[CaseItemView]
    notes: list[CaseNoteView]


class CaseAbilities(View):
    """What the asking actor may do with the case, by the rules the services enforce
    (:func:`leaktrace.services.case_access.abilities`): pages show only what works."""

    add: bool
    """Add evidence, notes, tasks and subjects (lead, member or operator with
    ``write:cases``; not on a closed case)."""
    manage: bool
    """Change status and details, add members (lead or operator with ``write:cases``)."""
    export: bool
    """Export the bundle and download items (any member with ``read:cases``)."""
    read_personal: bool
    """Read the items that name people (``read:personal``)."""


class TimelineEntryView(View):
    """One entry of the case's evidence log, in words, with its leaf hash."""

    seq: int
    at: datetime
    event: str
    actor: str
    agency: str | None
    summary: str
    leaf_hash: str
    sha256: list[str]
    """Every file or snapshot the entry refers to."""


class TreeHeadView(View):
    """A signed tree head: the JSON form's fields, the C2SP checkpoint and the signer."""

    log_id: str
    tree_size: int
    root_hash: str
    timestamp: str
    signature: str
    checkpoint: str
    key_fingerprint: str
    rfc3161: bool = False
    """Whether a time-stamping authority's token is stored for this head."""


class CaseDetail(CaseSummary):
    legal_basis: str
    created_by: str
    members: list[CaseMemberView]
    subjects: list[CaseSubjectView]
    tasks: list[CaseTaskView]
    notes: list[CaseNoteView]
    evidence: list[CaseItemView]
    timeline: list[TimelineEntryView]
    tree_head: TreeHeadView
    may: CaseAbilities = CaseAbilities(add=False, manage=False, export=False, read_personal=False)
    """Filled by :func:`leaktrace.services.cases.case_detail` (the default grants
    nothing)."""


class InclusionProofView(View):
    """RFC 9162 2.1.3 inclusion proof of entry ``index``, bound to ``tree_head``."""

    log_id: str
    index: int
    tree_size: int
    leaf_hash: str
    proof: list[str]
    tree_head: TreeHeadView


class ConsistencyProofView(View):
    """RFC 9162 2.1.4 consistency proof from ``old_size`` to ``new_size``, bound to the
    signed heads of both sizes."""

    log_id: str
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]
    old_tree_head: TreeHeadView
    tree_head: TreeHeadView


class LogProblem(View):
    case_id: int
    seq: int | None
    """The first entry (0-based) that does not match, or None for a tree head."""
    reason: str


class LogVerification(View):
    """``leaktrace evidence verify``: every log recomputed from its stored entries."""

    ok: bool
    cases: int
    entries: int
    tree_heads: int
    problems: list[LogProblem]


class EvidenceKeyView(View):
    key_name: str
    """The signer's name in checkpoints (the installation's origin)."""
    fingerprint: str
    """SHA-256 of the raw Ed25519 public key, lowercase hex."""
    public_key_pem: str


class ExportView(View):
    case_id: int
    file: str | None
    """Where the bundle was written (the command line), None for a download."""
    bytes: int
    sha256: str
    """SHA-256 of the zip."""
    tree_size: int
    root_hash: str
    entries: int
    files: int
    consistency_proofs: list[int]
    """The earlier exported tree sizes the bundle proves it extends."""


class BundleVerification(View):
    """``leaktrace verify``: what was checked and the first thing that failed."""

    ok: bool
    bundle: str
    log_id: str | None
    tree_size: int | None
    root_hash: str | None
    key_fingerprint: str | None
    entries: int
    files: int
    checks: list[str]
    """What was checked and passed, in words."""
    problem: str | None
    """The first failure, naming the entry, file or signature."""
