"""Swarm services over the demo scenario: an aggregate summary (read:personal, audited)
and retention (audited)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.errors import PermissionDeniedError
from leaktrace.identity.actor import local_operator
from leaktrace.identity.roles import Role
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.swarm import swarm_retention, swarm_summary
from leaktrace.store.swarm import observation_count
from tests.services.demo_world import demo_context
from tests.services.test_supply import person


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[AppContext]:
    yield from demo_context(tmp_path)


def test_summary_counts_and_is_audited(demo: AppContext) -> None:
    with demo.database.reading() as conn:
        total = observation_count(conn)
    analyst = person(Role.analyst)
    view = swarm_summary(demo, analyst)
    assert view.observations == total > 0
    assert sum(view.by_role.values()) == total == sum(view.by_country.values())
    assert view.torrents >= view.torrents_linked > 0
    assert view.first_observed is not None and view.last_observed is not None
    assert view.first_observed <= view.last_observed
    assert view.retention_days == 180 and view.key_stored_at is not None
    text = str(view.to_json())
    assert "peer_key" not in text and "198.51.100." not in text  # aggregates, never a peer
    entries = [e for e in list_audit(demo, local_operator()).items if e.actor == analyst.name]
    assert [e.action for e in entries] == ["swarm.summary"]


def test_viewer_is_refused(demo: AppContext) -> None:
    with pytest.raises(PermissionDeniedError):
        swarm_summary(demo, person(Role.viewer))


def test_retention_dry_run_then_delete(demo: AppContext) -> None:
    operator = local_operator()
    total = swarm_summary(demo, operator).observations
    dry = swarm_retention(demo, operator, days=1, dry_run=True)
    assert dry.dry_run and dry.deleted == 0 and dry.older_than_cutoff == total
    done = swarm_retention(demo, operator, days=1)
    assert done.deleted == total and swarm_summary(demo, operator).observations == 0
    actions = [e.action for e in list_audit(demo, operator).items]
    assert actions.count("swarm.retention") == 2
