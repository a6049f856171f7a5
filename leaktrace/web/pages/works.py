"""Pages: the protected works (``/works``): search, kind filter, cursor pagination."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.works import KINDS, WorkQuery, list_works
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_INTEL = requires(Permission.read_intel)


@router.get("/works", response_class=HTMLResponse)
def works_page(
    request: Request,
    ctx: Context,
    search: str | None = None,
    kind: str | None = None,
    limit: str | None = None,
    cursor: str | None = None,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    query = WorkQuery(
        search=params.text(search, "search"),
        kind=params.choice(kind, "kind", KINDS),
        limit=params.integer(limit, "limit", low=1, high=200) or 50,
        cursor=params.cursor(cursor),
        with_total=not cursor,  # counted once, on the first page
    )
    page = list_works(ctx, actor, query)
    return render(
        request,
        "works.html",
        actor=actor,
        title="Works",
        page=page,
        search=query.search or "",
        kind=query.kind or "",
        kinds=[("", "any"), *((k, k) for k in KINDS)],
    )
