"""Pages: one release (``/releases/{id}``): its name, what the parser read, the work it
matched and why, the rule that flagged it, its sightings (and NFO texts)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.releases import get_release
from leaktrace.web.auth import csrf_token_of
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_INTEL = requires(Permission.read_intel)


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
        nfos=getattr(release, "nfos", []),
        can_triage=actor.can(Permission.triage),
        here=request.url.path,
        csrf=csrf_token_of(request),
    )
