"""JSON Lines sink: append each alert event as one compact JSON line to a file or stdout.

Each line is ``event.as_json()`` (keys sorted, no spaces, UTF-8). A file is opened in
append mode for every delivery (so log rotation just works), written with a single
``write``, flushed and fsynced before ``deliver`` returns; parent directories are created.
``path = "-"`` writes to standard output instead. Consumers dedupe on ``dedupe_key``: a
retried event is appended again.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import threading
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from leaktrace.alerts.base import AlertEvent, DeliveryError, SinkConfig, SinkPlugin

__all__ = ["PLUGIN", "JsonlConfig", "JsonlSink", "encode_line"]

STDOUT = "-"
# Out of space or a flaky disk may clear up; a path that cannot be a file will not.
_TRANSIENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EAGAIN, errno.EINTR, errno.ENFILE, errno.EMFILE}
)


class JsonlConfig(SinkConfig):
    """A JSON Lines sink: ``path`` is a file (``~`` expanded) or ``-`` for stdout."""

    kind: Literal["jsonl"] = "jsonl"
    path: str = Field(min_length=1)


def encode_line(event: AlertEvent) -> str:
    """One line (with its newline) for ``event``."""
    return (
        json.dumps(event.as_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        + "\n"
    )


class JsonlSink:
    """Appends events to a JSON Lines file (or stdout). Thread-safe."""

    def __init__(self, config: JsonlConfig) -> None:
        self.name = config.name
        self.config = config
        self.path: Path | None = None if config.path == STDOUT else Path(config.path).expanduser()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"JsonlSink(name={self.name!r}, path={self.config.path!r})"

    def deliver(self, event: AlertEvent) -> None:
        try:
            line = encode_line(event)
        except (TypeError, ValueError) as exc:
            raise DeliveryError(
                f"jsonl {self.name!r}: event {event.key} is not JSON-serialisable: {exc}",
                sink=self.name,
                transient=False,
            ) from None
        with self._lock:
            if self.path is None:
                self._write_stdout(line)
            else:
                self._write_file(self.path, line)

    def _write_stdout(self, line: str) -> None:
        try:
            sys.stdout.write(line)
            sys.stdout.flush()
        except (OSError, ValueError) as exc:  # closed or broken stdout
            raise DeliveryError(
                f"jsonl {self.name!r}: cannot write to stdout: {exc}",
                sink=self.name,
                transient=False,
            ) from None

    def _write_file(self, path: Path, line: str) -> None:
        data = line.encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                written = os.write(fd, data)
                while written < len(data):  # a short write: finish the line
                    written += os.write(fd, data[written:])
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            transient = exc.errno in _TRANSIENT_ERRNOS
            why = exc.strerror or type(exc).__name__
            raise DeliveryError(
                f"jsonl {self.name!r}: cannot append to {path}: {why}",
                sink=self.name,
                transient=transient,
            ) from None

    def close(self) -> None:
        """Nothing stays open between deliveries."""


def _create(config: Any) -> JsonlSink:
    if not isinstance(config, JsonlConfig):
        config = JsonlConfig.model_validate(config)
    return JsonlSink(config)


PLUGIN = SinkPlugin("jsonl", JsonlConfig, _create)
