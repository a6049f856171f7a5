"""Pages: releases (``/releases``: search and filters, cursor pagination) and one release
(``/releases/{id}``): its name, what the parser read, the work it matched and why, the
rule that flagged it, its sightings (and NFO texts)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.releases import STATUSES, ReleaseQuery, get_release, list_releases
from leaktrace.web.auth import csrf_token_of
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_INTEL = requires(Permission.read_intel)


@router.get("/releases", response_class=HTMLResponse)
def releases_page(
    request: Request,
    ctx: Context,
    search: str | None = None,
    status: str | None = None,
    group: str | None = None,
    work: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: str | None = None,
    cursor: str | None = None,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    query = ReleaseQuery(
        search=params.text(search, "search"),
        status=params.choice(status, "status", STATUSES),
        group=params.text(group, "group"),
        work=params.text(work, "work"),
        since=params.moment(since, "since"),
        until=params.moment(until, "until"),
        limit=params.integer(limit, "limit", low=1, high=200) or 50,
        cursor=params.cursor(cursor),
    )
    page = list_releases(ctx, actor, query)
    return render(
        request,
        "releases.html",
        actor=actor,
        title="Releases",
        page=page,
        form={
            "search": query.search or "",
            "status": query.status or "",
            "group": query.group or "",
            "work": query.work or "",
            "since": (since or "").strip()[:40],
            "until": (until or "").strip()[:40],
        },
        statuses=[("", "any"), *((s, s) for s in STATUSES)],
    )


@router.get("/releases/{release_id}", response_class=HTMLResponse)
def release_page(
    request: Request,
    ctx: Context,
    release_id: str,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    release = get_release(ctx, actor, params.identifier(release_id, "release_id"))
    return render(
        request,
        "release.html",
        actor=actor,
        title=release.name,
        release=release,
        parsed=sorted((k, v) for k, v in release.parsed.items() if v not in (None, "", [], {})),
        can_triage=actor.can(Permission.triage),
        here=request.url.path,
        csrf=csrf_token_of(request),
    )
