"""Pages: the sources' health (``/sources``): when each feed last answered, its errors,
lag and quarantined items, and the alert deliveries by sink."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.sources import sources_health
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_INTEL = requires(Permission.read_intel)


@router.get("/sources", response_class=HTMLResponse)
def sources_page(request: Request, ctx: Context, actor: Actor = _INTEL) -> HTMLResponse:
    view = sources_health(ctx, actor)
    return render(request, "sources.html", actor=actor, title="Sources", view=view)
