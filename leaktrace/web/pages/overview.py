"""Pages: the overview (``/``): new leaks in the last 24 hours and 7 days, counts, and a
chart of leaks over time (server-side SVG)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.overview import DayCount, get_overview
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.pages.charts import columns_svg
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render, trusted_svg

__all__ = ["PERIODS", "router"]

router = APIRouter(include_in_schema=False)
_INTEL = requires(Permission.read_intel)

PERIODS: tuple[tuple[str, str], ...] = (
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("730", "2 years"),
    ("1825", "5 years"),
)


def buckets(days: Sequence[DayCount], span: int) -> list[tuple[str, int]]:
    """Days as columns: one per day up to 120 days, per week up to 2 years, else per month."""
    if span <= 120:
        return [(d.day, d.leaks) for d in days]
    totals: dict[str, int] = {}
    for d in days:
        day = date.fromisoformat(d.day)
        if span <= 730:
            key = (day - timedelta(days=day.weekday())).isoformat()
        else:
            key = day.strftime("%Y-%m")
        totals[key] = totals.get(key, 0) + d.leaks
    return list(totals.items())


@router.get("/", response_class=HTMLResponse)
def overview_page(
    request: Request,
    ctx: Context,
    days: str | None = None,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    span = params.integer(days, "days", low=1, high=3660) or 90
    view = get_overview(ctx, actor, days=span)
    columns = buckets(view.leaks_per_day, span)
    chart = columns_svg(columns, title=f"Leaks released per period, last {span} days")
    return render(
        request,
        "overview.html",
        actor=actor,
        title="Overview",
        view=view,
        span=span,
        periods=PERIODS,
        chart=trusted_svg(chart),
        total_in_span=sum(count for _, count in columns),
    )
