"""Replies to notices (leaktrace.notices.replies)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.notices import replies
from leaktrace.notices.mail import eml_bytes, notice_message, notice_message_id
from leaktrace.notices.model import NoticeStatus
from leaktrace.notices.replies import Reply, read_reply
from leaktrace.notices.templates import render_notice

from .conftest import LOCATIONS, SENDER, make_doc

MID = notice_message_id(42, SENDER.email)
AT = datetime(2026, 12, 3, 8, 15, tzinfo=UTC)


def _reply(
    text: str,
    *,
    subject: str = "Re: DMCA notice of copyright infringement",
    in_reply_to: str | None = MID,
    html: str | None = None,
    quote: bool = True,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Abuse Desk <abuse@host.example>"
    msg["To"] = SENDER.email
    msg["Subject"] = subject
    msg["Date"] = format_datetime(AT)
    msg["Message-ID"] = "<ticket-991@host.example>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = f"<older@host.example> {in_reply_to}"
    original = render_notice(make_doc()).body
    if quote:  # the notice quoted below the answer, as mail programs do
        text += "\n\nOn Wed, 2 Dec 2026 at 09:30, Jane Roe <jane.roe@antipiracy.example> wrote:\n"
        text += "\n".join("> " + line for line in original.splitlines())
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return bytes(msg)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("Thank you. The content has been removed.", NoticeStatus.removed),
        ("We have taken down the file you reported.", NoticeStatus.removed),
        ("Access to the material has been disabled.", NoticeStatus.removed),
        ("The file was deleted from our servers.", NoticeStatus.removed),
        ("Il contenuto segnalato è stato rimosso.", NoticeStatus.removed),
        ("Abbiamo disabilitato l'accesso ai file indicati.", NoticeStatus.removed),
        ("Le contenu signalé a été supprimé.", NoticeStatus.removed),
        ("Les fichiers ont été retirés de notre service.", NoticeStatus.removed),
        ("Your notice has been rejected: the uploader is licensed.", NoticeStatus.rejected),
        ("We decline to act on this request.", NoticeStatus.rejected),
        ("The user has filed a counter-notice under 512(g).", NoticeStatus.rejected),
        ("We will not remove the content: it is fair use.", NoticeStatus.rejected),
        ("La segnalazione è stata respinta.", NoticeStatus.rejected),
        ("La Sua richiesta è stata rifiutata.", NoticeStatus.rejected),
        ("Votre demande est refusée.", NoticeStatus.rejected),
        ("Nous avons reçu une contre-notification.", NoticeStatus.rejected),
        ("We received your notice; ticket #991 is open.", NoticeStatus.acknowledged),
        ("The content has not been removed yet; we are reviewing it.", NoticeStatus.acknowledged),
        ("It hasn't been removed yet.", NoticeStatus.acknowledged),
        ("We could not find the material; nothing was removed.", NoticeStatus.acknowledged),
        ("No files were removed from our servers.", NoticeStatus.acknowledged),
        ("Non abbiamo trovato il file: niente è stato rimosso.", NoticeStatus.acknowledged),
        ("Nous n'avons rien trouvé : rien n'a été supprimé.", NoticeStatus.acknowledged),
        ("No worries, we removed it this morning.", NoticeStatus.removed),
        ("Il contenuto non è ancora stato rimosso.", NoticeStatus.acknowledged),
        ("Le contenu n'a pas encore été supprimé.", NoticeStatus.acknowledged),
        ("Abbiamo ricevuto la Sua segnalazione.", NoticeStatus.acknowledged),
        ("Nous avons bien reçu votre notification.", NoticeStatus.acknowledged),
        ("The content will be removed within 24 hours.", NoticeStatus.acknowledged),
        ("The files are going to be taken down shortly.", NoticeStatus.acknowledged),
        ("Il contenuto sarà rimosso entro 24 ore.", NoticeStatus.acknowledged),
        ("I file verranno eliminati domani.", NoticeStatus.acknowledged),
        ("Le contenu sera supprimé sous 24 heures.", NoticeStatus.acknowledged),
        ("Ticket 991: the video was removed on 3 December.", NoticeStatus.removed),
        ("Pursuant to the DMCA we removed the file.", NoticeStatus.removed),
        ("In risposta alla Sua segnalazione abbiamo rimosso il file.", NoticeStatus.removed),
    ],
)
def test_outcome_from_words(text: str, outcome: NoticeStatus) -> None:
    reply = read_reply(_reply(text), source="r.eml")
    assert reply.outcome is outcome, text


def test_what_a_reply_says() -> None:
    text = (
        f"Hello, regarding LT-N-000042 we removed {LOCATIONS[0].url}.\n"
        "The other one (HTTPS://FILES.HOST.EXAMPLE:443/d/abc1) was removed too.\n"
        "Our own link http://10.0.0.1/admin is not a location."
    )
    reply = read_reply(_reply(text, subject="Re: [Ticket 991] lt-n-000042"), source="r.eml")
    assert reply == Reply(
        message_ids=(MID, "<older@host.example>"),
        references=("LT-N-000042",),
        outcome=NoticeStatus.removed,
        urls=(LOCATIONS[0].url, LOCATIONS[1].url),
        at=AT,
        subject="Re: [Ticket 991] lt-n-000042",
        sender="abuse@host.example",
    )


def test_quoted_notice_counts_for_references_not_for_outcome_or_urls() -> None:
    reply = read_reply(_reply("Received, thanks.", in_reply_to=None), source="r.eml")
    assert reply.message_ids == ()
    assert reply.references == ("LT-N-000042",)  # from the quoted notice
    assert reply.outcome is NoticeStatus.acknowledged
    assert reply.urls == ()


def test_html_only_reply_and_encoded_subject() -> None:
    msg = EmailMessage()
    msg["Subject"] = "Re: Segnalazione – contenuto rimosso"
    msg["In-Reply-To"] = MID
    msg.set_content(
        "<p>Gentile utente,</p><p>il file <a href='https://files.host.example/d/abc123'>"
        "https://files.host.example/d/abc123</a> &egrave; stato <b>rimosso</b>.</p>"
        "<blockquote>please remove https://files.host.example/d/abc1</blockquote>",
        subtype="html",
    )
    reply = read_reply(bytes(msg), source="r.eml")
    assert reply.subject == "Re: Segnalazione – contenuto rimosso"
    assert reply.outcome is NoticeStatus.removed
    assert reply.urls == ("https://files.host.example/d/abc123",)
    assert reply.at is None


def test_our_own_sent_notice_is_readable() -> None:
    doc = make_doc()
    data = eml_bytes(notice_message(doc, render_notice(doc), message_id=MID, at=AT))
    reply = read_reply(data, source="sent.eml")
    assert reply.references == ("LT-N-000042",)


def test_a_bounce_is_not_a_reply() -> None:
    bounce = (
        b"From: MAILER-DAEMON@host.example\r\nSubject: Undelivered Mail\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nThe message was not delivered.\r\n--b--\r\n"
    )
    with pytest.raises(InputError, match="delivery status") as caught:
        read_reply(bounce, source="bounce.eml")
    assert caught.value.file == "bounce.eml"


@pytest.mark.parametrize("data", [b"", b"   \n", b"\x00\x01\x02 just bytes"])
def test_not_a_message(data: bytes) -> None:
    with pytest.raises(InputError) as caught:
        read_reply(data, source="x.eml")
    assert caught.value.file == "x.eml"


def test_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replies, "MAX_REPLY", 100)
    with pytest.raises(InputError, match="larger"):
        read_reply(_reply("removed"), source="big.eml")


def test_broken_date_and_charset() -> None:
    data = (
        b"From: a@b.example\r\nSubject: =?x-unknown?q?hello?=\r\nDate: yesterday-ish\r\n"
        b"In-Reply-To: <a@b.example>\r\nContent-Type: text/plain; charset=x-nonesuch\r\n\r\n"
        b"removed \xff\xfe\r\n"
    )
    reply = read_reply(data, source="r.eml")
    assert reply.at is None and reply.outcome is NoticeStatus.removed
    assert reply.message_ids == ("<a@b.example>",)


HEADERS = st.sampled_from(
    [b"From: a@b.example\r\n", b"In-Reply-To: <x@y>\r\n", b"Subject: =?utf-8?b?w6k=?=\r\n",
     b"Content-Type: multipart/mixed; boundary=zz\r\n", b"Content-Transfer-Encoding: base64\r\n",
     b"Date: Thu, 31 Feb 2026 25:61:00 +9999\r\n", b"Content-Type: text/html; charset=utf-7\r\n"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(HEADERS, max_size=6), st.binary(max_size=400))
def test_any_message_gives_a_reply_or_input_error(headers: list[bytes], body: bytes) -> None:
    data = b"".join(headers) + b"\r\n" + body
    for read in (replies._read, lambda d, s: read_reply(d, source=s)):
        try:
            reply = read(data, "p.eml")
        except InputError as exc:
            assert exc.file == "p.eml"
            continue
        assert reply.outcome in (
            NoticeStatus.removed,
            NoticeStatus.rejected,
            NoticeStatus.acknowledged,
        )


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_bytes(data: bytes) -> None:
    try:
        replies._read(data, "p.eml")
    except InputError as exc:
        assert exc.file == "p.eml"
