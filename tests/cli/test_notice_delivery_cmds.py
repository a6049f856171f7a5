"""``leaktrace notices send | track | renotice | stats`` through the real entry point, with
the settings in the environment and a real local SMTP server (aiosmtpd): failures are
printed, never hidden, and a mistake is one line and an exit code."""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.services.notice_delivery_world import (
    NOW,
    SENDER,
    World,
    make_due,
    notice_row,
    smtp_server,
    world_of,
)
from tests.smtp_server import Collector

__all__ = ["smtp_server"]


@pytest.fixture
def w(tmp_path: Path, smtp_server: tuple[Collector, int], monkeypatch: pytest.MonkeyPatch) -> World:
    for key, value in SENDER.items():
        if value is not None:
            monkeypatch.setenv(f"LEAKTRACE_NOTICES__SENDER__{key.upper()}", value)
    monkeypatch.setenv("LEAKTRACE_NOTICES__SMTP__HOST", "127.0.0.1")
    monkeypatch.setenv("LEAKTRACE_NOTICES__SMTP__PORT", str(smtp_server[1]))
    monkeypatch.setenv("LEAKTRACE_NOTICES__SMTP__TIMEOUT", "5")
    return world_of(tmp_path, smtp_server)


def _db(w: World) -> str:
    return str(w.ctx.settings.db)


def test_send_prints_what_was_sent_and_what_was_not(run: Run, w: World) -> None:
    fine = notice_row(w, agency_id=None)
    needs = notice_row(w, agency_id=None, email=None, name=None, key="203.0.113.9")
    one = run("notices", "send", str(fine), "--db", _db(w))
    assert one.code == 0, one.err
    assert f"notice {fine}: sent" in one.out and "1 sent, 0 waiting" in one.err
    assert len(w.smtp.messages) == 1
    rest = run("notices", "send", "--all-drafted", "--db", _db(w))
    assert rest.code == 1
    assert f"notice {needs}: NOT sent: no contact for 203.0.113.9" in rest.err
    unknown = run("notices", "send", "999", "--db", _db(w))
    assert unknown.code != 0 and "999" in unknown.err and "Traceback" not in unknown.err
    neither = run("notices", "send", "--db", _db(w))
    assert neither.code != 0 and "--all-drafted" in neither.err


def test_send_retry_as_json(run: Run, w: World) -> None:
    notice_id = notice_row(w, agency_id=None)
    w.smtp.rcpt_reply = "451 4.3.0 Later"
    first = run("notices", "send", str(notice_id), "--format", "json", "--db", _db(w))
    assert first.code == 0, first.err
    assert json.loads(first.out) == {"sent": [], "queued": [notice_id], "failed": []}
    w.smtp.rcpt_reply = None
    make_due(w)
    retried = run("notices", "send", "--retry", "--format", "json", "--db", _db(w))
    assert json.loads(retried.out)["sent"] == [notice_id]


def test_nothing_is_sent_without_a_sender(
    run: Run, w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice_id = notice_row(w, agency_id=None)
    monkeypatch.delenv("LEAKTRACE_NOTICES__SENDER__NAME")
    monkeypatch.delenv("LEAKTRACE_NOTICES__SENDER__EMAIL")
    for key in SENDER:
        monkeypatch.delenv(f"LEAKTRACE_NOTICES__SENDER__{key.upper()}", raising=False)
    result = run("notices", "send", str(notice_id), "--db", _db(w))
    assert result.code != 0 and "[notices.sender]" in result.err
    assert "Traceback" not in result.err and w.smtp.messages == []


def test_track_renotice_and_stats(run: Run, w: World, tmp_path: Path) -> None:
    notice_id = notice_row(w, agency_id=None)
    assert run("notices", "send", str(notice_id), "--db", _db(w)).code == 0
    replies = tmp_path / "in"
    replies.mkdir()
    msg = EmailMessage()
    msg["From"] = "abuse@files.example"
    msg["Subject"] = f"Re: LT-N-{notice_id:06d}"
    msg.set_content("The file has been removed.")
    (replies / "a.eml").write_bytes(bytes(msg))
    (replies / "b.eml").write_bytes(b"Subject: hello\r\n\r\nnothing to see\r\n")
    tracked = run("notices", "track", "--replies", str(replies), "--db", _db(w))
    assert tracked.code == 0, tracked.err
    assert "2 replies read, 1 matched" in tracked.out
    assert "reply b.eml: names no notice, left in the folder" in tracked.err
    stats = run("notices", "stats", "--format", "json", "--db", _db(w))
    figures = json.loads(stats.out)
    assert (figures["sent"], figures["locations"], figures["removed"]) == (1, 1, 1)
    assert figures["by_provider"][0]["key"] == "Files Example Abuse"
    table = run("notices", "stats", "--db", _db(w))
    assert "1 of 1 locations removed (100%)" in table.out
    assert "Time to takedown per provider" in table.out and "Files Example Abuse" in table.out

    old = notice_row(w, agency_id=None, sent_at=NOW - timedelta(days=9), status="sent")
    dry = run("notices", "renotice", "--dry-run", "--db", _db(w))
    assert dry.code == 0, dry.err
    assert "1 notices would be repeated" in dry.out and f"LT-N-{old:06d}" in dry.out
    done = run("notices", "renotice", "--format", "json", "--db", _db(w))
    [new] = json.loads(done.out)["notices"]
    assert new["previous_id"] == old and new["status"] == "drafted"
