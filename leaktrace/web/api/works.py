"""`/api/v1/works`: the catalogue of protected works."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.views import Page
from leaktrace.services.works import WorkDetail, WorkQuery, WorkView, get_work, list_works
from leaktrace.web.api.params import Cursor, Limit
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

_INTEL = requires(Permission.read_intel)

router = APIRouter(tags=["works"])


@router.get("/works", response_model=Page[WorkView])
def works(
    ctx: Context,
    actor: Actor = _INTEL,
    search: Annotated[str | None, Query(max_length=300, description="Part of a title.")] = None,
    kind: Literal["movie", "season"] | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
    with_total: bool = False,
) -> Page[WorkView]:
    """Works by title, with their windows and how many releases and leaks they have."""
    query = WorkQuery(search=search, kind=kind, limit=limit, cursor=cursor, with_total=with_total)
    return list_works(ctx, actor, query)


@router.get("/works/{work_id}", response_model=WorkDetail)
def work(
    ctx: Context,
    work_id: Annotated[str, Path(max_length=64)],
    actor: Actor = _INTEL,
) -> WorkDetail:
    """One work, with its aliases."""
    return get_work(ctx, actor, work_id)
