"""/api/v1/targets and /targets/countries against a real uvicorn over the demo."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from leaktrace.services.targets import country_targets, world_map
from tests.services.demo_world import demo_copy
from tests.web.api.test_groups_api import INJECTIONS
from tests.web.conftest import LiveServer


@pytest.fixture
def server(live_server_on: Callable[[str], LiveServer], tmp_path: Path) -> LiveServer:
    return live_server_on(str(demo_copy(tmp_path)))


def test_map_and_a_country_sheet(server: LiveServer) -> None:
    client = server.client("viewer")
    countries = client.get("/api/v1/targets/countries")
    assert countries.status_code == 200
    body = countries.json()
    assert body == world_map(server.context).to_json()
    assert body["svg"].startswith("<svg") and body["countries"]
    code = body["countries"][0]["country"]
    sheet = client.get("/api/v1/targets", params={"country": code.lower()})
    assert sheet.status_code == 200
    got = sheet.json()
    expected = country_targets(server.context, code).to_json()
    assert got.pop("generated_at") and expected.pop("generated_at")
    assert got == expected and got["country"] == code and got["hosts"]
    assert "unlocated" not in got
    unknown = client.get("/api/v1/targets", params={"country": "unknown"}).json()
    assert all(h["country"] is None for h in unknown["hosts"])


@pytest.mark.parametrize("country", ["Germany", "D", "", "12", *INJECTIONS])
def test_bad_countries_are_422(server: LiveServer, country: str) -> None:
    reply = server.client("viewer").get("/api/v1/targets", params={"country": country})
    assert reply.status_code == 422, reply.text


def test_country_is_required_and_sign_in_too(server: LiveServer) -> None:
    assert server.client("viewer").get("/api/v1/targets").status_code == 422
    assert server.client(None).get("/api/v1/targets", params={"country": "DE"}).status_code == 401
    assert server.client(None).get("/api/v1/targets/countries").status_code == 401
