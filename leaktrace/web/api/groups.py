"""`/api/v1` routes: release groups, a group's dossier and the group graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from leaktrace.attribution import LinkKind
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.groups import group_dossier, group_graph, group_page
from leaktrace.services.groups_views import GroupDossier, GroupGraphView, GroupView
from leaktrace.services.views import Page
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

router = APIRouter(tags=["groups"])
_INTEL = requires(Permission.read_intel)

FollowHours = Annotated[
    float,
    Query(gt=0, le=24 * 365, description="Hours within which a release 'follows' another."),
]
MinReleases = Annotated[int, Query(ge=1, le=1_000_000, description="At least this many releases.")]


@router.get("/groups", response_model=Page[GroupView])
def list_groups(
    ctx: Context,
    sort: Annotated[
        str, Query(max_length=20, description="leaks, releases, rate, lead, first, last or name")
    ] = "leaks",
    min_releases: MinReleases = 1,
    search: Annotated[str | None, Query(max_length=200, description="Part of the name.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=500)] = None,
    cursor: Annotated[str | None, Query(max_length=2048)] = None,
    actor: Actor = _INTEL,
) -> Page[GroupView]:
    """Release groups with their releases, leaks, pre-release rate, lead and
    first-to-release count (the lines of ``leaktrace groups --format json``)."""
    return group_page(
        ctx, sort=sort, min_releases=min_releases, search=search, limit=limit, cursor=cursor
    )


@router.get("/groups/{name}", response_model=GroupDossier)
def get_group(
    ctx: Context,
    name: str,
    follow_hours: FollowHours = 48.0,
    actor: Actor = _INTEL,
) -> GroupDossier:
    """One group's dossier (``leaktrace group NAME --format json``); 404 for an unknown
    group. Supply-chain account names are listed only for ``read:personal`` holders (and
    that read is audited); others get ``accounts_withheld``, how many there are."""
    return group_dossier(ctx, actor, name, follow_hours=follow_hours)


@router.get("/group-graph", response_model=GroupGraphView)
def get_group_graph(
    ctx: Context,
    follow_hours: FollowHours = 48.0,
    min_strength: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    kind: Annotated[list[LinkKind] | None, Query()] = None,
    linked_only: bool = False,
    min_releases: MinReleases = 1,
    actor: Actor = _INTEL,
) -> GroupGraphView:
    """The group graph: ``{"nodes": [...], "links": [...]}`` (node ids are group keys)."""
    return group_graph(
        ctx,
        follow_hours=follow_hours,
        min_strength=min_strength,
        kinds=kind,
        linked_only=linked_only,
        min_releases=min_releases,
    )
