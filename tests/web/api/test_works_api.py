"""/api/v1/works against a real uvicorn."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.services.test_leaks import CAMS, LEAKS, load
from tests.web.api.paging import walk
from tests.web.api.test_leaks_api import HOSTILE
from tests.web.conftest import LiveServer


@pytest.fixture
def server(live_server: LiveServer, tmp_path: Path) -> LiveServer:
    load(live_server.context, tmp_path)
    return live_server


def test_works_paged_by_title(server: LiveServer) -> None:
    client = server.client("viewer")
    whole = client.get("/api/v1/works", params={"limit": 500, "with_total": True}).json()
    assert whole["total"] == 17
    titles = [(w["title"], w["year"] or -1, w["season"] or -1) for w in whole["items"]]
    assert titles == sorted(titles)
    seen = [w["id"] for w in walk(client, "/api/v1/works", limit=4)]
    assert seen == [w["id"] for w in whole["items"]]
    by_id = {w["id"]: w for w in whole["items"]}
    assert (by_id["northern"]["leaks"], by_id["northern"]["releases"]) == (LEAKS, LEAKS + 1)
    assert by_id["dune-2"]["leaks"] == CAMS and by_id["it-2017"]["releases"] == 0
    assert by_id["northern"]["physical"] == "2026-05-19"


def test_search_kind_and_detail(server: LiveServer) -> None:
    client = server.client("viewer")
    found = client.get("/api/v1/works", params={"search": "office"}).json()["items"]
    assert {w["id"] for w in found} == {"office-us-s04", "office-uk-s01"}
    seasons = client.get("/api/v1/works", params={"kind": "season", "limit": 500}).json()
    assert {w["kind"] for w in seasons["items"]} == {"season"}
    detail = client.get("/api/v1/works/northern").json()
    assert detail["aliases"] == ["Protocollo Aurora", "Protocole Aurore"]
    assert detail["leaks"] == LEAKS
    missing = client.get("/api/v1/works/no-such-work")
    assert missing.status_code == 404 and missing.json()["error"]["key"] == "no-such-work"
    assert client.get("/api/v1/works", params={"kind": "opera"}).status_code == 422
    assert client.get("/api/v1/works", params={"cursor": "bad"}).status_code == 422
    huge = "WyJ3b3JrcyIsIkEiLDEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwLDEsIngiXQ"  # year 10**25
    assert client.get("/api/v1/works", params={"cursor": huge}).status_code == 422


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=HOSTILE)
def test_hostile_search_is_never_a_server_error(server: LiveServer, text: str) -> None:
    client = server.client("viewer")
    assert client.get("/api/v1/works", params={"search": text}).status_code in (200, 422)
    assert client.get("/api/v1/works", params={"cursor": text}).status_code in (200, 422)
