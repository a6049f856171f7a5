"""Read-side queries: the dashboard counts; and, for older callers, the leak and release
queries of :mod:`leaktrace.store.leak_queries` and :mod:`leaktrace.store.release_queries`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from leaktrace.store.keyset import like_escape
from leaktrace.store.leak_queries import (
    LEAK_SORT_ARITY,
    LeakFilter,
    LeakSort,
    count_leaks,
    leak_page,
    leak_row,
    leaks_detected_since,
    leaks_per_day,
    list_leaks,
)
from leaktrace.store.release_queries import (
    ReleaseFilter,
    count_releases,
    list_releases,
    release_page,
    release_row,
)
from leaktrace.store.schema import ALERTS, RELEASES, SIGHTINGS, WORKS

__all__ = [
    "LEAK_SORT_ARITY",
    "LeakFilter",
    "LeakSort",
    "ReleaseFilter",
    "leak_page",
    "leaks_detected_since",
    "leaks_per_day",
    "like_escape",
    "release_page",
    "count_leaks",
    "count_releases",
    "leak_row",
    "list_leaks",
    "list_releases",
    "overview",
    "release_row",
]


def overview(conn: Connection) -> dict[str, Any]:
    """Counts for a dashboard: works, releases by status, sightings, leaks by field."""

    def grouped(column: Any) -> dict[str, int]:
        rows = conn.execute(select(column, func.count()).group_by(column)).all()
        return {str(k): int(v) for k, v in rows}

    return {
        "works": int(conn.execute(select(func.count()).select_from(WORKS)).scalar_one()),
        "releases": int(conn.execute(select(func.count()).select_from(RELEASES)).scalar_one()),
        "sightings": int(conn.execute(select(func.count()).select_from(SIGHTINGS)).scalar_one()),
        "releases_by_status": grouped(RELEASES.c.status),
        "leaks_by_window": grouped(ALERTS.c.window),
        "leaks_by_severity": grouped(ALERTS.c.severity),
        "leaks_by_source": grouped(ALERTS.c.source),
    }
