"""Pages: cases (``/cases``), one case with its evidence, timeline and signed tree head
(``/cases/{id}``), its forms (note, task, subject, member, status, file, finding, export),
and the "Add to case" menu the leak, release, group and host pages load
(``/cases/add?kind=&reference=``, posting to ``/cases/items``).

Every form is a POST with the session's CSRF token (checked by the policy's
authentication); each change redirects back to the case page (303), where the new entry
shows in the timeline. Downloads of items use the API route (a GET; the session cookie
signs it); the bundle is exported with a POST, since an export is an entry of the log.
"""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import case_export, case_items, cases
from leaktrace.services.case_items import MAX_FINDING_REFERENCE
from leaktrace.services.case_views import (
    CASE_STATUSES,
    FINDING_KINDS,
    MEMBER_ROLES,
    SUBJECT_KINDS,
    FindingKind,
)
from leaktrace.services.cases import MAX_NOTE, TASK_STATUSES
from leaktrace.web.deps import Context
from leaktrace.web.downloads import bundle_response
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render

__all__ = ["FINDING_LABELS", "router"]

router = APIRouter(include_in_schema=False)
_READ = requires(Permission.read_cases)
_WRITE = requires(Permission.write_cases)
_MAX_FIELD = 4096

FINDING_LABELS: dict[str, str] = {
    "leak": "Leak alert (with its release and sightings)",
    "release": "Release",
    "group": "Group dossier",
    "host": "Host (with its enrichment)",
    "supply-rank": "Supply ranking (with explanations)",
    "targets": "Target sheet of a country",
    "impact": "Impact estimate (a work, or empty for all)",
    "stix": "Shared STIX object (its id, a space, its collection)",
}
Field = Annotated[str, Form(max_length=_MAX_FIELD)]
"""A form field (the services check each field's own limit and characters)."""
LongField = Annotated[str, Form(max_length=MAX_NOTE)]


def _case_id(value: str) -> int:
    return params.identifier(value, "case_id")


def _back(case_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}{anchor}", status_code=303)


@router.get("/cases", response_class=HTMLResponse)
def cases_page(
    request: Request, ctx: Context, status: str | None = None, actor: Actor = _READ
) -> HTMLResponse:
    """The cases of the user's agency, and a form to open one."""
    chosen = params.choice(status, "status", CASE_STATUSES)
    listed = cases.list_cases(ctx, actor, status=chosen)
    return render(
        request,
        "cases/list.html",
        actor=actor,
        title="Cases",
        cases=listed,
        chosen_status=chosen or "",
        statuses=[("", "any"), *((s, s) for s in CASE_STATUSES)],
        can_write=actor.can(Permission.write_cases),
    )


@router.post("/cases", response_class=HTMLResponse)
def open_case(
    ctx: Context,
    title: Field = "",
    legal_basis: Field = "",
    reference: Field = "",
    retention_until: Field = "",
    actor: Actor = _WRITE,
) -> Response:
    """Open a case led by the user's agency; on to its page."""
    retention = params.moment(retention_until, "retention_until")
    ref = cases.open_case(
        ctx,
        actor,
        title,
        legal_basis=legal_basis,
        reference=reference,
        retention_until=retention.date() if retention else None,
    )
    return _back(ref.id)


@router.get("/cases/add", response_class=HTMLResponse)
def add_menu(
    request: Request,
    ctx: Context,
    kind: str | None = None,
    reference: str | None = None,
    actor: Actor = _READ,
) -> HTMLResponse:
    """The "Add to case" form for one finding: a select of the open cases the user may
    add to, and a button (an htmx fragment on the finding's page; a page without htmx)."""
    what = params.required_choice(kind, "kind", FINDING_KINDS)
    ref = params.text(reference, "reference", limit=MAX_FINDING_REFERENCE) or ""
    writable = cases.list_cases(ctx, actor, writable=True)  # none without write:cases
    fragment = request.headers.get("HX-Request") == "true"
    return render(
        request,
        "cases/add_menu.html" if fragment else "cases/add.html",
        actor=actor,
        title="Add to case",
        kind=what,
        kind_label=FINDING_LABELS[what],
        reference=ref,
        cases=writable,
    )


def _add_finding(
    ctx: Context, actor: Actor, case_id: int, kind: str, reference: str, reason: str
) -> RedirectResponse:
    what = params.required_choice(kind, "kind", FINDING_KINDS)
    finding = cast(FindingKind, what)  # checked against FINDING_KINDS above
    item = case_items.add_finding(ctx, actor, case_id, finding, reference, reason=reason)
    return _back(case_id, f"#item-{item.id}")


