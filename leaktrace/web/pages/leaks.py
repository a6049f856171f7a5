"""Pages: the leaks listing (``/leaks``) with filters, server-side cursor pagination and
a triage form per leak (``POST /leaks/{id}/triage``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.leaks import LEAK_SORTS, VERDICT_FILTERS, WINDOWS, LeakQuery, list_leaks
from leaktrace.services.triage import triage_leak
from leaktrace.web.auth import csrf_token_of
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render, render_macro, safe_next

__all__ = ["SEVERITIES", "router"]

router = APIRouter(include_in_schema=False)
_INTEL = requires(Permission.read_intel)
_TRIAGE = requires(Permission.triage)
_MAX_FIELD = 4096

SEVERITIES = ("low", "medium", "high", "critical")
PAGE_SIZES = (25, 50, 100, 200)


def _options(values: tuple[str, ...], anything: str) -> list[tuple[str, str]]:
    return [("", anything), *((value, value) for value in values)]


@router.get("/leaks", response_class=HTMLResponse)
def leaks_page(
    request: Request,
    ctx: Context,
    severity: str | None = None,
    window: str | None = None,
    work: str | None = None,
    group: str | None = None,
    since: str | None = None,
    until: str | None = None,
    verdict: str | None = None,
    sort: str | None = None,
    limit: str | None = None,
    cursor: str | None = None,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    query = LeakQuery(
        severity=params.choice(severity, "severity", SEVERITIES),
        window=params.choice(window, "window", WINDOWS),
        work=params.text(work, "work"),
        group=params.text(group, "group"),
        since=params.moment(since, "since"),
        until=params.moment(until, "until"),
        verdict=params.choice(verdict, "verdict", VERDICT_FILTERS),
        sort=params.choice(sort, "sort", LEAK_SORTS) or "time",
        limit=params.integer(limit, "limit", low=1, high=max(PAGE_SIZES)) or 50,
        cursor=params.cursor(cursor),
        with_total=not cursor,  # counted once, on the first page
    )
    page = list_leaks(ctx, actor, query)
    return render(
        request,
        "leaks.html",
        actor=actor,
        title="Leaks",
        page=page,
        query=query,
        form={
            "severity": query.severity or "",
            "window": query.window or "",
            "work": query.work or "",
            "group": query.group or "",
            "since": (since or "").strip()[:40],
            "until": (until or "").strip()[:40],
            "verdict": query.verdict or "",
            "sort": query.sort,
        },
        severities=_options(SEVERITIES, "any"),
        windows=_options(WINDOWS, "any"),
        verdicts=_options(VERDICT_FILTERS, "any"),
        sorts=[("time", "newest first"), ("lead", "longest lead"), ("severity", "gravest")],
        can_triage=actor.can(Permission.triage),
        here=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
    )


@router.post("/leaks/{leak_id}/triage", response_class=HTMLResponse)
def triage(
    request: Request,
    ctx: Context,
    leak_id: str,
    verdict: Annotated[str, Form(max_length=40)] = "",
    note: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    next: Annotated[str, Form(max_length=_MAX_FIELD)] = "/leaks",
    csrf_token: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    actor: Actor = _TRIAGE,
) -> Response:
    """Mark the leak confirmed or false-positive with a note (the form carries the
    session's CSRF token), then back to the listing; htmx gets the updated row."""
    number = params.identifier(leak_id, "leak_id")
    leak = triage_leak(ctx, actor, number, verdict=verdict, note=note.strip())
    if request.headers.get("HX-Request") == "true":
        here = safe_next(next)
        return render_macro("leak_row.html", "leak_row", leak, True, csrf_token_of(request), here)
    return RedirectResponse(safe_next(next), status_code=303)
