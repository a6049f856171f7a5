"""/api/v1/groups, /groups/{name} and /group-graph against a real uvicorn over the demo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from leaktrace.services.groups import group_dossier, group_graph, group_list
from tests.services.demo_world import demo_copy
from tests.web.api.paging import walk
from tests.web.conftest import LiveServer

INJECTIONS = ["' OR 1=1 --", "'; DROP TABLE releases; --", '" UNION SELECT * FROM users --']


@pytest.fixture
def server(live_server_on: Callable[[str], LiveServer], tmp_path: Path) -> LiveServer:
    return live_server_on(str(demo_copy(tmp_path)))


def test_groups_pages_are_the_service_list(server: LiveServer) -> None:
    client = server.client("viewer")
    expected = [g.to_json() for g in group_list(server.context, sort="name").groups]
    assert walk(client, "/api/v1/groups", sort="name", limit=6) == expected
    first = client.get("/api/v1/groups").json()
    assert first["total"] == len(expected) and len(first["items"]) == min(50, len(expected))
    found = client.get("/api/v1/groups", params={"search": "emb", "min_releases": 5}).json()
    assert [g["key"] for g in found["items"]] == ["embers"]


def test_dossier_and_graph_are_the_service_views(server: LiveServer) -> None:
    client = server.client("analyst")
    reply = client.get("/api/v1/groups/Embers")
    assert reply.status_code == 200
    assert reply.json() == group_dossier(server.context, local_operator(), "Embers").to_json()
    graph = client.get("/api/v1/group-graph", params={"linked_only": True})
    assert graph.status_code == 200
    assert graph.json() == group_graph(server.context, linked_only=True).to_json()
    follower = client.get("/api/v1/group-graph", params={"kind": "follower"}).json()
    assert follower["links"] and {x["kind"] for x in follower["links"]} == {"follower"}


def test_unknown_bad_and_unauthenticated(server: LiveServer) -> None:
    client = server.client("viewer")
    missing = client.get("/api/v1/groups/NO-SUCH-GROUP")
    assert missing.status_code == 404
    error = missing.json()["error"]
    assert (error["type"], error["kind"], error["key"]) == (
        "NotFoundError",
        "group",
        "NO-SUCH-GROUP",
    )
    for params in (
        {"sort": "nonsense"},
        {"limit": 0},
        {"limit": 501},
        {"min_releases": 0},
        {"cursor": "!!"},
    ):
        reply = client.get("/api/v1/groups", params=params)
        assert reply.status_code == 422, (params, reply.text)
        assert reply.json()["error"]["type"] == "InputError"
    assert client.get("/api/v1/group-graph", params={"kind": "bogus"}).status_code == 422
    assert client.get("/api/v1/group-graph", params={"min_strength": 3}).status_code == 422
    assert client.get("/api/v1/groups/x", params={"follow_hours": -1}).status_code == 422
    assert server.client(None).get("/api/v1/groups").status_code == 401


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_are_only_text(server: LiveServer, text: str) -> None:
    client = server.client("viewer")
    listed = client.get("/api/v1/groups", params={"search": text})
    assert listed.status_code == 200 and listed.json()["items"] == []
    assert client.get("/api/v1/groups/" + text).status_code == 404
    assert client.get("/api/v1/groups", params={"sort": text}).status_code == 422


def test_viewers_get_the_dossier_without_supply_accounts(server: LiveServer) -> None:
    analyst = server.client("analyst", agency="BE-FCCU").get("/api/v1/groups/Embers").json()
    viewer = server.client("viewer").get("/api/v1/groups/Embers").json()
    named = [d["accounts"] for d in analyst["distributors"]]
    assert any(named)
    assert [d["accounts"] for d in viewer["distributors"]] == [[] for _ in named]
    assert [d["accounts_withheld"] for d in viewer["distributors"]] == [len(n) for n in named]
    assert all("accounts_withheld" not in d for d in analyst["distributors"])
    entries = list_audit(server.context, local_operator(), action="group.dossier").items
    assert [(e.actor, e.agency, e.subject) for e in entries] == [
        ("analyst@be-fccu.example", "BE-FCCU", "EMBERS")
    ]