@router.post("/cases/items", response_class=HTMLResponse)
def add_to_case(
    ctx: Context,
    case_id: Field = "",
    kind: Field = "",
    reference: Field = "",
    reason: Field = "",
    actor: Actor = _WRITE,
) -> Response:
    """The "Add to case" button: freeze the finding into the chosen case; on to it."""
    return _add_finding(ctx, actor, _case_id(case_id), kind, reference, reason)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, ctx: Context, case_id: str, actor: Actor = _READ) -> HTMLResponse:
    """One case: header, members, subjects, tasks, notes, evidence with full hashes, the
    timeline of its log with every leaf hash, the signed tree head and checkpoint."""
    detail = cases.show_case(ctx, actor, _case_id(case_id))
    return render(
        request,
        "cases/case.html",
        actor=actor,
        title=detail.title,
        case=detail,
        may=detail.may,  # what the services let this actor do: the page offers only that
        statuses=[(s, s) for s in CASE_STATUSES],
        roles=[(r, r) for r in MEMBER_ROLES],
        subject_kinds=[(k, k) for k in SUBJECT_KINDS],
        finding_kinds=list(FINDING_LABELS.items()),
    )


@router.post("/cases/{case_id}/items", response_class=HTMLResponse)
def add_item(
    ctx: Context,
    case_id: str,
    kind: Field = "",
    reference: Field = "",
    reason: Field = "",
    actor: Actor = _WRITE,
) -> Response:
    """Freeze a finding into this case."""
    return _add_finding(ctx, actor, _case_id(case_id), kind, reference, reason)


@router.post("/cases/{case_id}/files", response_class=HTMLResponse)
def add_file(
    ctx: Context,
    case_id: str,
    file: Annotated[UploadFile | None, File()] = None,
    reason: Field = "",
    actor: Actor = _WRITE,
) -> Response:
    """Upload a file as evidence (stored by SHA-256, never opened)."""
    number = _case_id(case_id)
    if file is None or not file.filename:
        raise InputError("choose a file to upload", field="file")
    item = case_items.add_file(
        ctx,
        actor,
        number,
        name=file.filename,
        content=file.file,
        reason=reason,
    )
    return _back(number, f"#item-{item.id}")


@router.post("/cases/{case_id}/notes", response_class=HTMLResponse)
def add_note(ctx: Context, case_id: str, text: LongField = "", actor: Actor = _WRITE) -> Response:
    number = _case_id(case_id)
    note = cases.add_note(ctx, actor, number, text)
    return _back(number, f"#entry-{note.entry_seq}")


@router.post("/cases/{case_id}/tasks", response_class=HTMLResponse)
def add_task(
    ctx: Context, case_id: str, title: Field = "", assignee: Field = "", actor: Actor = _WRITE
) -> Response:
    number = _case_id(case_id)
    cases.add_task(
        ctx,
        actor,
        number,
        title,
        assignee=assignee or None,
    )
    return _back(number, "#tasks")


@router.post("/cases/{case_id}/tasks/{task_id}", response_class=HTMLResponse)
def update_task(
    ctx: Context, case_id: str, task_id: str, status: Field = "", actor: Actor = _WRITE
) -> Response:
    number = _case_id(case_id)
    chosen = params.required_choice(status, "status", TASK_STATUSES)
    cases.update_task(ctx, actor, number, params.identifier(task_id, "task_id"), status=chosen)
    return _back(number, "#tasks")


@router.post("/cases/{case_id}/subjects", response_class=HTMLResponse)
def add_subject(
    ctx: Context, case_id: str, kind: Field = "", value: Field = "", actor: Actor = _WRITE
) -> Response:
    number = _case_id(case_id)
    chosen = params.required_choice(kind, "kind", SUBJECT_KINDS)
    cases.add_subject(ctx, actor, number, chosen, value)
    return _back(number, "#subjects")


@router.post("/cases/{case_id}/members", response_class=HTMLResponse)
def add_member(
    ctx: Context, case_id: str, agency: Field = "", role: Field = "", actor: Actor = _WRITE
) -> Response:
    number = _case_id(case_id)
    chosen = params.choice(role, "role", MEMBER_ROLES) or "member"
    cases.add_member(ctx, actor, number, agency, chosen)
    return _back(number, "#members")


@router.post("/cases/{case_id}/status", response_class=HTMLResponse)
def set_status(
    ctx: Context, case_id: str, status: Field = "", reason: Field = "", actor: Actor = _WRITE
) -> Response:
    number = _case_id(case_id)
    chosen = params.required_choice(status, "status", CASE_STATUSES)
    cases.set_status(ctx, actor, number, chosen, reason=reason)
    return _back(number)


@router.post("/cases/{case_id}/export")
def export(ctx: Context, case_id: str, actor: Actor = _READ) -> Response:
    """Download the case's bundle (a form with the CSRF token: the export is logged; who
    may export is the service's rule)."""
    view, content = case_export.export_case_bytes(ctx, actor, _case_id(case_id))
    return bundle_response(view, content)
