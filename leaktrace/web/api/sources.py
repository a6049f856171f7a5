"""`/api/v1/sources`: the watched sources' health and their quarantined input."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.sources import (
    MAX_QUARANTINE,
    QuarantinedView,
    SourcesView,
    quarantined_input,
    sources_health,
)
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

_INTEL = requires(Permission.read_intel)

router = APIRouter(tags=["sources"])


@router.get("/sources", response_model=SourcesView)
def sources(ctx: Context, actor: Actor = _INTEL) -> SourcesView:
    """Each source's last success and error, items seen and quarantined, lag; and the
    alert deliveries per sink."""
    return sources_health(ctx, actor)


@router.get("/sources/quarantine", response_model=list[QuarantinedView])
def quarantine(
    ctx: Context,
    actor: Actor = _INTEL,
    source: Annotated[str | None, Query(max_length=64, description="Only this source.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_QUARANTINE)] = 200,
) -> list[QuarantinedView]:
    """The newest quarantined input (secrets in URLs redacted)."""
    return quarantined_input(ctx, actor, source, limit=limit)
