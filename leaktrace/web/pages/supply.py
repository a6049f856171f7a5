"""Pages: the supply-chain ranking (``/supply``): distributor accounts ranked by the
evidence that pre-release disc leaks came through them, each with its explanation in
words and its behaviour flags. Personal data: needs ``read:personal``; the service
audits every read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.supply import supply_ranking
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_PERSONAL = requires(Permission.read_personal)

SHOWN = (("10", "top 10"), ("25", "top 25"), ("100", "top 100"), ("500", "top 500"))


@router.get("/supply", response_class=HTMLResponse)
def supply_page(
    request: Request,
    ctx: Context,
    limit: str | None = None,
    min_leaks: str | None = None,
    actor: Actor = _PERSONAL,
) -> HTMLResponse:
    top = params.integer(limit, "limit", low=1, high=500) or 25
    least = params.integer(min_leaks, "min_leaks", low=0, high=1_000_000)
    view = supply_ranking(ctx, actor, limit=top, min_leaks=1 if least is None else least)
    return render(
        request,
        "supply.html",
        actor=actor,
        title="Supply chain",
        view=view,
        limit=str(top),
        min_leaks="" if least is None else str(least),
        shown=SHOWN,
    )
