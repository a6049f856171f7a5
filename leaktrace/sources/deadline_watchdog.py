"""A timer that shuts a request's sockets down when its total deadline passes.

httpx's timeouts are per operation (connect, each read), so a server trickling one byte at
a time, even inside the headers, never trips them. :class:`DeadlineWatchdog` is given to
httpx as the request's ``trace`` extension to learn the sockets it opens, and shuts them
all down when the deadline passes; the read in progress then fails at once.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from typing import Any

__all__ = ["DeadlineWatchdog"]


class DeadlineWatchdog:
    """Shuts the request's socket down when the total deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._streams: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event.endswith(("connect_tcp.complete", "start_tls.complete")):
            stream = info.get("return_value")
            if stream is None:
                return
            with self._lock:
                self._streams.append(stream)
                fired = self.fired
            if fired:
                _shutdown(stream)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            streams = list(self._streams)
        for stream in reversed(streams):
            _shutdown(stream)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(stream: Any) -> None:
    try:
        sock = stream.get_extra_info("socket")
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError, ValueError):
        pass
