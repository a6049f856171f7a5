"""Notices on an installation that lacks part of their settings: nothing is drafted from a
default identity (no ``[notices.sender]``: 422 naming the missing element), nothing is
sent without a mail server (the API's ConfigError names the settings; the notice's page
says so, never "try again")."""

from __future__ import annotations

from pathlib import Path

from leaktrace.errors import ConfigError
from leaktrace.web.errors import status_of
from tests.web.notice_world import CONTACT_HOST, INDUSTRY, notice_world

URL = f"https://{CONTACT_HOST}/unconfigured/one.mkv"


def test_no_sender_identity_no_draft(tmp_path: Path) -> None:
    with notice_world(tmp_path, sender=False) as world:
        client = world.server.client("analyst", agency=INDUSTRY)
        reply = client.post(
            "/api/v1/notices/drafts",
            json={"leak_id": world.leak_id, "form": "dmca", "urls": [URL]},
        )
        assert reply.status_code == 422, reply.text
        error = reply.json()["error"]
        assert error["type"] == "IncompleteNoticeError"
        assert error["field"] == "signature" and "[notices.sender]" in error["reason"]
        assert error["form"] == "dmca" and error["element"] == "signature"
        assert client.get("/api/v1/notices").json() == []  # nothing written


def test_no_mail_server_no_send(tmp_path: Path) -> None:
    with notice_world(tmp_path, smtp=False) as world:
        client = world.server.client("analyst", agency=INDUSTRY)
        drafted = client.post(
            "/api/v1/notices/drafts",
            json={"leak_id": world.leak_id, "form": "dmca", "urls": [URL]},
        )
        assert drafted.status_code == 201, drafted.text
        (notice_id,) = [
            n["id"] for n in drafted.json()["notices"] if n["recipient_key"] == CONTACT_HOST
        ]
        api = client.post(f"/api/v1/notices/{notice_id}/send")
        assert api.status_code == status_of(ConfigError("x"))
        error = api.json()["error"]
        assert error["type"] == "ConfigError" and "[notices.smtp]" in error["message"]
        page = client.post(f"/notices/{notice_id}/send")
        assert page.status_code == 503
        assert "Not sent: no mail server for notices" in page.text
        assert "[notices.smtp]" in page.text and 'data-testid="notice-message"' in page.text
        notice = client.get(f"/api/v1/notices/{notice_id}").json()
        assert notice["status"] == "drafted" and notice["delivery"] is None
        assert world.mailbox.messages == []
