"""Request bodies over ``server.max_body_bytes`` are refused with 413 (declared or
streamed); every response carries the security headers."""

from __future__ import annotations

import select
import socket
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
    """A chunked body with no Content-Length is cut off once past the limit. The server
    may answer and close while the client is still sending: the client keeps reading what
    it was sent (a raw socket, since http.client gives up on a broken pipe)."""
    limit = _limit(live_server)
    parts = urlsplit(live_server.url)
    head = (
        "POST /api/v1/users HTTP/1.1\r\n"
        f"Host: {parts.hostname}:{parts.port}\r\n"
        "Content-Type: application/json\r\n"
        f"Authorization: Bearer {live_server.token('admin')}\r\n"
        "Transfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    chunk = b"1000\r\n" + b"y" * 4096 + b"\r\n"
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port), 30) as sock:
        try:
            sock.sendall(head)
            for _ in range(limit // 4096 + 2):
                if select.select([sock], [], [], 0)[0]:
                    break  # the answer came: stop sending, so that nothing resets it
                sock.sendall(chunk)
            else:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-body: the answer is already on its way
        reply = b""
        try:
            while block := sock.recv(65536):
                reply += block
        except ConnectionResetError:
            pass
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"PayloadTooLarge" in reply


def test_body_under_the_limit_passes(live_server: LiveServer) -> None:
    reply = live_server.client(None).post("/api/v1/health", content=b"{}")
    assert reply.status_code == 405  # reached the app: only the method is wrong
