"""A real local SMTP server for the tests (aiosmtpd on 127.0.0.1) that keeps every message
it is given and can refuse recipients: the e-mail sink's, the notices' mail sink's, the
notice services' and the web notices' tests all send through it.

``running_smtp()`` is the context manager; ``smtp`` the pytest fixture (import it into a
test module, or a conftest, to use it).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.alerts.conftest import free_port

__all__ = ["Collector", "running_smtp", "smtp"]


class Collector:
    """An aiosmtpd handler that keeps messages (envelope sender, recipients, message) and
    can refuse recipients: ``rcpt_replies`` per address, else ``rcpt_reply`` for all."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.rcpt_replies: dict[str, str] = {}
        self.rcpt_reply: str | None = None
        self.hold: threading.Event | None = None
        """When set to an event: each message waits for it before being accepted (a
        slow server), and ``arrived`` tells that one is waiting."""
        self.arrived = threading.Event()

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self.rcpt_replies.get(address, self.rcpt_reply)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if self.hold is not None:
            self.arrived.set()
            while not self.hold.is_set():
                await asyncio.sleep(0.01)
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), msg))
        return "250 Message accepted"


@contextmanager
def running_smtp() -> Iterator[tuple[Collector, int]]:
    """A started SMTP server: its collector and port (stopped on leaving)."""
    handler = Collector()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


@pytest.fixture
def smtp() -> Iterator[tuple[Collector, int]]:
    """A local SMTP server for one test: its collector and port."""
    with running_smtp() as server:
        yield server
