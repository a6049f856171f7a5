"""/api/v1/overview against a real uvicorn."""

from __future__ import annotations

from pathlib import Path

from tests.services.test_leaks import CAMS, LEAKS, load
from tests.web.conftest import LiveServer


def test_overview_counts_and_series(live_server: LiveServer, tmp_path: Path) -> None:
    client = live_server.client("viewer")
    empty = client.get("/api/v1/overview").json()
    assert (empty["works"], empty["releases"], empty["new_leaks_24h"]) == (0, 0, 0)
    assert len(empty["leaks_per_day"]) == 90
    load(live_server.context, tmp_path)
    body = client.get("/api/v1/overview", params={"days": 7}).json()
    assert body["works"] == 17 and body["releases"] == LEAKS + CAMS + 2
    assert body["releases_by_status"]["leak"] == LEAKS + CAMS
    # every alert was raised just now, whatever the release times
    assert body["new_leaks_24h"] == body["new_leaks_7d"] == LEAKS + CAMS
    assert len(body["leaks_per_day"]) == 7
    days = [d["day"] for d in body["leaks_per_day"]]
    assert days == sorted(days)
    assert client.get("/api/v1/overview", params={"days": 0}).status_code == 422
    assert client.get("/api/v1/overview", params={"days": "x"}).status_code == 422
    assert live_server.client(None).get("/api/v1/overview").status_code == 401
