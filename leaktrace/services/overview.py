"""The overview: what is stored, and how many leaks are new (last 24 hours, last 7 days),
with leaks per day over time for a chart (``GET /api/v1/overview``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.context import AppContext
from leaktrace.services.views import View
from leaktrace.store.leak_queries import leaks_detected_since, leaks_per_day
from leaktrace.store.queries import overview

__all__ = ["MAX_DAYS", "DayCount", "OverviewView", "get_overview"]

MAX_DAYS = 3660


class DayCount(View):
    day: str
    """``YYYY-MM-DD`` (UTC)."""
    leaks: int


class OverviewView(View):
    """Counts for the overview page."""

    generated_at: datetime
    works: int
    releases: int
    sightings: int
    releases_by_status: dict[str, int]
    leaks_by_window: dict[str, int]
    leaks_by_severity: dict[str, int]
    leaks_by_source: dict[str, int]
    new_leaks_24h: int
    """Leak alerts first raised in the last 24 hours."""
    new_leaks_7d: int
    leaks_per_day: list[DayCount]
    """Leaks by the day they were released, every day of the last ``days`` (zeros too)."""


def get_overview(
    ctx: AppContext, actor: Actor, *, days: int = 90, now: datetime | None = None
) -> OverviewView:
    """The overview as of ``now`` (default: now), with ``days`` days of leaks per day."""
    actor.require(Permission.read_intel)
    if not 1 <= days <= MAX_DAYS:
        raise InputError(f"must be between 1 and {MAX_DAYS}", field="days")
    at = (now or datetime.now(UTC)).astimezone(UTC)
    first = (at - timedelta(days=days - 1)).date()
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    with ctx.database.reading() as conn:
        counts = overview(conn)
        day_counts = leaks_per_day(conn, start)
        last_day = leaks_detected_since(conn, at - timedelta(hours=24))
        last_week = leaks_detected_since(conn, at - timedelta(days=7))
    series = [DayCount(day=(first + timedelta(days=i)).isoformat(), leaks=0) for i in range(days)]
    series = [DayCount(day=d.day, leaks=day_counts.get(d.day, 0)) for d in series]
    return OverviewView(
        generated_at=at,
        new_leaks_24h=last_day,
        new_leaks_7d=last_week,
        leaks_per_day=series,
        **counts,
    )
