"""The SMTP send rate of takedown notices against a local test SMTP server (aiosmtpd).

Writes N drafted notices (3 locations each, an abuse contact each) into a fresh SQLite
database, starts an aiosmtpd server on 127.0.0.1 that accepts every message, and times
``send_notices`` for all of them: building each message, queueing it in the outbox (one
event and one delivery per notice), delivering through the notices' mail sink (one SMTP
connection per notice, as in production) and settling each as sent. Prints notices/s,
the command and the machine.

    python bench/notice_smtp.py                 # 1,000 notices
    python bench/notice_smtp.py --notices 200
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from machine import cpu_model  # noqa: E402

SENDER = {
    "name": "Jane Roe",
    "email": "antipiracy@studio.example",
    "address": "1 Studio Way, Burbank, CA 91505, USA",
    "phone": "+1 818 555 0100",
    "signature": "/s/ Jane Roe",
    "principal": "Example Studios Inc.",
}


class Accept:
    """An aiosmtpd handler that accepts and counts every message."""

    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages += 1
        self.bytes += len(envelope.content)
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _notices(ctx: Any, count: int) -> None:
    from leaktrace.store import notice_tracking

    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        for n in range(count):
            urls = [f"https://site{n:04d}.example/watch/{k}" for k in range(3)]
            body = "\n".join(
                [
                    f"Dear Site {n:04d} Ltd,",
                    "Example Studios Inc. owns the copyright in Bench Film (2026).",
                    "The infringing copies are at:",
                    *(f"  {u}" for u in urls),
                    "I have a good faith belief ... under penalty of perjury ...",
                    "/s/ Jane Roe",
                ]
            )
            notice_tracking.insert_notice(
                conn,
                {
                    "agency_id": None,
                    "form": "dmca",
                    "language": "en",
                    "recipient_key": f"site{n:04d}.example",
                    "recipient_name": f"Site {n:04d} Ltd",
                    "recipient_email": f"abuse@site{n:04d}.example",
                    "recipient_country": "NL",
                    "status": "drafted",
                    "template": "dmca.en.txt",
                    "subject": f"DMCA notice of copyright infringement (bench {n})",
                    "body": body,
                    "sender": json.dumps(SENDER, sort_keys=True),
                    "created_by": "bench",
                    "created_at": now,
                    "updated_at": now,
                },
                [
                    {
                        "url": u,
                        "host": f"site{n:04d}.example",
                        "status": "drafted",
                        "status_at": now,
                    }
                    for u in urls
                ],
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1_000)
    args = parser.parse_args()

    from aiosmtpd.controller import Controller

    from leaktrace.config import load_settings
    from leaktrace.identity.actor import local_operator
    from leaktrace.services.context import build_context
    from leaktrace.services.notice_sending import send_notices

    handler = Accept()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="leaktrace-notice-smtp-") as tmp:
            settings = load_settings(
                db=str(Path(tmp) / "bench.db"),
                notices={
                    "sender": SENDER,
                    "smtp": {"host": "127.0.0.1", "port": port, "timeout": 10},
                },
            )
            with build_context(settings) as ctx:
                _notices(ctx, args.notices)
                started = time.perf_counter()
                cpu = time.process_time()
                result = send_notices(ctx, local_operator(), None)
                seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu
    finally:
        controller.stop()
    sent = len(result.sent)
    print(f"command: python {shlex.join(['bench/notice_smtp.py', *sys.argv[1:]])}")
    print(f"machine: {platform.node()} · {cpu_model()} · {os.cpu_count()} cores")
    print(f"python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"sent {sent:,} of {args.notices:,} notices ({len(result.queued)} queued, "
        f"{len(result.failed)} failed); the server received {handler.messages:,} messages, "
        f"{handler.bytes / max(1, handler.messages):,.0f} bytes each"
    )
    print(
        f"send_notices: {seconds:.2f} s wall, {cpu:.2f} s CPU, "
        f"{sent / seconds:,.1f} notices/s (one SMTP connection per notice)"
    )
    if sent != args.notices or handler.messages != args.notices:
        raise SystemExit("not every notice was sent")


if __name__ == "__main__":
    main()
