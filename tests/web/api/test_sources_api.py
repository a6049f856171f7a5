"""/api/v1/sources against a real uvicorn."""

from __future__ import annotations

from leaktrace.store.source_state import record_failure
from tests.web.conftest import LiveServer


def test_sources_health_and_quarantine(live_server: LiveServer) -> None:
    client = live_server.client("viewer")
    assert client.get("/api/v1/sources").json() == {"sources": [], "deliveries": {}}
    with live_server.context.database.transaction() as conn:
        record_failure(
            conn,
            "predb",
            "predb",
            "HTTP 503",
            location="https://predb.example/api?key=<redacted>",
            sample="<html>down</html>",
        )
    body = client.get("/api/v1/sources").json()
    (source,) = body["sources"]
    assert (source["name"], source["kind"], source["consecutive_failures"]) == ("predb", "predb", 1)
    assert source["last_error"] == "HTTP 503" and source["last_success_at"] is None
    assert source["items_quarantined"] == 1
    (bad,) = client.get("/api/v1/sources/quarantine").json()
    assert bad["reason"] == "poll failed: HTTP 503" and bad["sample"] == "<html>down</html>"
    assert client.get("/api/v1/sources/quarantine", params={"source": "rss"}).json() == []
    assert client.get("/api/v1/sources/quarantine", params={"limit": 0}).status_code == 422
    assert live_server.client(None).get("/api/v1/sources").status_code == 401
