"""`/api/v1/operations`: action days. The operations the asker's agency takes part in, one
operation's board, and its changes: plan one, add a target, assign it, move its status,
tick its checklist, raise and resolve issues.

Reads need ``read:cases``, changes ``write:cases``; who may change which target is the
services' rule (:mod:`leaktrace.services.operation_access`): coordinators every target,
a participant the targets assigned to it (403 otherwise), observers read (and raise
issues). An operation the asker's agency does not take part in answers exactly as one
that does not exist (404). The live events are ``/api/v1/operations/{id}/events``
(:mod:`leaktrace.web.api.operation_events`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.operations.model import TargetKind
from leaktrace.services import operation_board, operation_changes, operation_report, operations
from leaktrace.services.operation_changes import NOTE_LIMIT
from leaktrace.services.operation_views import (
    OperationBoardView,
    OperationIssueView,
    OperationReportView,
    OperationSummaryView,
    OperationTargetView,
)
from leaktrace.web.api.params import MAX_ID
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

__all__ = ["router"]

_READ = requires(Permission.read_cases)
_WRITE = requires(Permission.write_cases)

router = APIRouter(tags=["operations"])

MAX_NAME = 200
MAX_LABEL = 300
MAX_AGENCY = 32
MAX_AGENCY_SPEC = 128
MAX_AGENCIES = 100
MAX_TARGETS = 1000
MAX_SUPPLY = 1000

OperationId = Annotated[int, Path(ge=1, le=MAX_ID, description="The operation's id.")]
TargetId = Annotated[
    int, Path(ge=1, le=MAX_ID, description="The target's id (see the board's targets).")
]
IssueId = Annotated[int, Path(ge=1, le=MAX_ID, description="The issue's id.")]

TargetStatusName = Literal["planned", "go", "in-progress", "done", "failed", "aborted"]
ChecklistItem = Literal[
    "authorisation", "search", "seizure", "forensic-image", "arrest", "provider-notified"
]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetRequest(_Request):
    """A target: a server's address, a supply account's or a person's pseudonymous
    handle, or premises (free text). It goes to ``agency`` (a participating agency's
    code), by default to the participating agency of its country."""

    kind: Literal["server", "account", "person", "premises"]
    label: str = Field(min_length=1, max_length=MAX_LABEL)
    country: str | None = Field(default=None, max_length=8, description="ISO alpha-2 code.")
    group: str | None = Field(default=None, max_length=200)
    reference: str | None = Field(default=None, max_length=MAX_LABEL)
    real_name: str | None = Field(
        default=None,
        max_length=MAX_LABEL,
        description="Persons only; shown to the agency of its country and coordinators.",
    )
    agency: str | None = Field(default=None, min_length=1, max_length=MAX_AGENCY)

    def new_target(self) -> operations.NewTarget:
        return operations.NewTarget(
            kind=TargetKind(self.kind),
            label=self.label,
            country=self.country,
            group=self.group,
            reference=self.reference,
            real_name=self.real_name,
            agency=self.agency,
        )


class CreateOperationRequest(_Request):
    """An action day of case ``case_id``: its agencies as ``CODE[:role][=Zone]``
    (``NL-POL``, ``EJ:coordinator``, ``US-FBI=America/Los_Angeles``,
    ``INDUSTRY:observer``; your agency joins as coordinator when not named), and its
    targets: the servers of the target sheets (``from_targets``: ``all`` or country codes
    with commas), the top ``from_supply`` accounts of the supply ranking, and ``targets``."""

    case_id: int = Field(ge=1, le=MAX_ID)
    name: str = Field(min_length=1, max_length=MAX_NAME)
    date: str = Field(min_length=1, max_length=16, description="YYYY-MM-DD")
    h_hour: str = Field(min_length=1, max_length=8, description="HH:MM, UTC")
    agencies: list[Annotated[str, Field(min_length=1, max_length=MAX_AGENCY_SPEC)]] = Field(
        default_factory=list, max_length=MAX_AGENCIES
    )
    handling: Literal["H0", "H1", "H2", "H3"] = "H2"
    from_targets: str | None = Field(default=None, max_length=1000)
    from_supply: int = Field(default=0, ge=0, le=MAX_SUPPLY)
    targets: list[TargetRequest] = Field(default_factory=list, max_length=MAX_TARGETS)


class Outcome(_Request):
    """Outcome fields of a status change (each optional)."""

    seized: int | None = Field(default=None, ge=0, le=10_000, description="Servers or devices.")
    arrested: int | None = Field(default=None, ge=0, le=10_000, description="Persons.")
    offline: bool | None = None
    moved_to: str | None = Field(
        default=None, min_length=1, max_length=300, description="Provider, address or country."
    )


class StatusRequest(_Request):
    status: TargetStatusName
    note: str | None = Field(default=None, max_length=NOTE_LIMIT)
    outcome: Outcome | None = None


class AssignRequest(_Request):
    agency: str = Field(min_length=1, max_length=MAX_AGENCY, description="The agency's code.")


class ChecklistRequest(_Request):
    item: ChecklistItem
    reference: str | None = Field(
        default=None, max_length=300, description="The authorisation's number, an exhibit."
    )
    undo: bool = Field(default=False, description="Clear the item instead of ticking it.")


class IssueRequest(_Request):
    text: str = Field(min_length=1, max_length=NOTE_LIMIT)


class ResolveRequest(_Request):
    resolution: str | None = Field(default=None, max_length=NOTE_LIMIT)


@router.get("/operations", response_model=list[OperationSummaryView])
def list_operations(ctx: Context, actor: Actor = _READ) -> list[OperationSummaryView]:
    """The operations your agency takes part in, newest first."""
    return operations.list_operations(ctx, actor)


@router.post("/operations", response_model=OperationSummaryView, status_code=201)
def create_operation(
    ctx: Context, body: Annotated[CreateOperationRequest, Body()], actor: Actor = _WRITE
) -> OperationSummaryView:
    """Plan an action day of a case your agency may write to."""
    return operations.create_operation(
        ctx,
        actor,
        case_id=body.case_id,
        name=body.name,
        day=body.date,
        h_hour=body.h_hour,
        agencies=body.agencies,
        handling=body.handling,
        from_targets=body.from_targets,
        from_supply=body.from_supply,
        targets=[t.new_target() for t in body.targets],
    )


@router.get("/operations/{operation_id}", response_model=OperationBoardView)
def board(ctx: Context, operation_id: OperationId, actor: Actor = _READ) -> OperationBoardView:
    """The operation's board as your agency sees it: agencies (the H-hour in each one's
    time zone), targets (``can_change`` for you), issues (open first), country tiles,
    counters, the latest events and ``last_event_id``, where a live stream picks up."""
    return operation_board.operation_board(ctx, actor, operation_id)


@router.post(
    "/operations/{operation_id}/targets", response_model=OperationTargetView, status_code=201
)
def add_target(
    ctx: Context,
    operation_id: OperationId,
    body: Annotated[TargetRequest, Body()],
    actor: Actor = _WRITE,
) -> OperationTargetView:
    """Add a target (coordinators)."""
    return operations.add_target(ctx, actor, operation_id, body.new_target())


@router.post(
    "/operations/{operation_id}/targets/{target_id}/status", response_model=OperationTargetView
)
def change_status(
    ctx: Context,
    operation_id: OperationId,
    target_id: TargetId,
    body: Annotated[StatusRequest, Body()],
    actor: Actor = _WRITE,
) -> OperationTargetView:
    """Move a target on (``planned → go → in-progress → done | failed | aborted``), with a
    note and outcome fields: its agency and coordinators (409 for a move its life does not
    allow)."""
    outcome = body.outcome.model_dump(exclude_none=True) if body.outcome else None
    return operation_changes.change_status(
        ctx, actor, operation_id, target_id, body.status, note=body.note, outcome=outcome
    )


@router.post(
    "/operations/{operation_id}/targets/{target_id}/assign", response_model=OperationTargetView
)
def assign_target(
    ctx: Context,
    operation_id: OperationId,
    target_id: TargetId,
    body: Annotated[AssignRequest, Body()],
    actor: Actor = _WRITE,
) -> OperationTargetView:
    """Assign a target to a participating agency (coordinators)."""
    return operation_changes.assign_target(ctx, actor, operation_id, target_id, body.agency)


@router.post(
    "/operations/{operation_id}/targets/{target_id}/checklist",
    response_model=OperationTargetView,
)
def check_item(
    ctx: Context,
    operation_id: OperationId,
    target_id: TargetId,
    body: Annotated[ChecklistRequest, Body()],
    actor: Actor = _WRITE,
) -> OperationTargetView:
    """Tick (or with ``undo`` clear) an item of a target's checklist, with its reference."""
    return operation_changes.check_item(
        ctx, actor, operation_id, target_id, body.item, reference=body.reference, undo=body.undo
    )


