"""services.notice_sending against a real local SMTP server (aiosmtpd): a sent notice
arrives with its headers and text, its statuses and history follow; a 4xx leaves it
retrying and a later try delivers it; a 5xx or max_attempts tries make it failed (a
dead letter); a notice of a case becomes an evidence item of the case (the bytes that
were sent); only industry agencies and the local operator send; nothing is sent without
[notices.sender] or a mail server."""

from __future__ import annotations

import email
import hashlib
import re
import threading
from datetime import UTC, datetime, timedelta
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select

from leaktrace.errors import ConfigError, ConflictError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import local_operator
from leaktrace.notices.mail import notice_message_id
from leaktrace.services import case_items, cases
from leaktrace.services.notice_export import export_notices
from leaktrace.services.notice_marking import mark_notice
from leaktrace.services.notice_reading import get_notice
from leaktrace.services.notice_sending import deliver_pending, may_send, send_notices
from leaktrace.services.notice_stats import notice_stats
from leaktrace.services.notice_tracking import watch_replies
from leaktrace.services.notice_views import SendResultView
from leaktrace.services.notices import set_recipient
from leaktrace.store import notice_tracking, outbox
from leaktrace.store import notices as notices_store
from leaktrace.store.schema import ALERT_EVENTS, DEAD_LETTERS
from tests.services.notice_delivery_world import (
    SENDER,
    World,
    changes_of,
    locations,
    make_due,
    notice_row,
    smtp_server,
    world_of,
)
from tests.smtp_server import Collector

__all__ = ["smtp_server"]


@pytest.fixture
def w(tmp_path: Path, smtp_server: tuple[Collector, int]) -> World:
    return world_of(tmp_path, smtp_server)


def test_a_sent_notice_arrives_with_its_headers_and_text(w: World) -> None:
    me = local_operator()
    notice_id = notice_row(
        w, agency_id=None, urls=["https://files.example/dune.mkv", "https://files.example/d2"]
    )
    result = send_notices(w.ctx, me, [notice_id])
    assert (result.sent, result.queued, result.failed) == ([notice_id], [], [])
    [(mail_from, rcpts, msg)] = w.smtp.messages
    assert (mail_from, rcpts) == ("notices@studio.example", ["abuse@files.example"])
    assert msg["From"].addresses[0].addr_spec == "notices@studio.example"
    assert msg["From"].addresses[0].display_name == "Jane Roe"
    assert msg["To"].addresses[0].addr_spec == "abuse@files.example"
    assert msg["Reply-To"].addresses[0].addr_spec == "notices@studio.example"
    assert msg["Subject"] == f"Notice of infringement LT-N-{notice_id:06d}"
    assert msg["X-LeakTrace-Notice"] == f"LT-N-{notice_id:06d}"
    # not to be worked out from the number and the sender's address (replies prove it)
    assert msg["Message-ID"] != notice_message_id(notice_id, "notices@studio.example")
    assert re.fullmatch(
        rf"<LT-N-{notice_id:06d}\.[0-9a-f]{{16}}@studio\.example>", msg["Message-ID"]
    )
    assert msg["Auto-Submitted"] is None  # a person's legal act, not an automatic mail
    text = msg.get_content()
    assert "https://files.example/dune.mkv" in text and "https://files.example/d2" in text
    assert "/s/ Jane Roe" in text
    view = get_notice(w.ctx, me, notice_id)
    assert (view.status, view.delivery, view.delivery_error) == ("sent", None, None)
    assert view.sent_at is not None and view.message_id == msg["Message-ID"]
    assert [loc["status"] for loc in locations(w, notice_id)] == ["sent", "sent"]
    assert changes_of(w, notice_id) == [
        ("sent", "send", False),
        ("sent", "send", True),
        ("sent", "send", True),
    ]
    # one outbox event of kind notice; sending again sends nothing (it is sent)
    again = send_notices(w.ctx, me, [notice_id])
    assert again.sent == [] and "not drafted" in again.failed[0].reason
    assert len(w.smtp.messages) == 1
    with w.ctx.database.reading() as conn:
        kinds = conn.execute(select(ALERT_EVENTS.c.kind, ALERT_EVENTS.c.topic)).all()
    assert [tuple(k) for k in kinds] == [("notice", f"notice:{notice_id}")]


