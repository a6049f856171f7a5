"""store.outbox notice events: queued with their one delivery for the notices' mail sink,
never planned for an alert sink nor handed to one, and delivered by the ordinary
dispatcher (retries, dead letters) to a real local SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from leaktrace.alerts.base import AlertEvent, SinkConfig
from leaktrace.alerts.notice_mail import (
    NOTICE_SINK,
    NoticeMailConfig,
    NoticeMailSink,
    notice_payload,
)
from leaktrace.detect.rules import Severity
from leaktrace.store import outbox
from leaktrace.store.database import Database
from leaktrace.store.schema import DEAD_LETTERS
from leaktrace.watch.dispatcher import Dispatcher
from tests.alerts.test_notice_mail import MESSAGE
from tests.smtp_server import Collector, smtp
from tests.watch.conftest import MemorySink

__all__ = ["smtp"]  # the fixture

NOW = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)


def _leak(n: int) -> AlertEvent:
    return AlertEvent(
        key=f"leak-{n}",
        kind="leak",
        created_at=NOW,
        severity=Severity.HIGH,
        window="theatrical",
        work_id="dune-part-three-2026",
        payload={"release": f"Dune.{n}-GRP"},
    )


def _queue_notice(db: Database, notice_id: int) -> int:
    payload = notice_payload(
        notice_id=notice_id,
        reference=f"LT-N-{notice_id:06d}",
        mail_from="notices@studio.example",
        rcpt_to="abuse@host.example",
        message_id="<x@studio.example>",
        data=MESSAGE,
    )
    with db.transaction() as conn:
        return outbox.enqueue_notice_event(
            conn, notice_id=notice_id, payload=payload, created_at=NOW
        )


def test_an_alert_sink_never_receives_a_notice(db: Database, smtp: tuple[Collector, int]) -> None:
    handler, port = smtp
    soc_config = SinkConfig(name="soc", kind="memory", backfill=True)
    soc = MemorySink("soc")
    # the alert sink sees the whole outbox from its start: a notice in it must not reach it
    with db.transaction() as conn:
        outbox.enqueue_events(conn, [_leak(1)], [None])
    _queue_notice(db, 7)
    with db.transaction() as conn:
        outbox.enqueue_events(conn, [_leak(2)], [None])
    notices = NoticeMailSink(NoticeMailConfig(host="127.0.0.1", port=port, timeout=5))
    dispatcher = Dispatcher(db, [(soc_config, soc)])
    dispatcher.register()
    assert dispatcher.plan() == 2  # the two leaks only
    dispatcher.deliver_all_due()
    assert [e.key for e in soc.events] == ["leak-1", "leak-2"]
    assert handler.messages == []
    # a delivery row of the alert sink pointing at a notice event is still not handed to it
    with db.transaction() as conn:
        notice_event = outbox.notice_deliveries(conn, [7])[7].event_id
        conn.execute(
            outbox.DELIVERIES.insert().values(
                event_id=notice_event, sink="soc", status="pending", attempts=0, next_attempt_at=NOW
            )
        )
        assert outbox.due_deliveries(conn, ["soc"], datetime.now(UTC)) == []
        [due] = outbox.due_deliveries(conn, [NOTICE_SINK], datetime.now(UTC))
    assert due.event.kind == "notice" and due.event.payload["notice_id"] == 7
    # the notices' dispatcher delivers the notice, and nothing else
    Dispatcher(db, [(notices.config, notices)]).deliver_all_due()
    assert [m["Message-ID"] for _, _, m in handler.messages] == ["<lt-n-000007@studio.example>"]
    assert len(soc.events) == 2
    with db.reading() as conn:
        state = outbox.notice_deliveries(conn, [7])[7]
    assert (state.status, state.attempts, state.last_error) == ("delivered", 1, None)
    assert state.delivered_at is not None


def test_retry_then_dead_letter(db: Database, smtp: tuple[Collector, int]) -> None:
    handler, port = smtp
    config = NoticeMailConfig(host="127.0.0.1", port=port, timeout=5, max_attempts=2)
    sink = NoticeMailSink(config)
    _queue_notice(db, 3)
    handler.rcpt_reply = "451 4.3.0 Try again later"
    dispatcher = Dispatcher(db, [(config, sink)], retry_base=0.001, retry_cap=0.001)
    dispatcher.deliver_due()
    with db.reading() as conn:
        state = outbox.notice_deliveries(conn, [3])[3]
    assert (state.status, state.attempts) == ("pending", 1)
    assert state.last_error is not None and "451" in state.last_error
    # queued again: the second event of the same notice (key notice:3:2) is its latest
    handler.rcpt_reply = "550 5.1.1 No such user"
    deadline = datetime.now(UTC).timestamp() + 10
    while datetime.now(UTC).timestamp() < deadline:
        dispatcher.deliver_due()
        with db.reading() as conn:
            if outbox.notice_deliveries(conn, [3])[3].status == "dead":
                break
    with db.reading() as conn:
        state = outbox.notice_deliveries(conn, [3])[3]
        dead = conn.execute(select(DEAD_LETTERS.c.sink, DEAD_LETTERS.c.attempts)).all()
    assert state.status == "dead" and state.last_error is not None and "550" in state.last_error
    assert [tuple(d) for d in dead] == [(NOTICE_SINK, 2)]
    assert handler.messages == []
    second = _queue_notice(db, 3)
    handler.rcpt_reply = None
    dispatcher.deliver_due()
    with db.reading() as conn:
        state = outbox.notice_deliveries(conn, [3])[3]
    assert (state.event_id, state.status) == (second, "delivered")
    assert len(handler.messages) == 1


def test_a_due_delivery_is_claimed_once(db: Database) -> None:
    """Two senders see the same due delivery: one claims it (for a lease), the other
    does not; after the lease it is due again (the first one died)."""
    _queue_notice(db, 5)
    now = datetime.now(UTC)
    with db.transaction() as conn:
        [due] = outbox.due_deliveries(conn, [NOTICE_SINK], now)
        assert outbox.claim_delivery(conn, due.id, now, now + timedelta(minutes=5))
        assert not outbox.claim_delivery(conn, due.id, now, now + timedelta(minutes=5))
        assert outbox.due_deliveries(conn, [NOTICE_SINK], now) == []
        later = now + timedelta(minutes=6)
        assert [d.id for d in outbox.due_deliveries(conn, [NOTICE_SINK], later)] == [due.id]
        assert outbox.claim_delivery(conn, due.id, later, later + timedelta(minutes=5))