@router.post(
    "/operations/{operation_id}/targets/{target_id}/issues",
    response_model=OperationIssueView,
    status_code=201,
)
def raise_issue(
    ctx: Context,
    operation_id: OperationId,
    target_id: TargetId,
    body: Annotated[IssueRequest, Body()],
    actor: Actor = _WRITE,
) -> OperationIssueView:
    """Raise a problem on a target ("server moved to another provider", "warrant
    missing"): any participating agency, observers too."""
    return operation_changes.raise_issue(ctx, actor, operation_id, target_id, body.text)


@router.post(
    "/operations/{operation_id}/issues/{issue_id}/resolve", response_model=OperationIssueView
)
def resolve_issue(
    ctx: Context,
    operation_id: OperationId,
    issue_id: IssueId,
    body: Annotated[ResolveRequest, Body()],
    actor: Actor = _WRITE,
) -> OperationIssueView:
    """Close an open issue: coordinators, the agency that raised it, the target's agency."""
    return operation_changes.resolve_issue(ctx, actor, operation_id, issue_id, body.resolution)


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def _report_policy(html: str) -> str:
    """A Content-Security-Policy for the self-contained report: nothing loads, nothing
    runs; only its own ``<style>`` blocks apply (by hash)."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in _STYLE.findall(html)
    )
    styles = hashes or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


@router.get(
    "/operations/{operation_id}/report",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}}},
)
def report(ctx: Context, operation_id: OperationId, actor: Actor = _READ) -> HTMLResponse:
    """The after-action report: one printable, self-contained HTML page (timeline,
    per-country outcome, open issues; real names never in it). Audited."""
    html = operation_report.render_report(ctx, actor, operation_id)
    return HTMLResponse(html, headers={"Content-Security-Policy": _report_policy(html)})


@router.post(
    "/operations/{operation_id}/report", response_model=OperationReportView, status_code=201
)
def report_to_case(
    ctx: Context, operation_id: OperationId, actor: Actor = _WRITE
) -> OperationReportView:
    """Add the after-action report to the operation's case as evidence (a writing member
    of the case; 409 when the case is closed)."""
    return operation_report.report_to_case(ctx, actor, operation_id, None)
