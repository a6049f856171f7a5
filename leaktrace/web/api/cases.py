"""`/api/v1/cases`: cases, their members, subjects, tasks, notes and evidence items,
downloads of items and of the case's bundle, and the case log's signed tree head and
proofs.

Reads need ``read:cases``, changes ``write:cases``; the case roles (lead, member,
observer) are the services' (:mod:`leaktrace.services.case_access`). A case the asker's
agency is not a member of answers exactly as one that does not exist (404).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Body, File, Form, Path, Query, UploadFile
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import case_export, case_items, case_log, case_text, cases
from leaktrace.services.case_items import MAX_FINDING_REFERENCE
from leaktrace.services.case_views import (
    CaseDetail,
    CaseItemView,
    CaseMemberView,
    CaseNoteView,
    CaseRef,
    CaseSubjectView,
    CaseSummary,
    CaseTaskView,
    ConsistencyProofView,
    InclusionProofView,
    TreeHeadView,
)
from leaktrace.web.api.params import MAX_ID
from leaktrace.web.deps import Context
from leaktrace.web.downloads import attachment_headers, bundle_response, download_name
from leaktrace.web.policy import requires

__all__ = ["router"]

_READ = requires(Permission.read_cases)
_WRITE = requires(Permission.write_cases)

router = APIRouter(tags=["cases"])

MAX_AGENCY = 32
MAX_ASSIGNEE = 320
MAX_SIZE = 2**62
"""The largest tree size or index a query may name (larger: 422, not a database error)."""

CaseId = Annotated[int, Path(ge=1, le=MAX_ID, description="The case's id.")]
TaskId = Annotated[int, Path(ge=1, le=MAX_ID, description="The task's id.")]
ItemId = Annotated[int, Path(ge=1, le=MAX_ID, description="The evidence item's id.")]
TreeSize = Annotated[
    int | None, Query(ge=1, le=MAX_SIZE, description="A tree size [default: the latest].")
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenCaseRequest(_Request):
    """A new case; ``agency`` is your own agency by default."""

    title: str = Field(min_length=1, max_length=cases.MAX_TITLE)
    agency: str | None = Field(default=None, min_length=1, max_length=MAX_AGENCY)
    legal_basis: str = Field(default="", max_length=cases.MAX_LEGAL_BASIS)
    reference: str = Field(default="", max_length=cases.MAX_REFERENCE)
    retention_until: date | None = None


class UpdateCaseRequest(_Request):
    """A status change and/or new values of the case's fields (at least one)."""

    status: Literal["open", "suspended", "closed"] | None = None
    reason: str = Field(
        default="", max_length=cases.MAX_REASON, description="Why the status changes."
    )
    title: str | None = Field(default=None, min_length=1, max_length=cases.MAX_TITLE)
    legal_basis: str | None = Field(default=None, max_length=cases.MAX_LEGAL_BASIS)
    reference: str | None = Field(default=None, max_length=cases.MAX_REFERENCE)
    retention_until: date | None = None


class MemberRequest(_Request):
    agency: str = Field(min_length=1, max_length=MAX_AGENCY, description="The agency's code.")
    role: Literal["member", "observer"] = "member"


class SubjectRequest(_Request):
    kind: Literal["group", "account", "host", "work"]
    value: str = Field(min_length=1, max_length=case_text.MAX_SUBJECT)


class TaskRequest(_Request):
    title: str = Field(min_length=1, max_length=cases.MAX_TITLE)
    assignee: str | None = Field(
        default=None,
        max_length=MAX_ASSIGNEE,
        description="The e-mail of an active user of a member agency.",
    )


class TaskUpdateRequest(_Request):
    status: Literal["open", "done"] | None = None
    assignee: str | None = Field(
        default=None,
        max_length=MAX_ASSIGNEE,
        description='The e-mail of an active user of a member agency; "" for nobody.',
    )


class NoteRequest(_Request):
    text: str = Field(min_length=1, max_length=cases.MAX_NOTE)


