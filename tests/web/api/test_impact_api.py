"""/api/v1/impact against a real uvicorn over the demo: the CLI's JSON, options, 422s."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from leaktrace.services.impact import impact_from_query
from tests.services.demo_world import demo_copy
from tests.web.api.test_groups_api import INJECTIONS
from tests.web.conftest import LiveServer


@pytest.fixture
def server(live_server_on: Callable[[str], LiveServer], tmp_path: Path) -> LiveServer:
    return live_server_on(str(demo_copy(tmp_path)))


def test_estimate_and_options(server: LiveServer) -> None:
    client = server.client("viewer")
    reply = client.get("/api/v1/impact", params={"exact": True, "by": "work,country"})
    assert reply.status_code == 200
    body = reply.json()
    assert body == impact_from_query(server.context, exact=True, by="work,country").to_json()
    assert body["observations"] > 0 and body["by"] == ["work", "country"]
    priced = client.get("/api/v1/impact", params={"price": "1:2:3", "currency": "gbp"}).json()
    assert priced["assumptions"]["currency"] == "GBP"


@pytest.mark.parametrize(
    "params",
    [
        {"by": "planet"},
        {"displacement": "2"},
        {"price": "a:b"},
        {"coverage": "0"},
        {"currency": "EURO"},
        {"since": "soon"},
        {"since": "2024-03-02", "until": "2024-03-01"},
        {"exact": "perhaps"},
        *({"country": text} for text in INJECTIONS),
        *({"by": text} for text in INJECTIONS),
    ],
)
def test_bad_options_are_422(server: LiveServer, params: dict[str, str]) -> None:
    reply = server.client("viewer").get("/api/v1/impact", params=params)
    assert reply.status_code == 422, reply.text


def test_work_filter_with_injection_text_is_just_no_rows(server: LiveServer) -> None:
    for text in INJECTIONS:
        reply = server.client("viewer").get("/api/v1/impact", params={"work": text})
        assert reply.status_code == 200 and reply.json()["rows"] == []
