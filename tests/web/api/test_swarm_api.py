"""/api/v1/swarm: swarm observations in aggregate (read:personal, audited), against a real
uvicorn over the demo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from leaktrace.services.swarm import swarm_summary
from tests.services.demo_world import demo_copy
from tests.web.conftest import LiveServer


@pytest.fixture
def server(live_server_on: Callable[[str], LiveServer], tmp_path: Path) -> LiveServer:
    return live_server_on(str(demo_copy(tmp_path)))


def test_summary_is_audited(server: LiveServer) -> None:
    reply = server.client("investigator", agency="FR-PJ").get("/api/v1/swarm")
    assert reply.status_code == 200
    body = reply.json()
    assert body == swarm_summary(server.context, local_operator()).to_json()
    assert body["observations"] > 0 and body["by_country"]
    entries = [
        (e.action, e.agency, e.address)
        for e in list_audit(server.context, local_operator(), limit=500).items
        if e.actor == "investigator@fr-pj.example"
    ]
    assert entries == [("swarm.summary", "FR-PJ", "127.0.0.1")]


def test_viewer_403_anonymous_401(server: LiveServer) -> None:
    assert server.client("viewer").get("/api/v1/swarm").status_code == 403
    assert server.client(None).get("/api/v1/swarm").status_code == 401
