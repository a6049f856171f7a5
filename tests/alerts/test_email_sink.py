"""The email sink against a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import SecretStr, ValidationError

from leaktrace.alerts.base import AlertEvent, DeliveryError, Sink
from leaktrace.alerts.email import PLUGIN, EmailConfig, EmailSink, subject_for
from leaktrace.detect.rules import Severity
from leaktrace.errors import ConfigError
from tests.smtp_server import Collector, smtp

from .conftest import free_port, make_event

__all__ = ["smtp"]  # the fixture

PASSWORD = "smtp-Pa55w0rd-zz"


def _sink(port: int, **options: Any) -> EmailSink:
    config: dict[str, Any] = {
        "name": "mail",
        "host": "127.0.0.1",
        "port": port,
        "sender": "LeakTrace <alerts@leaktrace.example>",
        "recipients": ["soc@studio.example", "Anti Piracy <ap@studio.example>"],
        "timeout": 5,
    }
    config.update(options)
    return EmailSink(EmailConfig.model_validate(config))


def _fail(sink: EmailSink, event: AlertEvent) -> DeliveryError:
    with pytest.raises(DeliveryError) as info:
        sink.deliver(event)
    assert info.value.sink == "mail"
    return info.value


def test_leak_mail(smtp: tuple[Collector, int], event: AlertEvent) -> None:
    handler, port = smtp
    with _sink(port) as sink:
        sink.deliver(event)
    [(mail_from, rcpts, msg)] = handler.messages
    assert mail_from == "alerts@leaktrace.example"
    assert rcpts == ["soc@studio.example", "ap@studio.example"]
    assert msg["Subject"] == (
        "[LeakTrace] HIGH leak: "
        "Dune.Part.Three.2026.1080p.WEB-DL.DDP5.1.H.264-LEAKERS "
        "(digital, 12 days early)"
    )
    assert "soc@studio.example" in msg["To"] and "ap@studio.example" in msg["To"]
    assert msg["X-LeakTrace-Delivery"] == event.key
    assert msg["Auto-Submitted"] == "auto-generated"
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "LeakTrace flagged a high pre-release leak." in text
    assert "A streaming copy 12 days before the digital release" in text
    assert "release: Dune.Part.Three.2026.1080p.WEB-DL.DDP5.1.H.264-LEAKERS" in text
    assert "work: Dune: Part Three (2026)" in text
    assert "lead_days: 12.0" in text
    assert "window_date: 2026-03-10" in text
    assert f"dedupe key: {event.key}" in text
    [attachment] = list(msg.iter_attachments())
    assert attachment.get_content_type() == "application/json"
    assert attachment.get_filename() == "leaktrace-event.json"
    assert json.loads(attachment.get_content()) == event.as_json()


def test_message_id_is_stable(smtp: tuple[Collector, int], event: AlertEvent) -> None:
    handler, port = smtp
    with _sink(port) as sink:
        sink.deliver(event)
        sink.deliver(event)
        sink.deliver(make_event(key="leak:another"))
    ids = [str(msg["Message-ID"]).strip() for _, _, msg in handler.messages]
    assert ids[0] == ids[1] != ids[2]
    assert ids[0].startswith("<") and ids[0].endswith(".leaktrace@leaktrace.example>")


def test_nuke_mail(smtp: tuple[Collector, int]) -> None:
    handler, port = smtp
    with _sink(port) as sink:
        sink.deliver(make_event("nuke", key="nuke:dune:1"))
    [(_, _, msg)] = handler.messages
    assert msg["Subject"] == (
        "[LeakTrace] nuked: "
        "Dune.Part.Three.2026.1080p.WEB-DL.DDP5.1.H.264-LEAKERS "
        "(stolen.from.p2p)"
    )
    assert msg["X-LeakTrace-Event"] == "nuke"
    body = msg.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "was nuked on LocalNet: stolen.from.p2p." in text
    assert "nuke reason: stolen.from.p2p" in text


def test_subject_is_one_line() -> None:
    event = make_event(
        payload={
            "release": "Evil\r\nBcc: victim@example.com",
            "lead_days": 1,
            "window": "physical",
        },
        severity=Severity.CRITICAL,
    )
    assert subject_for(event) == (
        "[LeakTrace] CRITICAL leak: Evil Bcc: victim@example.com (physical, 1 day early)"
    )


def test_rejected_recipient_550_is_permanent(
    smtp: tuple[Collector, int], event: AlertEvent
) -> None:
    handler, port = smtp
    handler.rcpt_reply = "550 5.1.1 No such user"
    with _sink(port) as sink:
        error = _fail(sink, event)
    assert not error.transient
    assert "550" in str(error) and "soc@studio.example" in str(error)
    assert handler.messages == []


def test_rejected_recipient_451_is_transient(
    smtp: tuple[Collector, int], event: AlertEvent
) -> None:
    handler, port = smtp
    handler.rcpt_reply = "451 4.3.0 Try again later"
    with _sink(port) as sink:
        error = _fail(sink, event)
        assert error.transient
        assert "451" in str(error)
        handler.rcpt_reply = None
        sink.deliver(event)
    [(_, rcpts, _)] = handler.messages
    assert rcpts == ["soc@studio.example", "ap@studio.example"]


def test_partial_deferral_retries_only_deferred(
    smtp: tuple[Collector, int], event: AlertEvent
) -> None:
    handler, port = smtp
    handler.rcpt_replies["ap@studio.example"] = "452 4.2.2 Mailbox full"
    with _sink(port) as sink:
        error = _fail(sink, event)
        assert error.transient
        assert "ap@studio.example" in str(error) and "sent to 1 other" in str(error)
        handler.rcpt_replies.clear()
        sink.deliver(event)
    assert [rcpts for _, rcpts, _ in handler.messages] == [
        ["soc@studio.example"],
        ["ap@studio.example"],
    ]


def test_connection_refused_is_transient(event: AlertEvent) -> None:
    with _sink(free_port()) as sink:
        error = _fail(sink, event)
    assert error.transient
    assert "127.0.0.1" in str(error)


def test_password_never_shown(
    smtp: tuple[Collector, int], event: AlertEvent, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, port = smtp
    # aiosmtpd offers no AUTH on a plain connection, so the login fails: permanently.
    sink = _sink(port, username="bot", password=PASSWORD)
    assert PASSWORD not in repr(sink) and PASSWORD not in repr(sink.config)
    error = _fail(sink, event)
    assert not error.transient
    assert PASSWORD not in str(error)
    with pytest.raises(ValidationError) as info:
        EmailConfig(
            name="mail",
            host="h",
            sender="a@b.example",
            recipients=["c@d.example"],
            password=SecretStr(PASSWORD),
        )  # a password needs a username
    assert PASSWORD not in str(info.value)
    monkeypatch.delenv("LEAKTRACE_TEST_SMTP_PASSWORD", raising=False)
    config = EmailConfig(
        name="mail",
        host="h",
        sender="a@b.example",
        recipients=["c@d.example"],
        username="bot",
        password_env="LEAKTRACE_TEST_SMTP_PASSWORD",
    )
    with pytest.raises(ConfigError, match="LEAKTRACE_TEST_SMTP_PASSWORD is not set"):
        EmailSink(config)


@pytest.mark.parametrize(
    "options",
    [
        {"recipients": []},
        {"recipients": ["not-an-address"]},
        {"recipients": ["a@b.example", "two words@b.example"]},
        {"sender": "nobody"},
        {"sender": "a@b.example\r\nBcc: x@y.example"},
        {"ssl": True, "starttls": True},
        {"username": "bot"},
        {"port": 0},
    ],
)
def test_config_validation(options: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "name": "mail",
        "host": "smtp.example",
        "sender": "a@b.example",
        "recipients": ["c@d.example"],
    }
    with pytest.raises(ValidationError):
        EmailConfig.model_validate({**base, **options})


def test_plugin(smtp: tuple[Collector, int], event: AlertEvent) -> None:
    handler, port = smtp
    assert PLUGIN.kind == "email"
    config = PLUGIN.config_model.model_validate(
        {
            "name": "mail",
            "kind": "email",
            "host": "127.0.0.1",
            "port": port,
            "sender": "alerts@leaktrace.example",
            "recipients": ["soc@studio.example"],
        }
    )
    sink = PLUGIN.create(config)
    assert isinstance(sink, Sink)
    sink.deliver(event)
    sink.close()
    assert len(handler.messages) == 1