def test_4xx_retries_then_a_later_send_delivers(w: World) -> None:
    me = local_operator()
    notice_id = notice_row(w, agency_id=None)
    w.smtp.rcpt_reply = "451 4.3.0 Greylisted, try again later"
    result = send_notices(w.ctx, me, [notice_id])
    assert (result.sent, result.queued, result.failed) == ([], [notice_id], [])
    view = get_notice(w.ctx, me, notice_id)
    assert (view.status, view.delivery) == ("drafted", "retrying")
    assert view.delivery_error is not None and "451" in view.delivery_error
    # not due yet: nothing is tried
    assert deliver_pending(w.ctx, me).queued == [notice_id]
    w.smtp.rcpt_reply = None
    make_due(w)
    later = deliver_pending(w.ctx, me)
    assert later.sent == [notice_id]
    assert get_notice(w.ctx, me, notice_id).status == "sent"
    assert len(w.smtp.messages) == 1


def test_watching_replies_also_retries_waiting_sends(w: World) -> None:
    me = local_operator()
    notice_id = notice_row(w, agency_id=None)
    w.smtp.rcpt_reply = "451 4.3.0 Greylisted, try again later"
    assert send_notices(w.ctx, me, [notice_id]).queued == [notice_id]
    w.smtp.rcpt_reply = None
    make_due(w)
    reports: list[SendResultView] = []
    stop = threading.Event()
    rounds = watch_replies(
        w.ctx, me, every=0.01, stop=stop, rounds=1, retry_sends=True, sent=reports.append
    )
    assert rounds == 1
    assert [r.sent for r in reports] == [[notice_id]]
    assert get_notice(w.ctx, me, notice_id).status == "sent"
    assert len(w.smtp.messages) == 1


def test_5xx_is_a_dead_letter_and_the_notice_fails(w: World) -> None:
    me = local_operator()
    notice_id = notice_row(w, agency_id=None)
    w.smtp.rcpt_reply = "550 5.1.1 No such user here"
    result = send_notices(w.ctx, me, [notice_id])
    [failure] = result.failed
    assert failure.id == notice_id and "550" in failure.reason
    view = get_notice(w.ctx, me, notice_id)
    assert (view.status, view.delivery) == ("drafted", "failed")
    assert view.delivery_error is not None and "No such user" in view.delivery_error
    with w.ctx.database.reading() as conn:
        dead = conn.execute(select(DEAD_LETTERS.c.sink, DEAD_LETTERS.c.attempts)).all()
    assert [tuple(d) for d in dead] == [("notices", 1)]
    # a failed notice may be sent again (a fresh outbox event)
    w.smtp.rcpt_reply = None
    assert send_notices(w.ctx, me, [notice_id]).sent == [notice_id]
    assert get_notice(w.ctx, me, notice_id).status == "sent"


def test_max_attempts_then_failed(tmp_path: Path, smtp_server: tuple[Collector, int]) -> None:
    w = world_of(tmp_path, smtp_server, max_attempts=2)
    me = local_operator()
    notice_id = notice_row(w, agency_id=None)
    w.smtp.rcpt_reply = "421 4.7.0 Too busy"
    assert send_notices(w.ctx, me, [notice_id]).queued == [notice_id]
    make_due(w)
    [failure] = deliver_pending(w.ctx, me).failed
    assert "2 attempt(s)" in failure.reason and "421" in failure.reason
    assert get_notice(w.ctx, me, notice_id).delivery == "failed"
    assert w.smtp.messages == []


