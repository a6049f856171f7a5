"""The notices' mail sink against a real local SMTP server (aiosmtpd): it sends the
queued bytes unchanged to the one recipient; 4xx is retried, 5xx is not; it refuses
anything but a notice event."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from leaktrace.alerts.base import AlertEvent, DeliveryError, Sink
from leaktrace.alerts.email import EmailConfig
from leaktrace.alerts.notice_mail import (
    NOTICE_SINK,
    NoticeMailConfig,
    NoticeMailSink,
    config_from_email_sink,
    notice_mail,
    notice_payload,
)
from leaktrace.detect.rules import Severity
from leaktrace.errors import ConfigError
from tests.smtp_server import Collector, smtp

from .conftest import free_port, make_event

__all__ = ["smtp"]  # the fixture

MESSAGE = (
    b"From: Jane Roe <notices@studio.example>\r\n"
    b"To: Abuse <abuse@host.example>\r\n"
    b"Subject: DMCA notice LT-N-000007\r\n"
    b"Message-ID: <lt-n-000007@studio.example>\r\n"
    b"X-LeakTrace-Notice: LT-N-000007\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Infringing material: https://files.example/dune.mkv \xe2\x80\x94 please remove.\r\n"
)


def notice_event(data: bytes = MESSAGE, **payload: Any) -> AlertEvent:
    body = notice_payload(
        notice_id=7,
        reference="LT-N-000007",
        mail_from="notices@studio.example",
        rcpt_to="abuse@host.example",
        message_id="<lt-n-000007@studio.example>",
        data=data,
    )
    body.update(payload)
    return AlertEvent(
        key="notice:7:1",
        kind="notice",
        created_at=datetime(2026, 12, 6, 8, 0, tzinfo=UTC),
        severity=Severity.LOW,
        window="-",
        work_id="",
        payload=body,
    )


def _sink(port: int, **options: Any) -> NoticeMailSink:
    return NoticeMailSink(NoticeMailConfig(host="127.0.0.1", port=port, timeout=5, **options))


def test_sends_the_queued_bytes_to_the_one_recipient(smtp: tuple[Collector, int]) -> None:
    handler, port = smtp
    sink = _sink(port)
    assert isinstance(sink, Sink) and sink.name == NOTICE_SINK
    sink.deliver(notice_event())
    [(mail_from, rcpts, msg)] = handler.messages
    assert (mail_from, rcpts) == ("notices@studio.example", ["abuse@host.example"])
    assert isinstance(msg, EmailMessage)
    assert msg["Message-ID"] == "<lt-n-000007@studio.example>"
    assert msg["X-LeakTrace-Notice"] == "LT-N-000007"
    assert msg["Subject"] == "DMCA notice LT-N-000007"
    assert "https://files.example/dune.mkv — please remove." in msg.get_content()


def test_4xx_is_transient_and_5xx_permanent(smtp: tuple[Collector, int]) -> None:
    handler, port = smtp
    sink = _sink(port)
    handler.rcpt_reply = "451 4.3.0 Try again later"
    with pytest.raises(DeliveryError) as info:
        sink.deliver(notice_event())
    assert info.value.transient and "451" in str(info.value) and info.value.sink == NOTICE_SINK
    handler.rcpt_reply = "550 5.1.1 No such user"
    with pytest.raises(DeliveryError) as info:
        sink.deliver(notice_event())
    assert not info.value.transient and "550" in str(info.value)
    assert "abuse@host.example" in str(info.value)
    handler.rcpt_reply = None
    sink.deliver(notice_event())
    assert len(handler.messages) == 1


def test_unreachable_server_is_transient() -> None:
    with pytest.raises(DeliveryError) as info:
        _sink(free_port()).deliver(notice_event())
    assert info.value.transient and "127.0.0.1" in str(info.value)


def test_refuses_alert_events_and_broken_payloads(smtp: tuple[Collector, int]) -> None:
    handler, port = smtp
    sink = _sink(port)
    for event in (
        make_event(),
        notice_event(rcpt_to="abuse@host.example\r\nBcc: x@y.example"),
        notice_event(eml="not base64!"),
        notice_event(data=b""),
    ):
        with pytest.raises(DeliveryError) as info:
            sink.deliver(event)
        assert not info.value.transient
    assert handler.messages == []
    with pytest.raises(ValueError, match="not a notice event"):
        notice_mail({"notice_id": 1})


def test_password_from_the_environment_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LT_TEST_NOTICE_PW", raising=False)
    config = NoticeMailConfig(
        host="h", starttls=True, username="bot", password_env="LT_TEST_NOTICE_PW"
    )
    with pytest.raises(ConfigError, match="LT_TEST_NOTICE_PW is not set"):
        NoticeMailSink(config)
    with pytest.raises(ValidationError):
        NoticeMailConfig(host="h", username="bot")
    with pytest.raises(ValidationError):
        NoticeMailConfig(host="h", ssl=True, starttls=True)
    inline = EmailConfig(
        name="mail",
        host="h",
        sender="a@b.example",
        recipients=["c@d.example"],
        username="bot",
        password="inline-secret",  # type: ignore[arg-type]
    )
    with pytest.raises(ConfigError, match="inline password") as info:
        config_from_email_sink(inline, max_attempts=3)
    assert "inline-secret" not in str(info.value)
    env = inline.model_copy(
        update={"password": None, "password_env": "LT_TEST_NOTICE_PW", "starttls": True}
    )
    taken = config_from_email_sink(env, max_attempts=3)
    assert (taken.host, taken.username, taken.password_env, taken.max_attempts) == (
        "h",
        "bot",
        "LT_TEST_NOTICE_PW",
        3,
    )


def test_no_login_in_clear_text_to_another_machine() -> None:
    """A notice carries the sender's address and phone, a login its password: with a
    username, the connection to a remote server must be encrypted."""
    login = {"username": "bot", "password_env": "LT_TEST_NOTICE_PW"}
    with pytest.raises(ValidationError, match="starttls"):
        NoticeMailConfig(host="smtp.example", **login)
    for host in ("127.0.0.1", "::1", "localhost"):
        assert NoticeMailConfig(host=host, **login).username == "bot"
    assert NoticeMailConfig(host="smtp.example", ssl=True, **login).ssl
    assert NoticeMailConfig(host="smtp.example").username is None  # no login: allowed
    sink = EmailConfig(
        name="mail",
        host="smtp.example",
        sender="a@b.example",
        recipients=["c@d.example"],
        username="bot",
        password_env="LT_TEST_NOTICE_PW",
    )
    with pytest.raises(ConfigError, match="notices.email_sink \\('mail'\\).*starttls"):
        config_from_email_sink(sink, max_attempts=3)


_VALUES = st.one_of(
    st.none(), st.integers(), st.text(max_size=40), st.binary(max_size=40).map(bytes.hex)
)


@given(
    st.dictionaries(
        st.sampled_from(["notice_id", "reference", "mail_from", "rcpt_to", "eml", "x"]),
        _VALUES,
    )
)
@settings(max_examples=200, deadline=None)
def test_any_payload_is_a_mail_or_a_value_error(payload: dict[str, Any]) -> None:
    """The outbox payload is read back from the database: whatever it holds, reading it
    gives a mail or ValueError, never anything else."""
    try:
        mail = notice_mail(payload)
    except ValueError:
        return
    assert mail.data and "\n" not in mail.rcpt_to + mail.mail_from
