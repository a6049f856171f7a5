"""`/api/v1` routes: stored servers, one server, and the clusters of servers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.infra.cluster import DEFAULT_MIN_STRENGTH
from leaktrace.services.hosts import (
    ClusterListView,
    host_clusters,
    host_detail,
    host_page,
)
from leaktrace.services.hosts_views import HostDetail, HostView
from leaktrace.services.views import Page
from leaktrace.web.api.params import Cursor, MinStrength
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

router = APIRouter(tags=["hosts"])
_INTEL = requires(Permission.read_intel)


@router.get("/hosts", response_model=Page[HostView])
def list_hosts(
    ctx: Context,
    country: Annotated[
        str | None, Query(max_length=16, description="ISO alpha-2 code, or 'unknown'.")
    ] = None,
    role: Annotated[str | None, Query(max_length=32)] = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    cursor: Cursor = None,
    actor: Actor = _INTEL,
) -> Page[HostView]:
    """Stored servers with where they are and what ties them to releases and groups
    (the rows of ``leaktrace hosts list --format json``)."""
    return host_page(ctx, country=country, role=role, limit=limit, cursor=cursor)


@router.get("/hosts/clusters", response_model=ClusterListView)
def list_clusters(
    ctx: Context,
    min_strength: MinStrength = DEFAULT_MIN_STRENGTH,
    actor: Actor = _INTEL,
) -> ClusterListView:
    """Servers tied together, with the evidence and the groups tied to them."""
    return host_clusters(ctx, min_strength=min_strength)


@router.get("/hosts/{host_id}", response_model=HostDetail)
def get_host(
    ctx: Context,
    host_id: Annotated[int, Path(ge=1, le=2**62)],
    actor: Actor = _INTEL,
) -> HostDetail:
    """One server, its evidence in words and its cluster; 404 for an unknown id."""
    return host_detail(ctx, host_id)
