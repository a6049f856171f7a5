"""services.sources: source health, quarantine, deliveries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from leaktrace.config import Settings
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import build_context
from leaktrace.services.sources import quarantined_input, sources_health
from leaktrace.store.source_state import record_failure


def test_health_lag_and_quarantine(settings: Settings) -> None:
    with build_context(settings) as ctx:
        assert sources_health(ctx, local_operator()).to_json() == {"sources": [], "deliveries": {}}
        with ctx.database.transaction() as conn:
            record_failure(conn, "rss", "rss", "bad XML", location="https://x/feed", sample="<")
        later = datetime.now(UTC) + timedelta(hours=2)
        (state,) = sources_health(ctx, local_operator(), now=later).sources
        assert state.consecutive_failures == 1 and state.items_quarantined == 1
        assert state.last_success is None and state.lag_seconds is None
        (bad,) = quarantined_input(ctx, local_operator(), "rss")
        assert bad.location == "https://x/feed" and bad.received_at is not None
        assert quarantined_input(ctx, local_operator(), "other") == []
