"""/api/v1/overview against a real uvicorn, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.services.test_leaks import CAMS, LEAKS, load
from tests.web.conftest import LiveServer


def check_overview(server: LiveServer, folder: Path) -> None:
    client = server.client("viewer")
    empty = client.get("/api/v1/overview").json()
    assert (empty["works"], empty["releases"], empty["new_leaks_24h"]) == (0, 0, 0)
    assert len(empty["leaks_per_day"]) == 90
    load(server.context, folder)
    body = client.get("/api/v1/overview", params={"days": 7}).json()
    assert body["works"] == 17 and body["releases"] == LEAKS + CAMS + 2
    assert body["releases_by_status"]["leak"] == LEAKS + CAMS
    # every alert was raised just now, whatever the release times
    assert body["new_leaks_24h"] == body["new_leaks_7d"] == LEAKS + CAMS
    assert len(body["leaks_per_day"]) == 7
    days = [d["day"] for d in body["leaks_per_day"]]
    assert days == sorted(days)
    long = client.get("/api/v1/overview", params={"days": 3660}).json()["leaks_per_day"]
    counted = {d["day"]: d["leaks"] for d in long if d["leaks"]}
    assert sum(counted.values()) == LEAKS + CAMS
    assert counted["2026-05-01"] == 6 and counted["2024-02-20"] == 2
    assert client.get("/api/v1/overview", params={"days": 0}).status_code == 422
    assert client.get("/api/v1/overview", params={"days": "x"}).status_code == 422
    assert server.client(None).get("/api/v1/overview").status_code == 401


def test_overview_counts_and_series(live_server: LiveServer, tmp_path: Path) -> None:
    check_overview(live_server, tmp_path)


def test_overview_on_postgresql(
    live_server_on: Callable[[str], LiveServer], postgres_database: str, tmp_path: Path
) -> None:
    check_overview(live_server_on(postgres_database), tmp_path)