def test_a_sent_notice_is_evidence_in_its_case(w: World) -> None:
    case_id = cases.open_case(w.ctx, w.industry, "Dune leak takedowns").id
    notice_id = notice_row(w, agency_id=w.industry.agency_id, case_id=case_id)
    assert send_notices(w.ctx, w.industry, [notice_id]).sent == [notice_id]
    view = get_notice(w.ctx, w.industry, notice_id)
    assert view.evidence_item_id is not None
    item, content = case_items.item_content(w.ctx, w.industry, case_id, view.evidence_item_id)
    assert item.original_name == f"LT-N-{notice_id:06d}.eml"
    assert item.added_by == w.industry.name
    assert f"Message-ID: {view.message_id}".encode() in content
    assert b"https://files.example/dune.mkv" in content
    detail = cases.show_case(w.ctx, w.industry, case_id)
    assert detail.items == 1 and [i.id for i in detail.evidence] == [item.id]
    last = detail.timeline[-1]
    assert (last.event, last.actor, last.sha256) == ("item.added", w.industry.name, [item.sha256])
    assert f"LT-N-{notice_id:06d}.eml" in last.summary
    assert item.sha256 == hashlib.sha256(content).hexdigest()
    # the bytes kept are the bytes the server received
    [(_, _, msg)] = w.smtp.messages
    assert msg["Message-ID"] == view.message_id
    assert content.replace(b"\r\n", b"\n").strip() == bytes(msg).replace(b"\r\n", b"\n").strip()


def test_only_industry_agencies_and_the_local_operator_send(w: World) -> None:
    police_notice = notice_row(w, agency_id=w.police.agency_id)
    industry_notice = notice_row(w, agency_id=w.industry.agency_id)
    assert may_send(w.ctx, w.industry) and may_send(w.ctx, local_operator())
    assert not may_send(w.ctx, w.police)
    with pytest.raises(PermissionDeniedError, match="industry"):
        send_notices(w.ctx, w.police, [police_notice])
    # another agency's notice does not exist for it, industry or not
    with pytest.raises(NotFoundError):
        send_notices(w.ctx, w.police, [industry_notice])
    with pytest.raises(NotFoundError):
        send_notices(w.ctx, w.other_industry, [industry_notice])
    assert w.smtp.messages == []
    # --all-drafted sends only what the actor sees
    assert send_notices(w.ctx, w.industry, None).sent == [industry_notice]
    assert get_notice(w.ctx, local_operator(), police_notice).status == "drafted"
    # nor does the operator send a police user's draft (no industry user reviewed it)
    by_operator = send_notices(w.ctx, local_operator(), None)
    assert by_operator.sent == [] and [f.id for f in by_operator.failed] == [police_notice]
    assert w.smtp.messages and len(w.smtp.messages) == 1


def test_nothing_is_sent_without_a_sender_or_a_server(
    tmp_path: Path, smtp_server: tuple[Collector, int]
) -> None:
    no_sender = world_of(tmp_path / "a", smtp_server, sender=False)
    notice_id = notice_row(no_sender, agency_id=None)
    with pytest.raises(ConfigError, match=r"\[notices.sender\]"):
        send_notices(no_sender.ctx, local_operator(), [notice_id])
    with pytest.raises(NotFoundError):  # the id is looked up first
        send_notices(no_sender.ctx, local_operator(), [notice_id + 1])
    no_server = world_of(tmp_path / "b", smtp_server, mail=False)
    other = notice_row(no_server, agency_id=None)
    with pytest.raises(ConfigError) as info:
        send_notices(no_server.ctx, local_operator(), [other])
    assert "notices.smtp" in str(info.value) and "notices.email_sink" in str(info.value)
    assert smtp_server[0].messages == []
    for world in (no_sender, no_server):
        with world.ctx.database.reading() as conn:
            assert conn.execute(select(ALERT_EVENTS.c.id)).all() == []


def test_a_notice_without_a_contact_is_not_sent(w: World) -> None:
    me = local_operator()
    needs = notice_row(w, agency_id=None, email=None, name=None, key="203.0.113.9")
    fine = notice_row(w, agency_id=None)
    result = send_notices(w.ctx, me, None)
    assert result.sent == [fine]
    [failure] = result.failed
    assert failure.id == needs and "no contact for 203.0.113.9" in failure.reason
    assert get_notice(w.ctx, me, needs).status == "drafted"


