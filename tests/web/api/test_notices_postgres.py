"""The notices' API and pages on PostgreSQL (a real server from tests/pg_server.py) behind a
real uvicorn, mailing through a real aiosmtpd: draft from a leak, send, mark, read the
figures; another agency's notice and the largest id answer 404 (never a database error)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.services.context import build_context
from tests.services.notice_world import CONTACT_PARENT, build_world, leak_of, settings_for
from tests.smtp_server import Collector, running_smtp
from tests.web.conftest import LiveServer, serve

LARGEST = 2**31 - 1


@pytest.fixture
def server(postgres_database: str, tmp_path: Path) -> Iterator[tuple[LiveServer, Collector]]:
    with running_smtp() as (box, port):
        settings = settings_for(postgres_database, smtp={"host": "127.0.0.1", "port": port})
        with build_context(settings) as context:
            build_world(context, tmp_path / "files")
            for live in serve(context):
                yield live, box


def test_notices_over_postgres(server: tuple[LiveServer, Collector]) -> None:
    live, box = server
    client = live.client("analyst", agency="MPA")
    leak = leak_of(live.context, CONTACT_PARENT)
    drafted = client.post("/api/v1/notices/drafts", json={"leak_id": leak, "form": "dmca"})
    assert drafted.status_code == 201, drafted.text
    (notice,) = drafted.json()["notices"]
    assert notice["recipient_email"] == "abuse@cyberlock.example"
    notice_id = notice["id"]

    police = live.client("analyst", agency="NL-POL")
    for path in (f"/api/v1/notices/{notice_id}", f"/api/v1/notices/{LARGEST}"):
        answer = police.get(path)
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"]["type"] == "NotFoundError"
    assert police.get(f"/notices/{notice_id}").status_code == 404
    page = client.get(f"/notices/{notice_id}")
    assert page.status_code == 200 and 'data-testid="send-notice"' in page.text

    sent = client.post(f"/api/v1/notices/{notice_id}/send")
    assert sent.status_code == 200 and sent.json()["sent"] == [notice_id], sent.text
    assert [rcpt for _, rcpt, _ in box.messages] == [["abuse@cyberlock.example"]]
    marked = client.post(f"/api/v1/notices/{notice_id}/marks", json={"status": "removed"})
    assert marked.status_code == 200, marked.text
    assert marked.json()["status"] == "removed"
    stats = client.get("/api/v1/notices/stats").json()
    assert stats["removed"] == stats["locations"] >= 1 and stats["removed_share"] == 1.0
    listing = client.get("/notices", params={"status": "removed"})
    assert listing.status_code == 200 and f'data-notice="{notice_id}"' in listing.text
