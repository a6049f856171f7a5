"""The demo's mail drop against Python's own SMTP client."""

from __future__ import annotations

import smtplib
import stat
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from leaktrace.demo.maildrop import MailDrop


def _message(body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "sender@studio.example"
    msg["To"] = "abuse@site.example"
    msg["Subject"] = "Notice LT-N-000001"
    msg.set_content(body)
    return msg


def test_it_keeps_each_message_as_sent(tmp_path: Path) -> None:
    body = "line one\n.a line that starts with a dot\n.\nend\n"
    with MailDrop(tmp_path / "mail") as drop, smtplib.SMTP("127.0.0.1", drop.port) as smtp:
        refused = smtp.send_message(_message(body))
        smtp.send_message(_message("second"))
        assert refused == {}
        files = drop.messages()
    assert [f.name for f in files] == ["0001.eml", "0002.eml"]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    kept = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert isinstance(kept, EmailMessage)
    assert kept["Subject"] == "Notice LT-N-000001"
    content = kept.get_content()
    assert content.replace("\r\n", "\n") == body  # dots unstuffed, nothing lost


def test_it_refuses_data_before_a_recipient(tmp_path: Path) -> None:
    with MailDrop(tmp_path / "mail") as drop, smtplib.SMTP("127.0.0.1", drop.port) as smtp:
        smtp.ehlo()
        assert smtp.docmd("DATA")[0] == 503
        assert smtp.docmd("MAIL FROM:<a@b.example>")[0] == 250
        assert smtp.docmd("DATA")[0] == 503
        assert smtp.docmd("VRFY x")[0] == 502
    assert drop.messages() == []


def test_a_closed_drop_takes_no_mail(tmp_path: Path) -> None:
    drop = MailDrop(tmp_path / "mail")
    port = drop.port
    drop.close()
    with pytest.raises(OSError):
        smtplib.SMTP("127.0.0.1", port, timeout=2)