def test_the_email_sink_of_the_watch_configuration(
    tmp_path: Path, smtp_server: tuple[Collector, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    handler, port = smtp_server
    config = tmp_path / "watch.toml"
    config.write_text(
        '[[source]]\nname = "feed"\nkind = "jsonl"\npaths = ["feed.jsonl"]\n\n'
        f'[[sink]]\nname = "mail"\nkind = "email"\nhost = "127.0.0.1"\nport = {port}\n'
        'sender = "alerts@studio.example"\nrecipients = ["soc@studio.example"]\n',
        encoding="utf-8",
    )
    w = world_of(tmp_path, smtp_server, mail=False, email_sink="mail", watch_config=str(config))
    notice_id = notice_row(w, agency_id=None)
    assert send_notices(w.ctx, local_operator(), [notice_id]).sent == [notice_id]
    [(mail_from, rcpts, _)] = handler.messages
    assert (mail_from, rcpts) == ("notices@studio.example", ["abuse@files.example"])


def test_another_agencys_send_delivers_but_never_writes_in_its_case(w: World) -> None:
    case_id = cases.open_case(w.ctx, w.industry, "Dune leak takedowns").id
    mine = notice_row(w, agency_id=w.industry.agency_id, case_id=case_id)
    w.smtp.rcpt_reply = "451 4.3.0 Later"
    assert send_notices(w.ctx, w.industry, [mine]).queued == [mine]
    w.smtp.rcpt_reply = None
    make_due(w)
    theirs = notice_row(w, agency_id=w.other_industry.agency_id)
    # the other agency's send delivers its own notice only (the backlog is the retry's)
    assert send_notices(w.ctx, w.other_industry, [theirs]).sent == [theirs]
    assert len(w.smtp.messages) == 1
    # its retry delivers what is due, mine included, and reports its own only
    assert deliver_pending(w.ctx, w.other_industry).sent == []
    assert len(w.smtp.messages) == 2
    view = get_notice(w.ctx, w.industry, mine)
    assert (view.status, view.evidence_item_id) == ("sent", None)
    sent_change = next(c for c in view.changes if c.via == "send" and c.location is None)
    assert sent_change.by == w.industry.name  # who sent it, not who happened to deliver it
    assert cases.show_case(w.ctx, w.industry, case_id).items == 0
    # my agency's next send (or retry) puts the message in my case
    deliver_pending(w.ctx, w.industry)
    view = get_notice(w.ctx, w.industry, mine)
    assert view.evidence_item_id is not None
    item, _ = case_items.item_content(w.ctx, w.industry, case_id, view.evidence_item_id)
    assert item.added_by == w.industry.name


def test_a_case_that_refuses_the_message_is_said_once(w: World) -> None:
    case_id = cases.open_case(w.ctx, w.industry, "Dune leak takedowns").id
    notice_id = notice_row(w, agency_id=w.industry.agency_id, case_id=case_id)
    cases.set_status(w.ctx, w.industry, case_id, "closed")
    assert send_notices(w.ctx, w.industry, [notice_id]).sent == [notice_id]
    deliver_pending(w.ctx, w.industry)
    view = get_notice(w.ctx, w.industry, notice_id)
    assert view.status == "sent" and view.evidence_item_id is None
    said = [c.detail for c in view.changes if c.detail and "not added to case" in c.detail]
    assert len(said) == 1 and f"not added to case {case_id}:" in said[0]


def test_on_postgresql(
    tmp_path: Path, smtp_server: tuple[Collector, int], postgres_database: str
) -> None:
    """Send (a retry, then delivered), a mark, the figures: the same on PostgreSQL."""
    w = world_of(tmp_path, smtp_server, db=postgres_database)
    me = local_operator()
    notice_id = notice_row(w, agency_id=w.industry.agency_id)
    w.smtp.rcpt_reply = "451 4.3.0 Later"
    assert send_notices(w.ctx, w.industry, [notice_id]).queued == [notice_id]
    w.smtp.rcpt_reply = None
    make_due(w)
    assert deliver_pending(w.ctx, w.industry).sent == [notice_id]
    sent = get_notice(w.ctx, me, notice_id)
    assert sent.status == "sent" and sent.sent_at is not None
    sent_at = datetime.fromisoformat(sent.sent_at.replace("Z", "+00:00"))
    mark_notice(w.ctx, me, notice_id, "removed", at=sent_at + timedelta(minutes=3))
    figures = notice_stats(w.ctx, w.industry)
    assert (figures.sent, figures.removed, figures.removed_share) == (1, 1, 1.0)
    # 3 minutes after sending (the shown sent_at is cut to the second)
    assert figures.median_hours == pytest.approx(3 / 60, abs=1 / 3600)


def test_drafted_sent_answered_and_measured(
    tmp_path: Path, smtp_server: tuple[Collector, int]
) -> None:
    """Through the real services end to end: drafted from leaks (DMCA in English, DSA in
    French), sent to the real server as reviewed, answered by a reply, measured."""
    from email.message import EmailMessage

    from leaktrace.notices.model import NoticeForm
    from leaktrace.services.notice_tracking import track_notices
    from leaktrace.services.notices import DraftScope, draft_notices
    from tests.services import notice_world as nw

    handler, port = smtp_server
    smtp = {"host": "127.0.0.1", "port": port, "timeout": 5}
    for ctx in nw.world_ctx(tmp_path / "world", smtp=smtp, replies_dir=str(tmp_path / "in")):
        mpa = nw.industry(ctx)
        dmca = draft_notices(
            ctx, mpa, DraftScope(leak_id=nw.leak_of(ctx, nw.CONTACT_PARENT)), form=NoticeForm.dmca
        )
        dsa = draft_notices(
            ctx,
            mpa,
            DraftScope(leak_id=nw.leak_of(ctx, nw.CONTACT_EXACT)),
            form=NoticeForm.dsa,
            language="fr",
        )
        ids = [dmca.notices[0].id, dsa.notices[0].id]
        assert send_notices(ctx, mpa, ids).sent == ids
        by_to = {m["To"].addresses[0].addr_spec: m for _, _, m in handler.messages}
        for notice_id, to in zip(
            ids, ["abuse@cyberlock.example", "legal@stream.test"], strict=True
        ):
            view = get_notice(ctx, mpa, notice_id)
            msg = by_to[to]
            assert msg["Subject"] == view.subject and msg["Message-ID"] == view.message_id
            assert msg.get_content().replace("\r\n", "\n").strip() == view.body.strip()
        reply = EmailMessage()
        reply["From"] = "legal@stream.test"
        reply["Subject"] = "RE: " + str(by_to["legal@stream.test"]["Subject"])
        reply["In-Reply-To"] = get_notice(ctx, mpa, ids[1]).message_id
        reply.set_content("Bonjour, le contenu signalé a été supprimé de notre service.")
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / "reponse.eml").write_bytes(bytes(reply))
        assert track_notices(ctx, mpa).replies_matched == 1
        assert get_notice(ctx, mpa, ids[1]).status == "removed"
        figures = notice_stats(ctx, mpa)
        assert (figures.sent, figures.removed) == (2, 1)
        assert sorted(f.key for f in figures.by_country) == ["FR", "NL"]


def test_a_notice_sent_meanwhile_is_not_sent_again(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sends of one notice, the second one having read it while it was still drafted
    (a double click, the CLI beside the web): one mail, the second send says why."""
    notice_id = notice_row(w, agency_id=w.industry.agency_id)
    with w.ctx.database.reading() as conn:
        (stale,) = notice_tracking.notices_by_ids(conn, [notice_id], notice_tracking.ALL_AGENCIES)
    assert send_notices(w.ctx, w.industry, [notice_id]).sent == [notice_id]
    monkeypatch.setattr(notice_tracking, "notices_by_ids", lambda *_a, **_k: [stale])
    again = send_notices(w.ctx, w.industry, [notice_id])
    assert (again.sent, again.queued) == ([], [])
    assert [f.id for f in again.failed] == [notice_id]
    assert "meanwhile" in again.failed[0].reason
    assert len(w.smtp.messages) == 1
    assert [c for c in changes_of(w, notice_id) if c == ("sent", "send", False)] == [
        ("sent", "send", False)
    ]


def test_a_notice_changed_after_it_was_read_is_not_queued(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice_id = notice_row(w, agency_id=w.industry.agency_id)
    with w.ctx.database.reading() as conn:
        (stale,) = notice_tracking.notices_by_ids(conn, [notice_id], notice_tracking.ALL_AGENCIES)
    with w.ctx.database.transaction() as conn:  # e.g. its recipient given again
        notices_store.update_notice(
            conn, notice_id, updated_at=stale.updated_at + timedelta(seconds=1)
        )
    monkeypatch.setattr(notice_tracking, "notices_by_ids", lambda *_a, **_k: [stale])
    result = send_notices(w.ctx, w.industry, [notice_id])
    assert [f.id for f in result.failed] == [notice_id] and result.sent == []
    assert w.smtp.messages == []
    assert get_notice(w.ctx, w.industry, notice_id).delivery is None


def test_all_drafted_leaves_a_police_draft_unsent(w: World) -> None:
    """The operator's send --all-drafted sends its own and industry agencies' drafts,
    never a draft of a police (non-industry) agency's user."""
    police = notice_row(w, agency_id=w.police.agency_id, urls=["https://files.example/p"])
    mine = notice_row(w, agency_id=w.industry.agency_id, urls=["https://files.example/i"])
    own = notice_row(w, agency_id=None, urls=["https://files.example/o"])
    result = send_notices(w.ctx, local_operator(), None)
    assert result.sent == [mine, own]
    assert [f.id for f in result.failed] == [police]
    assert "not an industry agency" in result.failed[0].reason
    assert len(w.smtp.messages) == 2
    assert get_notice(w.ctx, local_operator(), police).status == "drafted"


def test_results_name_only_the_actors_notices(w: World) -> None:
    """Settling works on every agency's notices in delivery; an agency's user is told
    only about its own."""
    mine = notice_row(w, agency_id=w.industry.agency_id, urls=["https://files.example/m"])
    theirs = notice_row(w, agency_id=w.other_industry.agency_id, urls=["https://files.example/t"])
    w.smtp.rcpt_reply = "451 4.3.0 Later"
    assert send_notices(w.ctx, w.other_industry, [theirs]).queued == [theirs]
    assert send_notices(w.ctx, w.industry, [mine]).queued == [mine]
    w.smtp.rcpt_reply = None
    make_due(w)
    result = deliver_pending(w.ctx, w.industry)
    assert (result.sent, result.queued, result.failed) == ([mine], [], [])
    assert get_notice(w.ctx, local_operator(), theirs).status == "sent"  # settled all the same
    assert len(w.smtp.messages) == 2


def test_no_new_recipient_while_the_mail_is_on_its_way(w: World) -> None:
    """A notice waiting for a retry keeps the recipient its queued mail goes to."""
    notice_id = notice_row(w, agency_id=w.industry.agency_id)
    w.smtp.rcpt_reply = "451 4.3.0 Later"
    assert send_notices(w.ctx, w.industry, [notice_id]).queued == [notice_id]
    with pytest.raises(ConflictError, match="being sent"):
        set_recipient(w.ctx, w.industry, notice_id, name="Other", email="other@elsewhere.example")
    w.smtp.rcpt_reply = None
    make_due(w)
    assert deliver_pending(w.ctx, w.industry).sent == [notice_id]
    [(_, rcpts, _)] = w.smtp.messages
    assert rcpts == [get_notice(w.ctx, w.industry, notice_id).recipient_email]


def test_the_exported_eml_of_a_sent_notice_is_the_message_sent(w: World, tmp_path: Path) -> None:
    """Queued two hours ago (its Date), delivered now after a retry: the .eml export is
    the queued message, not one rebuilt with the sending time."""
    notice_id = notice_row(w, agency_id=w.industry.agency_id)
    w.smtp.rcpt_reply = "451 4.3.0 Later"
    queued_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    assert send_notices(w.ctx, w.industry, [notice_id], now=queued_at).queued == [notice_id]
    w.smtp.rcpt_reply = None
    make_due(w)
    assert deliver_pending(w.ctx, w.industry).sent == [notice_id]
    [(_, _, received)] = w.smtp.messages
    view = export_notices(w.ctx, w.industry, [notice_id], format="eml", out=tmp_path / "eml")
    exported = email.message_from_bytes(Path(view.files[0]).read_bytes(), policy=policy.default)
    assert exported["Date"] == received["Date"] and exported["Date"].datetime == queued_at
    assert exported["Message-ID"] == received["Message-ID"]
    assert exported.get_content() == received.get_content()  # type: ignore[attr-defined]


def test_a_delivery_another_send_is_making_is_left_to_it(
    w: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sends read the same due delivery; the other one claimed it first (it is
    talking to the mail server): this one leaves it, the notice is not mailed twice."""
    notice_id = notice_row(w, agency_id=w.industry.agency_id)
    w.smtp.rcpt_reply = "451 4.3.0 Later"
    assert send_notices(w.ctx, w.industry, [notice_id]).queued == [notice_id]
    w.smtp.rcpt_reply = None
    make_due(w)
    now = datetime.now(UTC)
    with w.ctx.database.transaction() as conn:
        seen = outbox.due_deliveries(conn, ["notices"], now)  # what both read
        [due] = seen
        assert due.event.payload["notice_id"] == notice_id
        assert outbox.claim_delivery(conn, due.id, now, now + timedelta(minutes=5))
    monkeypatch.setattr(outbox, "due_deliveries", lambda *_a, **_k: seen)
    result = deliver_pending(w.ctx, w.industry)
    assert (result.sent, result.queued) == ([], [notice_id])
    assert w.smtp.messages == []


def test_each_agency_sends_as_its_own_identity(
    tmp_path: Path, smtp_server: tuple[Collector, int]
) -> None:
    """[notices.senders.CODE]: an agency with its own identity sends; one without (and
    no [notices.sender] for everyone) is told which setting is missing."""
    own = {**{k: v for k, v in SENDER.items() if v is not None}, "name": "MPA Desk"}
    w = world_of(tmp_path, smtp_server, sender=False, senders={"US-MPA": own})
    mine = notice_row(w, agency_id=w.industry.agency_id)
    theirs = notice_row(w, agency_id=w.other_industry.agency_id)
    assert send_notices(w.ctx, w.industry, [mine]).sent == [mine]
    with pytest.raises(ConfigError, match=r"\[notices.senders.IT-FAPAV\] or \[notices.sender\]"):
        send_notices(w.ctx, w.other_industry, [theirs])
    assert len(w.smtp.messages) == 1


def test_a_send_delivers_what_it_queued_not_the_backlog(w: World) -> None:
    """A send (a web request) mails its own notices; a notice waiting for a retry is
    left to the retry worker (send --retry, track --watch)."""
    waiting = notice_row(w, agency_id=w.industry.agency_id, urls=["https://files.example/w"])
    w.smtp.rcpt_reply = "451 4.3.0 Later"
    assert send_notices(w.ctx, w.industry, [waiting]).queued == [waiting]
    w.smtp.rcpt_reply = None
    make_due(w)
    fresh = notice_row(w, agency_id=w.industry.agency_id, urls=["https://files.example/f"])
    result = send_notices(w.ctx, w.industry, [fresh])
    assert result.sent == [fresh]
    assert [m["X-LeakTrace-Notice"] for _, _, m in w.smtp.messages] == [f"LT-N-{fresh:06d}"]
    assert get_notice(w.ctx, w.industry, waiting).delivery == "retrying"
    assert deliver_pending(w.ctx, w.industry).sent == [waiting]


def test_a_retry_while_a_send_is_at_the_mail_server_mails_once(w: World) -> None:
    """A send in one thread is at a slow mail server with its notice; a retry round in
    another (track --watch, send --retry) must not mail that notice a second time."""
    notice_id = notice_row(w, agency_id=w.industry.agency_id)
    w.smtp.hold = threading.Event()
    results: list[SendResultView] = []
    sending = threading.Thread(
        target=lambda: results.append(send_notices(w.ctx, w.industry, [notice_id]))
    )
    sending.start()
    try:
        assert w.smtp.arrived.wait(30), "the send never reached the mail server"
        during = deliver_pending(w.ctx, w.industry)
    finally:
        w.smtp.hold.set()
        sending.join(30)
    assert during.sent == [] and not sending.is_alive()
    assert results[0].sent == [notice_id]
    assert len(w.smtp.messages) == 1
