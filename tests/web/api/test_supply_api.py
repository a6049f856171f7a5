"""/api/v1/supply/ranking and /supply/flags: personal data (read:personal), every read
audited with the user, agency and address; against a real uvicorn over the demo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import AuditView, list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.supply import flagged_accounts, supply_ranking
from tests.services.demo_world import demo_copy
from tests.web.conftest import LiveServer


@pytest.fixture
def server(live_server_on: Callable[[str], LiveServer], tmp_path: Path) -> LiveServer:
    return live_server_on(str(demo_copy(tmp_path)))


def audit_of(context: AppContext, email: str) -> list[AuditView]:
    return [e for e in list_audit(context, local_operator(), limit=500).items if e.actor == email]


def test_ranking_is_the_cli_json_and_each_read_is_audited(server: LiveServer) -> None:
    client = server.client("analyst", agency="DE-BKA")
    reply = client.get("/api/v1/supply/ranking")
    assert reply.status_code == 200
    body = reply.json()
    assert body == supply_ranking(server.context, local_operator()).to_json()
    assert body["accounts"][0]["explanation"] and body["accounts"][0]["flags"] is not None
    assert client.get("/api/v1/supply/ranking", params={"limit": 1}).json()["accounts"] == [
        body["accounts"][0]
    ]
    flags = client.get("/api/v1/supply/flags", params={"limit": 2})
    assert flags.status_code == 200
    assert flags.json() == flagged_accounts(server.context, local_operator(), limit=2).to_json()
    entries = audit_of(server.context, "analyst@de-bka.example")
    assert sorted(e.action for e in entries) == ["supply.flags", "supply.rank", "supply.rank"]
    assert {(e.agency, e.address) for e in entries} == {("DE-BKA", "127.0.0.1")}


@pytest.mark.parametrize("role", ["viewer", None])
def test_viewer_and_anonymous_are_refused_and_nothing_is_read(
    server: LiveServer, role: str | None
) -> None:
    client = server.client(role)
    for path in ("/api/v1/supply/ranking", "/api/v1/supply/flags"):
        reply = client.get(path)
        assert reply.status_code == (403 if role else 401), reply.text
    assert not [
        e for e in audit_of(server.context, "viewer@nl-pol.example") if "supply" in e.action
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"epsilon": 0},
        {"epsilon": "abc"},
        {"prior_none": 1},
        {"min_leaks": -1},
        {"limit": 0},
        {"limit": "' OR 1=1 --"},
    ],
)
def test_bad_parameters_are_422(server: LiveServer, params: dict[str, str | int]) -> None:
    reply = server.client("analyst").get("/api/v1/supply/ranking", params=params)
    assert reply.status_code == 422, reply.text
