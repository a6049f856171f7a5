"""/api/v1/hosts, /hosts/{id} and /hosts/clusters against a real uvicorn over the demo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from leaktrace.services.hosts import host_clusters, host_detail, host_list
from tests.services.demo_world import demo_copy
from tests.web.api.paging import walk
from tests.web.api.test_groups_api import INJECTIONS
from tests.web.conftest import LiveServer


@pytest.fixture
def server(live_server_on: Callable[[str], LiveServer], tmp_path: Path) -> LiveServer:
    return live_server_on(str(demo_copy(tmp_path)))


def test_pages_filters_and_detail(server: LiveServer) -> None:
    client = server.client("viewer")
    everything = [h.to_json() for h in host_list(server.context).hosts]
    assert walk(client, "/api/v1/hosts", limit=13) == everything
    code = next(h["country"] for h in everything if h["country"])
    local = walk(client, "/api/v1/hosts", country=code)
    assert local and all(h["country"] == code for h in local)
    seeders = walk(client, "/api/v1/hosts", role="initial-seeder")
    assert seeders and all(h["role"] == "initial-seeder" for h in seeders)
    one = client.get(f"/api/v1/hosts/{everything[0]['id']}")
    assert one.status_code == 200
    assert one.json() == host_detail(server.context, everything[0]["id"]).to_json()
    clusters = client.get("/api/v1/hosts/clusters")
    assert clusters.status_code == 200
    assert clusters.json() == host_clusters(server.context).to_json()


def test_unknown_and_bad_input(server: LiveServer) -> None:
    client = server.client("viewer")
    missing = client.get("/api/v1/hosts/999999")
    assert missing.status_code == 404 and missing.json()["error"]["kind"] == "host"
    for path in ("/api/v1/hosts/0", "/api/v1/hosts/abc", "/api/v1/hosts/99999999999999999999"):
        assert client.get(path).status_code == 422, path
    for params in ({"role": "admin"}, {"country": "Narnia"}, {"cursor": "x"}, {"limit": 0}):
        assert client.get("/api/v1/hosts", params=params).status_code == 422, params
    assert client.get("/api/v1/hosts/clusters", params={"min_strength": 2}).status_code == 422


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_strings_in_filters(server: LiveServer, text: str) -> None:
    client = server.client("viewer")
    for params in ({"role": text}, {"country": text}, {"cursor": text}):
        assert client.get("/api/v1/hosts", params=params).status_code == 422
