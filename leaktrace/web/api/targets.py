"""`/api/v1` routes: action-day targets per country and the servers-per-country map."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.infra.cluster import DEFAULT_MIN_STRENGTH
from leaktrace.services.targets import country_targets, world_map
from leaktrace.services.targets_views import TargetsView, WorldMapView
from leaktrace.web.api.params import MinStrength
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

router = APIRouter(tags=["targets"])
_INTEL = requires(Permission.read_intel)


@router.get("/targets", response_model=TargetsView)
def get_targets(
    ctx: Context,
    country: Annotated[
        str,
        Query(
            min_length=1,
            max_length=16,
            description="ISO 3166-1 alpha-2 code (e.g. DE), or 'unknown'.",
        ),
    ],
    min_strength: MinStrength = DEFAULT_MIN_STRENGTH,
    actor: Actor = _INTEL,
) -> TargetsView:
    """The servers to seize in ``country``, with the evidence tying each to releases and
    groups, and their clusters (``leaktrace targets --country XX --format json``)."""
    return country_targets(ctx, country, min_strength=min_strength)


@router.get("/targets/countries", response_model=WorldMapView)
def get_target_countries(ctx: Context, actor: Actor = _INTEL) -> WorldMapView:
    """Servers and leaks per country, and the world map of servers (SVG)."""
    return world_map(ctx)
