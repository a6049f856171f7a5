"""Real local servers for the source tests: HTTP (stdlib) and websocket (websockets).

Nothing is mocked: the sources talk to 127.0.0.1 over real sockets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str | None = "application/xml"


App = Callable[["Request"], "Reply | None"]


class Request:
    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        self.handler = handler
        parts = urlsplit(handler.path)
        self.path = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in handler.headers.items()}

    def write_raw(self, data: bytes) -> None:
        self.handler.wfile.write(data)
        self.handler.wfile.flush()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        return None

    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, _Server)
        request = Request(self)
        server.seen.append(Seen(request.path, request.query, request.headers))
        try:
            reply = server.app(request)
        except (BrokenPipeError, ConnectionResetError):
            return
        if reply is None:  # the app wrote the response itself
            self.close_connection = True
            return
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: App) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.app = app
        self.seen: list[Seen] = []


@dataclass
class Running:
    url: str
    port: int
    seen: list[Seen]
    stop: threading.Event


@contextmanager
def http_server(app: App) -> Iterator[Running]:
    server = _Server(app)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    port = server.server_address[1]
    stop = threading.Event()
    try:
        yield Running(f"http://127.0.0.1:{port}", int(port), server.seen, stop)
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
