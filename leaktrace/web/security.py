"""Transport-level protections of every response: a cap on request bodies (413; larger on
the evidence upload routes, which take files up to ``evidence.max_file_bytes``) and the
security headers (no sniffing, no framing, a Content-Security-Policy that allows scripts
and styles from the server itself only: no inline scripts, no CDN).

A pure ASGI middleware (not ``BaseHTTPMiddleware``): it counts the body's bytes as they
stream in, so a chunked upload without a Content-Length is stopped too.
"""

from __future__ import annotations

import json
import re
from collections.abc import MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from leaktrace.config import Settings
from leaktrace.web.taxii.media import TAXII_MEDIA_TYPE, is_taxii_path, taxii_error_bytes

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "SECURITY_HEADERS",
    "UPLOAD_OVERHEAD",
    "UPLOAD_PATHS",
    "SecurityMiddleware",
    "install_security",
]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


UPLOAD_PATHS = re.compile(r"^(?:/api/v1)?/cases/[^/]+/files$")
"""The routes that take an evidence file (API and page)."""
UPLOAD_OVERHEAD = 64 * 1024
"""Room for the multipart framing and the other fields of an upload."""


class _TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body larger than {limit} bytes")


class SecurityMiddleware:
    """413 for bodies over ``max_body_bytes`` (``upload_bytes`` on :data:`UPLOAD_PATHS`);
    security headers on every response."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, upload_bytes: int = 0) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_bytes = max(upload_bytes, max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.upload_bytes if UPLOAD_PATHS.match(path) else self.max_body_bytes
        taxii = is_taxii_path(path)
        if _declared_length(scope) > limit:
            await _refuse(send, limit, taxii)
            return
        state = {"received": 0, "too_large": False, "started": False}
        api = path.startswith("/api/") or taxii

        async def counting_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    state["too_large"] = True
                    raise _TooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            if state["too_large"]:
                # whatever the app answers to a body cut short, the answer is 413
                if message["type"] == "http.response.start" and not state["started"]:
                    state["started"] = True
                    await _refuse(send, limit, taxii)
                return
            if message["type"] == "http.response.start":
                state["started"] = True
                _add_headers(message, api)
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            if not state["started"]:
                state["started"] = True
                await _refuse(send, limit, taxii)


def _declared_length(scope: Scope) -> int:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _add_headers(message: MutableMapping[str, Any], api: bool) -> None:
    headers: list[tuple[bytes, bytes]] = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    extra = dict(SECURITY_HEADERS)
    if api:
        extra["Cache-Control"] = "no-store"
    for name, value in extra.items():
        if name.lower().encode() not in present:
            headers.append((name.lower().encode(), value.encode()))
    message["headers"] = headers


async def _refuse(send: Send, limit: int, taxii: bool = False) -> None:
    """413; under /taxii2/ a TAXII error body with TAXII's media type."""
    message = f"request body larger than {limit} bytes"
    if taxii:
        body = taxii_error_bytes(413, message)
        content_type = TAXII_MEDIA_TYPE.encode()
    else:
        body = json.dumps({"error": {"type": "PayloadTooLarge", "message": message}}).encode()
        content_type = b"application/json"
    start: Message = {
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ],
    }
    _add_headers(start, True)
    await send(start)
    await send({"type": "http.response.body", "body": body})


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add the body cap and security headers to ``app``."""
    app.add_middleware(
        SecurityMiddleware,
        max_body_bytes=settings.server.max_body_bytes,
        upload_bytes=settings.evidence.max_file_bytes + UPLOAD_OVERHEAD,
    )
