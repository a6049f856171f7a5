"""A notice as an e-mail (leaktrace.notices.mail)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.notices.mail import eml_bytes, notice_message, notice_message_id
from leaktrace.notices.model import NoticeForm, Recipient
from leaktrace.notices.templates import render_notice

from .conftest import SENDER, make_doc

AT = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


def _read(data: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_message_id_is_stable_and_per_notice() -> None:
    first = notice_message_id(42, "jane.roe@antipiracy.example")
    assert first == notice_message_id(42, "Jane.Roe@antipiracy.example ")
    assert first.startswith("<LT-N-000042.") and first.endswith("@antipiracy.example>")
    assert first != notice_message_id(43, "jane.roe@antipiracy.example")
    assert notice_message_id(42, "x@bücher.example").endswith("@xn--bcher-kva.example>")
    assert notice_message_id(1, "not an address").endswith("@leaktrace.invalid>")
    salted = notice_message_id(42, "jane.roe@antipiracy.example", nonce="a1")
    assert salted != first and salted != notice_message_id(
        42, "jane.roe@antipiracy.example", nonce="a2"
    )
    assert salted == notice_message_id(42, "jane.roe@antipiracy.example", nonce="a1")


@pytest.mark.parametrize("form", list(NoticeForm))
@pytest.mark.parametrize("language", ["en", "it", "fr"])
def test_the_message_round_trips(form: NoticeForm, language: str) -> None:
    doc = make_doc(form, language)
    rendered = render_notice(doc)
    mid = notice_message_id(42, SENDER.email)
    data = eml_bytes(notice_message(doc, rendered, message_id=mid, at=AT))
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    msg = _read(data)
    assert msg["From"] == "Jane Roe <jane.roe@antipiracy.example>"
    assert msg["Reply-To"] == "Jane Roe <jane.roe@antipiracy.example>"
    assert msg["To"] == "Host Example Abuse <abuse@host.example>"
    assert msg["Subject"] == rendered.subject
    assert msg["Message-ID"] == mid
    assert msg["X-LeakTrace-Notice"] == "LT-N-000042"
    assert msg["Date"] == "Wed, 02 Dec 2026 09:30:00 +0000"
    assert msg["Content-Language"] == language
    assert msg["Auto-Submitted"] is None  # a person's legal act, not an automatic message
    assert msg.get_content_type() == "text/plain"
    assert msg.get_content_charset() == "utf-8"
    assert msg.get_content().replace("\r\n", "\n") == rendered.body
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))


def test_header_injection_is_impossible() -> None:
    doc = make_doc(
        sender=replace(SENDER, name="Jane\r\nBcc: all@victims.example"),
        recipient=Recipient("Abuse\nX-Evil: 1", "abuse@host.example"),
    )
    rendered = replace(render_notice(doc), subject="Hello\r\nBcc: more@victims.example")
    data = eml_bytes(notice_message(doc, rendered, message_id="<a@b.example>", at=AT))
    msg = _read(data)
    assert msg["Bcc"] is None and msg["X-Evil"] is None
    assert "Bcc" in msg["Subject"] and "\n" not in msg["Subject"]
    headers = data.split(b"\r\n\r\n", 1)[0]
    assert not any(line.startswith((b"Bcc", b"X-Evil")) for line in headers.split(b"\r\n"))


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sender": None}, "sender"),
        ({"recipient": Recipient("Nobody", None)}, "recipient"),
        ({"recipient": Recipient("Bad", "abuse@host.example\r\nBcc: x@y.example")}, "recipient"),
        ({"recipient": Recipient("Bad", "two@a.example, three@b.example")}, "recipient"),
        ({"recipient": Recipient("Bad", "no-at-sign")}, "recipient"),
        ({"recipient": Recipient("Bad", "abuse@straße.example")}, "recipient"),
        ({"sender": replace(SENDER, email="jane@")}, "sender"),
    ],
)
def test_no_message_without_both_addresses(changes: dict[str, Any], field: str) -> None:
    doc = make_doc(**changes)
    with pytest.raises(InputError) as caught:
        notice_message(doc, render_notice(make_doc()), message_id="<a@b.example>", at=AT)
    assert caught.value.field == field


def test_bad_message_id_and_naive_time() -> None:
    doc = make_doc()
    with pytest.raises(InputError) as caught:
        notice_message(doc, render_notice(doc), message_id="<a@b>\r\nBcc: x", at=AT)
    assert caught.value.field == "message_id"
    msg = notice_message(
        doc, render_notice(doc), message_id="<a@b.example>", at=AT.replace(tzinfo=None)
    )
    assert msg["Date"].endswith("+0000")


def test_unicode_names_are_encoded() -> None:
    doc = make_doc(
        sender=replace(SENDER, name="Chloé Dubois-Müller"),
        recipient=Recipient("Hébergeur « Abus »", "abus@hébergeur.example"),
    )
    data = eml_bytes(notice_message(doc, render_notice(doc), message_id="<a@b.example>", at=AT))
    assert data.isascii()
    msg = _read(data)
    assert msg["From"].addresses[0].display_name == "Chloé Dubois-Müller"
    assert msg["To"].addresses[0].domain == "xn--hbergeur-b1a.example"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=60), st.text(max_size=60))
def test_any_names_give_a_clean_message_or_input_error(name: str, subject: str) -> None:
    doc = make_doc(
        sender=replace(SENDER, name=name or "x"), recipient=Recipient(name, "abuse@host.example")
    )
    rendered = replace(render_notice(make_doc()), subject=subject or "s")
    data = eml_bytes(notice_message(doc, rendered, message_id="<a@b.example>", at=AT))
    msg = _read(data)
    assert msg["Bcc"] is None
    assert len(msg.keys()) == 11
