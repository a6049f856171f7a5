"""services.overview: stored counts, new leaks in 24 h / 7 days, leaks per day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leaktrace.errors import InputError
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import AppContext
from leaktrace.services.overview import get_overview
from tests.services.test_leaks import CAMS, LEAKS, ctx

__all__ = ["ctx"]


def test_counts_and_series(ctx: AppContext) -> None:
    at = datetime(2026, 5, 12, 12, tzinfo=UTC)
    view = get_overview(ctx, local_operator(), days=14, now=at)
    assert view.works == 17 and view.releases == LEAKS + CAMS + 2
    assert view.leaks_by_window == {"physical": LEAKS, "theatrical": CAMS}
    per_day = {d.day: d.leaks for d in view.leaks_per_day}
    assert len(per_day) == 14 and min(per_day) == "2026-04-29" and max(per_day) == "2026-05-12"
    assert sum(per_day.values()) == LEAKS  # the cams are from 2024
    assert all(per_day[f"2026-05-{d:02d}"] == 6 for d in range(1, 11))
    # the alerts were raised now, years after 'at'
    later = get_overview(ctx, local_operator(), now=datetime.now(UTC) + timedelta(days=3))
    assert (later.new_leaks_24h, later.new_leaks_7d) == (0, LEAKS + CAMS)
    with pytest.raises(InputError):
        get_overview(ctx, local_operator(), days=0)
