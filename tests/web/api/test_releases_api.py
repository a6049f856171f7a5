"""/api/v1/releases against a real uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.services.test_leaks import CAMS, LEAKS, load
from tests.web.api.paging import walk
from tests.web.api.test_leaks_api import HOSTILE
from tests.web.conftest import LiveServer

ALL = LEAKS + CAMS + 2


@pytest.fixture
def server(live_server: LiveServer, tmp_path: Path) -> LiveServer:
    load(live_server.context, tmp_path)
    return live_server


def test_cursor_pages_walk_every_release_once(server: LiveServer) -> None:
    client = server.client("viewer")
    whole = client.get("/api/v1/releases", params={"limit": 500, "with_total": "true"}).json()
    assert whole["total"] == ALL and len(whole["items"]) == ALL
    seen = [x["id"] for x in walk(client, "/api/v1/releases", limit=11)]
    assert seen == [x["id"] for x in whole["items"]]
    times = [x["released_at"] for x in whole["items"]]
    assert times == sorted(times, reverse=True)


def test_filters(server: LiveServer) -> None:
    client = server.client("viewer")

    def names(**params: Any) -> list[str]:
        reply = client.get("/api/v1/releases", params={"limit": 500, **params})
        assert reply.status_code == 200, reply.text
        return [x["release"] for x in reply.json()["items"]]

    assert names(status="in-window") == [
        "Northern.Lights.Protocol.2026.720p.WEB-DL.DDP5.1.H.264-WEBGRP"
    ]
    assert names(status="unmatched") == ["Some.Other.Film.2026.1080p.BluRay.x264-GRP"]
    assert len(names(status="leak")) == LEAKS + CAMS
    assert len(names(work="dune-2")) == CAMS
    assert len(names(source="TeleSync")) == CAMS
    assert names(search="webgrp") == [
        "Northern.Lights.Protocol.2026.720p.WEB-DL.DDP5.1.H.264-WEBGRP"
    ]
    assert names(search="%") == [] and names(search="_") == []
    assert len(names(since="2026-01-01", until="2026-05-01")) == 2


def test_release_detail(server: LiveServer) -> None:
    client = server.client("viewer")
    (row,) = client.get("/api/v1/releases", params={"search": "G1X004"}).json()["items"]
    detail = client.get(f"/api/v1/releases/{row['id']}").json()
    assert detail["name"] == row["release"] and detail["status"] == "leak"
    assert detail["parsed"]["source"] == "bluray" and detail["parsed"]["group"] == "G1X004"
    assert detail["work_id"] == "northern"
    assert detail["work_label"] == "Northern Lights Protocol (2026)"
    assert detail["reason"] and detail["score"] > 0
    assert detail["alert"]["rule"] and detail["alert"]["window"] == "physical"
    assert [s["seen_at"] for s in detail["sightings"]] == [row["released_at"]]
    plain = client.get("/api/v1/releases", params={"status": "unmatched"}).json()["items"][0]
    assert client.get(f"/api/v1/releases/{plain['id']}").json()["alert"] is None
    missing = client.get("/api/v1/releases/987654")
    assert missing.status_code == 404 and missing.json()["error"]["kind"] == "release"


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nuked"},
        {"limit": 0},
        {"limit": 1000},
        {"cursor": "zzz"},
        {
            "cursor": "WyJyZWxlYXNlcyIsIjIwMjYtMDUtMDFUMDg6MDA6MDArMDA6MDAiLC0xMDAwMDAwMDAwMDAw"
            "MDAwMDAwMDAwMDBd"
        },
        {"since": "yesterday"},
        {"search": "x" * 600},
    ],
)
def test_bad_values_are_422(server: LiveServer, params: dict[str, Any]) -> None:
    assert server.client("viewer").get("/api/v1/releases", params=params).status_code == 422


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=HOSTILE,
    field=st.sampled_from(["work", "group", "source", "search", "since", "until", "cursor"]),
)
def test_hostile_filter_text_is_never_a_server_error(
    server: LiveServer, text: str, field: str
) -> None:
    reply = server.client("viewer").get("/api/v1/releases", params={field: text})
    assert reply.status_code in (200, 422), reply.text
