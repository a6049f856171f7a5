"""`/api/v1` routes: downloads and losses estimated from swarm observations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.impact import ImpactView, impact_from_query
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

router = APIRouter(tags=["impact"])
_INTEL = requires(Permission.read_intel)
RangeText = Annotated[
    str | None, Query(max_length=64, description="X, LOW:HIGH or LOW:CENTRAL:HIGH")
]
Text = Annotated[str | None, Query(max_length=200)]


@router.get("/impact", response_model=ImpactView)
def get_impact(
    ctx: Context,
    work: Text = None,
    country: Annotated[str | None, Query(max_length=8)] = None,
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    by: Annotated[
        str, Query(max_length=40, description="work, country, day or e.g. work,day")
    ] = "work",
    displacement: RangeText = None,
    price: RangeText = None,
    currency: Annotated[str, Query(max_length=8)] = "EUR",
    coverage: RangeText = None,
    finish_share: RangeText = None,
    uplift: RangeText = None,
    no_uplift: bool = False,
    exact: bool = False,
    actor: Actor = _INTEL,
) -> ImpactView:
    """Downloads and losses per work, country or day as ranges, with every assumption
    (``leaktrace impact --format json``)."""
    return impact_from_query(
        ctx,
        work=work,
        country=country,
        since=since,
        until=until,
        by=by,
        displacement=displacement,
        price=price,
        currency=currency,
        coverage=coverage,
        finish_share=finish_share,
        uplift=uplift,
        no_uplift=no_uplift,
        exact=exact,
    )
