"""A notice as an e-mail message: what is sent, what is kept as evidence (``.eml``).

A notice is a person's legal act, not an automatic message: it carries no
``Auto-Submitted`` header. It comes From the sender of ``[notices.sender]`` (with
Reply-To the same address, where the recipient's answers are to go), To the recipient's
abuse contact, with a stable ``Message-ID`` (the same notice always gets the same one, so
that a reply's ``In-Reply-To`` finds it) and ``X-LeakTrace-Notice: LT-N-000042``.

Header injection is impossible: every outside value loses its control characters
(:func:`~leaktrace.notices.templates.clean_text`), addresses are checked, and the
standard library's ``email`` package refuses any header value with a line break.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from leaktrace.errors import InputError
from leaktrace.notices.model import NoticeDocument
from leaktrace.notices.templates import RenderedNotice, clean_text

__all__ = ["eml_bytes", "notice_message", "notice_message_id"]

_ADDR = re.compile(r"^[^\s@<>()\[\],;:\"\\]{1,64}@[^\s@<>()\[\],;:\"\\]{1,255}$")
_MESSAGE_ID = re.compile(r"^<[!-;=?-~]{1,250}@[!-;=?-~]{1,250}>$")
_DOMAIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$")


def _domain_of(email: str) -> str:
    domain = email.strip().rpartition("@")[2].rstrip(".").lower()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "leaktrace.invalid"
    return domain if _DOMAIN.match(domain) and "." in domain else "leaktrace.invalid"


def notice_message_id(notice_id: int, sender_email: str, *, nonce: str = "") -> str:
    """The Message-ID of notice ``notice_id`` sent from ``sender_email``: always the same
    for the same three (``<LT-N-000042.3f9a1c2b5e7d9f01@sender-domain>``). Sending gives
    a random ``nonce`` (and keeps the Message-ID for every try): a reply that answers it
    then proves it saw the message, since nobody can work the Message-ID out from the
    notice's number and the sender's public address."""
    seed = f"{notice_id}\n{sender_email.strip().lower()}\n{nonce}"
    tag = hashlib.sha256(seed.encode()).hexdigest()[: 16 if nonce else 8]
    return f"<LT-N-{notice_id:06d}.{tag}@{_domain_of(sender_email)}>"


def _address(name: str | None, email: str | None, field: str) -> Address:
    addr = clean_text(email)
    if not addr or not _ADDR.match(addr) or "." not in addr.rpartition("@")[2]:
        raise InputError(f"{addr or 'no address'!r} is not an e-mail address", field=field)
    local, _, domain = addr.rpartition("@")
    if any(char in "\u00df\u03c2\u200c\u200d" for char in domain.lower()):
        raise InputError(
            f"{addr!r}: its domain reads differently under IDNA 2003 and 2008; "
            "give it in its xn-- form",
            field=field,
        )
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise InputError(f"{addr!r} has an invalid domain", field=field) from None
    try:
        return Address(display_name=clean_text(name), username=local, domain=domain)
    except (ValueError, IndexError) as exc:
        raise InputError(f"{addr!r} is not an e-mail address: {exc}", field=field) from None


def notice_message(
    doc: NoticeDocument, rendered: RenderedNotice, *, message_id: str, at: datetime
) -> EmailMessage:
    """The e-mail of a notice: UTF-8 plain text, headers as the module says. A notice
    with no sender or no recipient address cannot become a message (InputError naming
    ``sender`` / ``recipient``)."""
    if doc.sender is None:
        raise InputError("no sender is configured ([notices.sender])", field="sender")
    if not doc.recipient.email:
        raise InputError(
            "the recipient has no e-mail address: add a contact first", field="recipient"
        )
    if not _MESSAGE_ID.match(message_id):
        raise InputError(f"{message_id!r} is not a Message-ID", field="message_id")
    sender = _address(doc.sender.name, doc.sender.email, "sender")
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = _address(doc.recipient.name, doc.recipient.email, "recipient")
    msg["Reply-To"] = sender
    msg["Subject"] = clean_text(rendered.subject)
    msg["Date"] = format_datetime(at if at.tzinfo is not None else at.replace(tzinfo=UTC))
    msg["Message-ID"] = message_id
    msg["X-LeakTrace-Notice"] = clean_text(doc.reference)
    msg.set_content(rendered.body, subtype="plain", charset="utf-8", cte="quoted-printable")
    # after set_content, which clears every Content-* header
    msg["Content-Language"] = clean_text(doc.language) or "en"
    return msg


def eml_bytes(msg: EmailMessage) -> bytes:
    """The message as sent (CRLF line ends), for a ``.eml`` file or the evidence log."""
    return msg.as_bytes(policy=policy.SMTP)
