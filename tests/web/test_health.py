"""The health route answers without authentication; errors map to status codes."""

from __future__ import annotations

from tests.web.conftest import LiveServer


def test_health_is_open(live_server: LiveServer) -> None:
    reply = live_server.client(None).get("/api/v1/health")
    assert reply.status_code == 200
    assert reply.json() == {"status": "ok"}


def test_unknown_api_route_is_404_json(live_server: LiveServer) -> None:
    reply = live_server.client(None).get("/api/v1/no-such-thing")
    assert reply.status_code == 404


def test_unknown_api_route_answers_in_the_error_shape(live_server: LiveServer) -> None:
    reply = live_server.client(None).get("/api/v1/no-such-thing")
    assert reply.json()["error"]["type"] == "NotFoundError"
    wrong_method = live_server.client(None).delete("/api/v1/health")
    assert wrong_method.status_code == 405
    assert "error" in wrong_method.json()