class ItemRequest(_Request):
    """A finding to freeze into the case: ``reference`` is the leak id, release name,
    group name, host, country code or work id (empty for the supply ranking and the
    impact over all works); for a shared STIX object (``stix``), ``"STIX_ID COLLECTION"``."""

    kind: Literal["leak", "release", "group", "host", "supply-rank", "targets", "impact", "stix"]
    reference: str = Field(default="", max_length=MAX_FINDING_REFERENCE)
    reason: str = Field(default="", max_length=cases.MAX_REASON)


@router.get("/cases", response_model=list[CaseSummary])
def list_cases(
    ctx: Context,
    actor: Actor = _READ,
    status: Literal["open", "suspended", "closed"] | None = None,
    writable: Annotated[
        bool, Query(description="Only open cases you may add evidence to.")
    ] = False,
) -> list[CaseSummary]:
    """Your agency's cases, newest first."""
    return cases.list_cases(ctx, actor, status=status, writable=writable)


@router.post("/cases", response_model=CaseRef, status_code=201)
def open_case(
    ctx: Context, body: Annotated[OpenCaseRequest, Body()], actor: Actor = _WRITE
) -> CaseRef:
    """Open a case; your agency (or the one named) is its lead."""
    return cases.open_case(
        ctx,
        actor,
        body.title,
        agency=body.agency,
        legal_basis=body.legal_basis,
        reference=body.reference,
        retention_until=body.retention_until,
    )


@router.get("/cases/{case_id}", response_model=CaseDetail)
def show_case(ctx: Context, case_id: CaseId, actor: Actor = _READ) -> CaseDetail:
    """One case: members, subjects, tasks, notes, evidence, the timeline of its log and
    its latest signed tree head (audited)."""
    return cases.show_case(ctx, actor, case_id)


@router.patch("/cases/{case_id}", response_model=CaseSummary)
def update_case(
    ctx: Context,
    case_id: CaseId,
    body: Annotated[UpdateCaseRequest, Body()],
    actor: Actor = _WRITE,
) -> CaseSummary:
    """Change the case's status (lead) and/or fields, all or nothing, in one transaction
    (a reopening comes first, so a closed case can be reopened and edited in one
    request). What is already so is left alone."""
    fields = body.model_dump(
        include={"title", "legal_basis", "reference", "retention_until"}, exclude_none=True
    )
    if body.status is None and not fields:
        raise InputError("nothing to change: give a status or a field", field="body")
    return cases.change_case(ctx, actor, case_id, status=body.status, reason=body.reason, **fields)


@router.post("/cases/{case_id}/members", response_model=CaseMemberView, status_code=201)
def add_member(
    ctx: Context, case_id: CaseId, body: Annotated[MemberRequest, Body()], actor: Actor = _WRITE
) -> CaseMemberView:
    """Make an agency a member of the case (lead only)."""
    return cases.add_member(ctx, actor, case_id, body.agency, body.role)


@router.post("/cases/{case_id}/subjects", response_model=CaseSubjectView, status_code=201)
def add_subject(
    ctx: Context, case_id: CaseId, body: Annotated[SubjectRequest, Body()], actor: Actor = _WRITE
) -> CaseSubjectView:
    """Name a subject of the case: a release group, supply account, host or work."""
    return cases.add_subject(ctx, actor, case_id, body.kind, body.value)


@router.post("/cases/{case_id}/tasks", response_model=CaseTaskView, status_code=201)
def add_task(
    ctx: Context, case_id: CaseId, body: Annotated[TaskRequest, Body()], actor: Actor = _WRITE
) -> CaseTaskView:
    """Add a task, with an assignee."""
    return cases.add_task(ctx, actor, case_id, body.title, assignee=body.assignee)


@router.patch("/cases/{case_id}/tasks/{task_id}", response_model=CaseTaskView)
def update_task(
    ctx: Context,
    case_id: CaseId,
    task_id: TaskId,
    body: Annotated[TaskUpdateRequest, Body()],
    actor: Actor = _WRITE,
) -> CaseTaskView:
    """Change a task's status or assignee."""
    if body.status is None and body.assignee is None:
        raise InputError("nothing to change: give a status or an assignee", field="body")
    return cases.update_task(
        ctx, actor, case_id, task_id, status=body.status, assignee=body.assignee
    )


