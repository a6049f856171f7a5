"""`/api/v1` routes: swarm observations in aggregate (personal data: ``read:personal``,
every read audited by the service)."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.swarm import SwarmSummaryView, swarm_summary
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

router = APIRouter(tags=["swarm"])
_PERSONAL = requires(Permission.read_personal)


@router.get("/swarm", response_model=SwarmSummaryView)
def get_swarm(ctx: Context, actor: Actor = _PERSONAL) -> SwarmSummaryView:
    """Observations by role and country, their span, torrents and the retention period."""
    return swarm_summary(ctx, actor)
