"""`/api/v1/overview`: what is stored, new leaks (24 h, 7 days), leaks per day."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.overview import MAX_DAYS, OverviewView, get_overview
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

_INTEL = requires(Permission.read_intel)

router = APIRouter(tags=["overview"])


@router.get("/overview", response_model=OverviewView)
def overview(
    ctx: Context,
    actor: Actor = _INTEL,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS, description="Days of leaks per day.")] = 90,
) -> OverviewView:
    """Counts for the overview page, and leaks per day for its chart."""
    return get_overview(ctx, actor, days=days)