@router.post("/cases/{case_id}/notes", response_model=CaseNoteView, status_code=201)
def add_note(
    ctx: Context, case_id: CaseId, body: Annotated[NoteRequest, Body()], actor: Actor = _WRITE
) -> CaseNoteView:
    """Add a note (an entry of the case's log)."""
    return cases.add_note(ctx, actor, case_id, body.text)


@router.post("/cases/{case_id}/items", response_model=CaseItemView, status_code=201)
def add_item(
    ctx: Context, case_id: CaseId, body: Annotated[ItemRequest, Body()], actor: Actor = _WRITE
) -> CaseItemView:
    """Freeze a finding into the case as evidence: a snapshot of what it says now."""
    return case_items.add_finding(
        ctx, actor, case_id, body.kind, body.reference.strip(), reason=body.reason
    )


@router.post("/cases/{case_id}/files", response_model=CaseItemView, status_code=201)
def add_file(
    ctx: Context,
    case_id: CaseId,
    file: Annotated[UploadFile, File(description="The file (never opened or unpacked).")],
    reason: Annotated[str, Form(max_length=cases.MAX_REASON)] = "",
    actor: Actor = _WRITE,
) -> CaseItemView:
    """Upload a file as evidence (multipart/form-data; up to ``evidence.max_file_bytes``).
    Stored by SHA-256; its name is kept as data only."""
    return case_items.add_file(
        ctx, actor, case_id, name=file.filename or "", content=file.file, reason=reason
    )


@router.get(
    "/cases/{case_id}/items/{item_id}/content",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def item_content(ctx: Context, case_id: CaseId, item_id: ItemId, actor: Actor = _READ) -> Response:
    """An item's stored bytes, as a download (never shown inline; audited)."""
    item, content = case_items.item_content(ctx, actor, case_id, item_id)
    return Response(
        content,
        media_type="application/octet-stream",
        headers=attachment_headers(download_name(item)),
    )


@router.post(
    "/cases/{case_id}/export",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def export(ctx: Context, case_id: CaseId, actor: Actor = _READ) -> Response:
    """Export the case's evidence bundle (zip), which verifies offline. A POST: the export
    is an entry of the case's log (naming who exported). A browser session sends its CSRF
    token like any other change. Who may export is the service's rule."""
    view, content = case_export.export_case_bytes(ctx, actor, case_id)
    return bundle_response(view, content)


@router.get("/cases/{case_id}/log/checkpoint", response_model=TreeHeadView)
def checkpoint(
    ctx: Context, case_id: CaseId, tree_size: TreeSize = None, actor: Actor = _READ
) -> TreeHeadView:
    """The case log's signed tree head (the latest, or at ``tree_size``)."""
    return case_log.tree_head(ctx, actor, case_id, tree_size)


@router.get(
    "/cases/{case_id}/log/checkpoint.txt",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}}},
)
def checkpoint_text(
    ctx: Context, case_id: CaseId, tree_size: TreeSize = None, actor: Actor = _READ
) -> PlainTextResponse:
    """The same signed tree head in the C2SP checkpoint text format."""
    head = case_log.tree_head(ctx, actor, case_id, tree_size)
    return PlainTextResponse(head.checkpoint)


@router.get("/cases/{case_id}/log/inclusion", response_model=InclusionProofView)
def inclusion(
    ctx: Context,
    case_id: CaseId,
    index: Annotated[int, Query(ge=0, le=MAX_SIZE, description="The entry (0-based).")],
    tree_size: TreeSize = None,
    actor: Actor = _READ,
) -> InclusionProofView:
    """RFC 9162 2.1.3 inclusion proof of one entry, with the signed head it is bound to."""
    return case_log.inclusion_proof(ctx, actor, case_id, index, tree_size)


@router.get("/cases/{case_id}/log/consistency", response_model=ConsistencyProofView)
def consistency(
    ctx: Context,
    case_id: CaseId,
    old_size: Annotated[int, Query(ge=1, le=MAX_SIZE, description="The earlier tree size.")],
    new_size: TreeSize = None,
    actor: Actor = _READ,
) -> ConsistencyProofView:
    """RFC 9162 2.1.4 consistency proof between two tree sizes, with both signed heads."""
    return case_log.consistency_proof(ctx, actor, case_id, old_size, new_size)
