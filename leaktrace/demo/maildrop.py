"""The demo's mail drop: a minimal SMTP server on 127.0.0.1 that accepts every message
and writes it, as it arrived, to a folder (``<n>.eml``).

``leaktrace demo`` sends its fictional takedown notices to it, so the whole chain (draft,
send through the outbox, track the replies) runs without any real mail server and
nothing leaves the machine. It speaks just enough SMTP (RFC 5321) for Python's
``smtplib``: EHLO/HELO, MAIL, RCPT, DATA (with dot-unstuffing), RSET, NOOP, QUIT. It is not
a mail server for anything else.
"""

from __future__ import annotations

import itertools
import os
import socketserver
import threading
from pathlib import Path
from types import TracebackType

__all__ = ["MailDrop"]

_MAX_LINE = 1000
_MAX_MESSAGE = 10 << 20


class _Handler(socketserver.StreamRequestHandler):
    timeout = 30
    server: _Server

    def _reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def _line(self) -> bytes | None:
        raw = self.rfile.readline(_MAX_LINE + 2)
        return raw if raw else None

    def handle(self) -> None:
        self._reply("220 leaktrace-demo maildrop ready")
        has_sender, recipients = False, 0
        while (raw := self._line()) is not None:
            command = raw.decode("ascii", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 leaktrace-demo")
            elif verb == "MAIL":
                has_sender, recipients = True, 0
                self._reply("250 OK")
            elif verb == "RCPT":
                if not has_sender:
                    self._reply("503 MAIL first")
                    continue
                recipients += 1
                self._reply("250 OK")
            elif verb == "DATA":
                if not recipients:
                    self._reply("503 RCPT first")
                    continue
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                message = self._data()
                if message is None:
                    return
                self.server.keep(message)
                has_sender, recipients = False, 0
                self._reply("250 Message accepted")
            elif verb in ("RSET", "NOOP"):
                if verb == "RSET":
                    has_sender, recipients = False, 0
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")

    def _data(self) -> bytes | None:
        lines: list[bytes] = []
        size = 0
        while (raw := self._line()) is not None:
            if raw.rstrip(b"\r\n") == b".":
                return b"".join(lines)
            if raw.startswith(b"."):
                raw = raw[1:]
            size += len(raw)
            if size > _MAX_MESSAGE:
                self._reply("552 Message too large")
                return None
            lines.append(raw)
        return None


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, folder: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.folder = folder
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def keep(self, message: bytes) -> None:
        with self._lock:
            number = next(self._numbers)
            path = self.folder / f"{number:04d}.eml"
            while path.exists():
                number = next(self._numbers)
                path = self.folder / f"{number:04d}.eml"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(message)


class MailDrop:
    """``with MailDrop(folder) as drop:`` an SMTP server on ``127.0.0.1:drop.port``
    writing every message it accepts to ``folder`` (made, owner-only)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.folder = folder
        self._server = _Server(folder)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="leaktrace-demo-maildrop", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def messages(self) -> list[Path]:
        """The messages received so far, oldest first."""
        return sorted(self.folder.glob("*.eml"))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> MailDrop:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
