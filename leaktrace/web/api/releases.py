"""`/api/v1/releases`: every stored release, and one release in detail."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.leak_views import ReleaseDetail, ReleaseView
from leaktrace.services.leaks import parse_when
from leaktrace.services.releases import ReleaseQuery, get_release, list_releases
from leaktrace.services.views import Page
from leaktrace.web.api.params import MAX_ID, Cursor, GroupName, Limit, Since, Until, WorkId
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

_INTEL = requires(Permission.read_intel)

router = APIRouter(tags=["releases"])


@router.get("/releases", response_model=Page[ReleaseView])
def releases(
    ctx: Context,
    actor: Actor = _INTEL,
    status: Literal["leak", "in-window", "unknown", "unmatched"] | None = None,
    work: WorkId = None,
    group: GroupName = None,
    source: Annotated[str | None, Query(max_length=16, description="bluray, cam, web …")] = None,
    search: Annotated[
        str | None, Query(max_length=512, description="Part of the release name.")
    ] = None,
    since: Since = None,
    until: Until = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    with_total: bool = False,
) -> Page[ReleaseView]:
    """Stored releases, newest first, with the work each matched and why."""
    query = ReleaseQuery(
        status=status,
        work=work,
        group=group,
        source=source,
        search=search,
        since=parse_when(since, "since"),
        until=parse_when(until, "until"),
        limit=limit,
        cursor=cursor,
        with_total=with_total,
    )
    return list_releases(ctx, actor, query)


@router.get("/releases/{release_id}", response_model=ReleaseDetail)
def release(
    ctx: Context,
    release_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    actor: Actor = _INTEL,
) -> ReleaseDetail:
    """One release: what the parser read, the work it matched and why, the rule that
    flagged it, and where it was seen."""
    return get_release(ctx, actor, release_id)
