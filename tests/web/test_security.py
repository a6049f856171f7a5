"""Request bodies over ``server.max_body_bytes`` are refused with 413 (declared or
streamed); every response carries the security headers."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from urllib.parse import urlsplit

from leaktrace.web.security import SECURITY_HEADERS
from tests.web.conftest import LiveServer


def _limit(server: LiveServer) -> int:
    return server.context.settings.server.max_body_bytes


def test_security_headers_on_api_and_errors(live_server: LiveServer) -> None:
    client = live_server.client(None)
    for path in ("/api/v1/health", "/api/v1/me", "/api/v1/no-such-thing"):
        reply = client.get(path)
        for name, value in SECURITY_HEADERS.items():
            assert reply.headers.get(name) == value, (path, name)
    csp = SECURITY_HEADERS["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert SECURITY_HEADERS["X-Frame-Options"] == "DENY"


def test_declared_oversized_body_is_413(live_server: LiveServer) -> None:
    body = b"x" * (_limit(live_server) + 1)
    reply = live_server.client("admin").post(
        "/api/v1/users", content=body, headers={"Content-Type": "application/json"}
    )
    assert reply.status_code == 413
    assert reply.json()["error"]["type"] == "PayloadTooLarge"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_streamed_oversized_body_without_length_is_413(live_server: LiveServer) -> None:
    limit = _limit(live_server)

    def chunks() -> Iterator[bytes]:
        for _ in range(limit // 4096 + 2):
            yield b"y" * 4096

    parts = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        conn.request(
            "POST",
            "/api/v1/users",
            body=chunks(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {live_server.token('admin')}",
            },
            encode_chunked=True,
        )
        reply = conn.getresponse()
        assert reply.status == 413
        assert b"PayloadTooLarge" in reply.read()
    finally:
        conn.close()


def test_body_under_the_limit_passes(live_server: LiveServer) -> None:
    reply = live_server.client(None).post("/api/v1/health", content=b"{}")
    assert reply.status_code == 405  # reached the app: only the method is wrong
