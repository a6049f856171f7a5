"""services.notice_tracking: replies dropped in a folder change statuses (matched by the
sent notice's Message-ID, else its LT-N reference; one location when the reply names it)
and move to processed/ while unmatched ones stay; a location LeakTrace ingests again
after its notice was sent is seen again (and not removed in the figures); a notice
without an answer after no_response_days becomes no-response; need-to-know holds."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from leaktrace.errors import ConfigError, InputError
from leaktrace.identity.actor import local_operator
from leaktrace.services.ingest import ingest_files
from leaktrace.services.notice_reading import get_notice, list_notices
from leaktrace.services.notice_sending import send_notices
from leaktrace.services.notice_stats import notice_stats
from leaktrace.services.notice_tracking import track_notices, watch_replies
from tests.services.notice_delivery_world import (
    NOW,
    World,
    changes_of,
    locations,
    notice_row,
    smtp_server,
    world_of,
)
from tests.smtp_server import Collector

__all__ = ["smtp_server"]

URLS = ["https://files.example/dune.mkv", "https://files.example/dune-2.mkv"]


@pytest.fixture
def w(tmp_path: Path, smtp_server: tuple[Collector, int]) -> World:
    return world_of(tmp_path, smtp_server, replies_dir=str(tmp_path / "replies"))


def _reply(
    folder: Path,
    name: str,
    text: str,
    *,
    subject: str = "Re: your notice",
    in_reply_to: str | None = None,
    at: datetime | None = None,
    sender: str = "abuse@files.example",
) -> Path:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "notices@studio.example"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(at or datetime.now(UTC))
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(text)
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(bytes(msg))
    return path


def _sent(w: World, *, agency_id: int | None = None, urls: list[str] = URLS) -> int:
    notice_id = notice_row(w, agency_id=agency_id, urls=urls)
    assert send_notices(w.ctx, local_operator(), [notice_id]).sent == [notice_id]
    return notice_id


def test_replies_change_statuses_and_move_to_processed(w: World, tmp_path: Path) -> None:
    me = local_operator()
    folder = tmp_path / "replies"
    by_id = _sent(w)
    by_reference = _sent(w)
    one_url = _sent(w)
    removed_id = get_notice(w.ctx, me, by_id).message_id
    assert removed_id is not None
    _reply(
        folder,
        "1.eml",
        "Hello, the material you reported has been removed from our service.",
        in_reply_to=removed_id,
    )
    _reply(
        folder,
        "2.eml",
        "We have received a counter-notice and declined your request.",
        subject=f"Your notice LT-N-{by_reference:06d}",
    )
    _reply(
        folder,
        "3.eml",
        f"Regarding LT-N-{one_url:06d}: https://files.example/dune-2.mkv was taken down.",
        subject="Takedown",
    )
    _reply(folder, "stray.eml", "Please unsubscribe me from your newsletter.")
    (folder / "notes.txt").write_text("not a reply", encoding="utf-8")
    (folder / "garbage.eml").write_bytes(b"\x00\xff\xfe not a message at all")

    result = track_notices(w.ctx, me)
    assert (result.replies_read, result.replies_matched) == (5, 3)  # .eml files only
    assert sorted(result.unmatched) == ["garbage.eml", "stray.eml"]
    assert get_notice(w.ctx, me, by_id).status == "removed"
    assert [loc["status"] for loc in locations(w, by_id)] == ["removed", "removed"]
    assert all(loc["removed_at"] is not None for loc in locations(w, by_id))
    assert get_notice(w.ctx, me, by_reference).status == "rejected"
    partial = get_notice(w.ctx, me, one_url)
    assert partial.status == "acknowledged"
    assert [loc.status for loc in partial.location_list] == ["sent", "removed"]
    assert ("removed", "reply", True) in changes_of(w, by_id)
    assert sorted(p.name for p in (folder / "processed").iterdir()) == ["1.eml", "2.eml", "3.eml"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "garbage.eml",
        "notes.txt",
        "processed",
        "stray.eml",
    ]
    # a second round reads only what is left
    again = track_notices(w.ctx, me)
    assert (again.replies_read, again.replies_matched, again.changes) == (2, 0, 0)


def test_a_reply_to_another_agencys_notice_is_unmatched(w: World, tmp_path: Path) -> None:
    folder = tmp_path / "replies"
    theirs = _sent(w, agency_id=w.industry.agency_id)
    _reply(folder, "theirs.eml", "Removed.", subject=f"Re: LT-N-{theirs:06d}")
    result = track_notices(w.ctx, w.other_industry)
    assert (result.replies_matched, result.unmatched) == (0, ["theirs.eml"])
    assert get_notice(w.ctx, w.industry, theirs).status == "sent"
    assert track_notices(w.ctx, w.industry).replies_matched == 1
    assert get_notice(w.ctx, w.industry, theirs).status == "removed"


def test_seen_again_through_a_later_ingest(w: World, tmp_path: Path) -> None:
    me = local_operator()
    notice_id = _sent(w)
    track_notices(w.ctx, me)
    get_notice(w.ctx, me, notice_id)
    # the provider says removed; LeakTrace then sees the first URL again
    _reply(tmp_path / "replies", "r.eml", "All removed.", subject=f"LT-N-{notice_id:06d}")
    assert track_notices(w.ctx, me).replies_matched == 1
    assert notice_stats(w.ctx, me).removed == 2
    later = datetime.now(UTC) + timedelta(minutes=1)
    feed = tmp_path / "later.jsonl"
    rows = [
        {
            "name": "Dune.Part.Three.2026.1080p.WEB-DL-LEAKERS",
            "time": later.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "url": URLS[0],
        },
        {  # another URL of the same release: not a location of the notice
            "name": "Dune.Part.Three.2026.1080p.WEB-DL-LEAKERS",
            "time": later.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "url": "https://elsewhere.example/dune.mkv",
        },
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert ingest_files(w.ctx, me, [feed]).new_sightings == 2
    result = track_notices(w.ctx, me)
    assert (result.seen_again, result.changes) == (1, 1)
    first, second = locations(w, notice_id)
    assert first["seen_again_at"] is not None and second["seen_again_at"] is None
    assert changes_of(w, notice_id)[-1] == ("removed", "sighting", True)
    figures = notice_stats(w.ctx, me)
    assert (figures.locations, figures.removed, figures.removed_share) == (2, 1, 0.5)
    assert [o.host for o in figures.repeat_offenders] == ["files.example"]
    # the notice's own count agrees: seen again is not removed
    assert (get_notice(w.ctx, me, notice_id).removed, list_notices(w.ctx, me)[0].removed) == (
        1,
        1,
    )
    assert track_notices(w.ctx, me).seen_again == 0  # recorded once


def test_a_sighting_before_sending_does_not_count(w: World, tmp_path: Path) -> None:
    me = local_operator()
    feed = tmp_path / "earlier.jsonl"
    feed.write_text(
        json.dumps(
            {
                "name": "Dune.Part.Three.2026.1080p.WEB-DL-LEAKERS",
                "time": (NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "url": URLS[0],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    ingest_files(w.ctx, me, [feed])
    _sent(w)
    assert track_notices(w.ctx, me).seen_again == 0


def test_no_response_after_the_configured_days(
    tmp_path: Path, smtp_server: tuple[Collector, int]
) -> None:
    w = world_of(tmp_path, smtp_server, no_response_days=14)
    me = local_operator()
    old = notice_row(w, agency_id=None, sent_at=NOW - timedelta(days=15), status="sent")
    recent = notice_row(w, agency_id=None, sent_at=NOW - timedelta(days=3), status="sent")
    answered = notice_row(w, agency_id=None, sent_at=NOW - timedelta(days=20), status="sent")
    from leaktrace.services.notice_marking import mark_notice

    mark_notice(w.ctx, me, answered, "acknowledged", at=NOW - timedelta(days=19))
    result = track_notices(w.ctx, me)  # no replies folder configured
    assert (result.replies_read, result.no_response) == (0, 1)
    assert get_notice(w.ctx, me, old).status == "no-response"
    assert changes_of(w, old)[-1] == ("no-response", "auto", False)
    assert get_notice(w.ctx, me, recent).status == "sent"
    assert get_notice(w.ctx, me, answered).status == "acknowledged"
    # the same notices, looked at 12 days later: the recent one has had no answer either
    later = track_notices(w.ctx, me, now=NOW + timedelta(days=12))
    assert later.no_response == 1
    assert get_notice(w.ctx, me, recent).status == "no-response"


def test_the_replies_folder(w: World, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory") as info:
        track_notices(w.ctx, local_operator(), replies_dir=tmp_path / "nowhere")
    assert info.value.file == str(tmp_path / "nowhere")
    # the configured folder is made when missing
    assert not (tmp_path / "replies").exists()
    assert track_notices(w.ctx, local_operator()).replies_read == 0
    assert (tmp_path / "replies").is_dir()
    blocked = world_of(tmp_path / "b", (w.smtp, 1), replies_dir=str(tmp_path / "file"))
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(ConfigError, match="notices.replies_dir"):
        track_notices(blocked.ctx, local_operator())


def test_watch_polls_until_stopped(w: World, tmp_path: Path) -> None:
    folder = tmp_path / "replies"
    folder.mkdir()
    notice_id = _sent(w)
    seen: list[int] = []
    stop = threading.Event()

    def report(result: object) -> None:
        seen.append(getattr(result, "replies_matched", 0))
        if len(seen) == 1:
            _reply(folder, "late.eml", "Removed.", subject=f"LT-N-{notice_id:06d}")
        if len(seen) == 2:
            stop.set()

    rounds = watch_replies(w.ctx, local_operator(), every=0.01, stop=stop, report=report)
    assert rounds == 2 and seen == [0, 1]
    assert get_notice(w.ctx, local_operator(), notice_id).status == "removed"


def test_only_the_recipient_answers_for_one_notice(w: World, tmp_path: Path) -> None:
    """References are sequential and a Message-ID can be guessed: a reply changes a
    notice only when it comes from the notice's recipient (its domain, or a sub-domain
    either way), and only one notice."""
    me = local_operator()
    folder = tmp_path / "replies"
    first, second = _sent(w), _sent(w)
    message_id = get_notice(w.ctx, me, first).message_id
    assert message_id is not None
    text = f"LT-N-{first:06d} LT-N-{second:06d}: the material has been removed."
    _reply(folder, "prank.eml", text, sender="prankster@evil.example")
    _reply(folder, "forged.eml", "Removed.", in_reply_to=message_id, sender="x@evil.example")
    _reply(folder, "two.eml", text)  # from the recipient, but for two notices
    _reply(folder, "lookalike.eml", "Removed.", in_reply_to=message_id, sender="a@sfiles.example")
    result = track_notices(w.ctx, me, replies_dir=folder)
    assert (result.replies_read, result.replies_matched) == (4, 0)
    assert sorted(result.unmatched) == ["forged.eml", "lookalike.eml", "prank.eml", "two.eml"]
    assert {get_notice(w.ctx, me, n).status for n in (first, second)} == {"sent"}
    # the abuse desk's ticket system (a sub-domain) answers for the one notice
    _reply(folder, "ticket.eml", "Removed.", in_reply_to=message_id, sender="t@desk.files.example")
    assert track_notices(w.ctx, me, replies_dir=folder).replies_matched == 1
    assert get_notice(w.ctx, me, first).status == "removed"
    assert get_notice(w.ctx, me, second).status == "sent"


def test_the_watcher_outlives_a_failed_round_and_lists_a_stray_file_once(
    w: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaktrace.services import notice_tracking

    folder = tmp_path / "replies"
    _reply(folder, "stray.eml", "Hello, is this the right address?", subject="Question")
    calls: list[int] = []
    real = notice_tracking._replies_dir

    def flaky(ctx: Any, given: Path | None) -> Path | None:
        calls.append(1)
        if len(calls) == 1:  # e.g. the folder's file system not mounted yet
            raise InputError("is not a directory (the replies folder)", file=str(given))
        return real(ctx, given)

    monkeypatch.setattr(notice_tracking, "_replies_dir", flaky)
    seen: list[Any] = []
    done = watch_replies(
        w.ctx,
        local_operator(),
        every=0,
        stop=threading.Event(),
        replies_dir=folder,
        report=seen.append,
        rounds=3,
    )
    assert done == 3 and len(seen) == 2  # the failed round is logged, not reported
    assert [r.unmatched for r in seen] == [["stray.eml"], []]  # listed once
    _reply(folder, "stray.eml", "Hello again, a longer question this time?", subject="Q2")
    again = track_notices(w.ctx, local_operator(), replies_dir=folder)
    assert again.unmatched == ["stray.eml"]  # the plain command reads everything
