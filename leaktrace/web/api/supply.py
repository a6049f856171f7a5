"""`/api/v1` routes: the supply-chain ranking and flagged accounts (personal data:
``read:personal``, every read audited by the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.supply import flagged_accounts, supply_ranking
from leaktrace.services.supply_views import FlaggedAccountsView, SupplyRankingView
from leaktrace.supply.scoring import DEFAULT_EPSILON, DEFAULT_PRIOR_NONE
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

router = APIRouter(tags=["supply"])
_PERSONAL = requires(Permission.read_personal)
Limit = Annotated[int | None, Query(ge=1, le=500)]


@router.get("/supply/ranking", response_model=SupplyRankingView)
def get_ranking(
    ctx: Context,
    epsilon: Annotated[float, Query(ge=0.001, le=0.999)] = DEFAULT_EPSILON,
    prior_none: Annotated[float, Query(ge=0.001, le=0.999)] = DEFAULT_PRIOR_NONE,
    min_leaks: Annotated[int, Query(ge=0, le=1_000_000)] = 1,
    limit: Limit = None,
    actor: Actor = _PERSONAL,
) -> SupplyRankingView:
    """Customer accounts ranked by the evidence that pre-release disc leaks came through
    them, with posterior, explanation and flags (``leaktrace supply rank --format json``)."""
    return supply_ranking(
        ctx, actor, epsilon=epsilon, prior_none=prior_none, min_leaks=min_leaks, limit=limit
    )


@router.get("/supply/flags", response_model=FlaggedAccountsView)
def get_flags(ctx: Context, limit: Limit = None, actor: Actor = _PERSONAL) -> FlaggedAccountsView:
    """Accounts with behaviour flags, most warnings first."""
    return flagged_accounts(ctx, actor, limit=limit)
