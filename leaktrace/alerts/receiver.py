"""A small local webhook receiver, for tests and benchmarks.

::

    with WebhookReceiver("s3cret") as receiver:
        sink = WebhookSink(WebhookConfig(name="hook", url=receiver.url, secret="s3cret"))
        receiver.fail_next(2, status=503, retry_after=1)
        ...
        receiver.wait_for(1, timeout=5)
        receiver.accepted  # unique, verified deliveries, first arrival each

It listens on 127.0.0.1 (an ephemeral port by default) in a background thread, checks
each request's signature (401 when it does not verify, when a secret is given), and
dedupes on ``X-LeakTrace-Delivery`` (a repeat is answered 200 and recorded as a
duplicate). It can be told to fail the next N requests with a status, a ``Retry-After``
and a ``Location``, and to delay every answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from leaktrace.alerts.webhook import verify_signature

__all__ = ["Delivery", "WebhookReceiver"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """One request the receiver got, and what it answered."""

    received_at: float
    """``time.time()`` when the body had been read."""
    received_monotonic: float
    """``time.perf_counter()`` at the same moment (for in-process latency)."""
    path: str
    delivery_id: str | None
    event: str | None
    timestamp: str | None
    signature: str | None
    headers: Mapping[str, str]
    body: bytes
    verified: bool
    duplicate: bool
    status: int

    def json(self) -> Any:
        """The body, parsed."""
        return json.loads(self.body)


@dataclass(slots=True)
class _Failures:
    count: int = 0
    status: int = 503
    retry_after: str | None = None
    location: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


class WebhookReceiver:
    """A threaded HTTP server that records LeakTrace webhook deliveries."""

    def __init__(
        self,
        secret: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/hook",
        tolerance: float = 300.0,
    ) -> None:
        self.secret = secret
        self.tolerance = tolerance
        self.path = path
        self.delay = 0.0
        """Seconds to wait before answering each request."""
        self.requests: list[Delivery] = []
        """Every request, in arrival order (failed, unverified and duplicate included)."""
        self.accepted: list[Delivery] = []
        """The first verified, successful delivery of each delivery id, in order."""
        self._seen: set[str] = set()
        self._failures = _Failures()
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- control ---------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self._server.server_address[0])
        return f"http://{host}:{self.port}{self.path}"

    def start(self) -> WebhookReceiver:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"webhook-receiver-{self.port}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def fail_next(
        self,
        count: int,
        status: int = 503,
        *,
        retry_after: float | str | None = None,
        location: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``count`` requests with ``status`` (and the given headers)."""
        if isinstance(retry_after, float) and retry_after.is_integer():
            retry_after = int(retry_after)
        with self._cond:
            self._failures = _Failures(
                count,
                status,
                None if retry_after is None else str(retry_after),
                location,
                dict(headers or {}),
            )

    def wait_for(self, count: int, timeout: float = 5.0) -> bool:
        """Block until ``count`` unique deliveries were accepted; False on timeout."""
        with self._cond:
            return self._cond.wait_for(lambda: len(self.accepted) >= count, timeout)

    def clear(self) -> None:
        with self._cond:
            self.requests.clear()
            self.accepted.clear()
            self._seen.clear()
            self._failures = _Failures()

    # -- serving ---------------------------------------------------------------------

    def _handle(
        self, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes, Delivery]:
        received_at, received_monotonic = time.time(), time.perf_counter()
        delivery_id = headers.get("x-leaktrace-delivery")
        timestamp = headers.get("x-leaktrace-timestamp")
        signature = headers.get("x-leaktrace-signature")
        verified = self.secret is None or (
            timestamp is not None
            and signature is not None
            and verify_signature(
                self.secret, timestamp, body, signature, tolerance=self.tolerance, now=received_at
            )
        )
        extra: dict[str, str] = {}
        with self._cond:
            failing = self._failures
            if failing.count > 0:
                failing.count -= 1
                status = failing.status
                extra = dict(failing.extra)
                if failing.retry_after is not None:
                    extra["Retry-After"] = failing.retry_after
                if failing.location is not None:
                    extra["Location"] = failing.location
                duplicate = False
            elif not verified:
                status, duplicate = 401, False
            else:
                duplicate = delivery_id is not None and delivery_id in self._seen
                status = 200
            delivery = Delivery(
                received_at,
                received_monotonic,
                path,
                delivery_id,
                headers.get("x-leaktrace-event"),
                timestamp,
                signature,
                dict(headers),
                body,
                verified,
                duplicate,
                status,
            )
            self.requests.append(delivery)
            if status == 200 and not duplicate:
                if delivery_id is not None:
                    self._seen.add(delivery_id)
                self.accepted.append(delivery)
            self._cond.notify_all()
        if status == 200:
            answer = b'{"duplicate":true}' if duplicate else b'{"ok":true}'
        else:
            answer = b'{"ok":false}'
        return status, extra, answer, delivery

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length > 0 else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, extra, answer, _ = receiver._handle(self.path, headers, body)
                if receiver.delay > 0 and receiver._stopping.wait(receiver.delay):
                    return  # shutting down: drop the request
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer)))
                    for name, value in extra.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (e.g. timed out)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # quiet

        return Handler
