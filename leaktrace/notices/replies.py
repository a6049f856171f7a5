"""Replies to notices, dropped as ``.eml`` files in a watched folder: which notice they
answer and what the recipient did.

:func:`read_reply` finds

* the Message-IDs the reply answers (``In-Reply-To``, then ``References``), which match
  the ``Message-ID`` a notice was sent with;
* the notice references (``LT-N-000042``) named in the headers, the subject or the
  reply's own text, else those of the text it quotes (a quoted follow-up also names the
  notice it repeats), for recipients whose ticket systems drop the message ids;
* the outcome, from words in English, Italian and French in the reply's own text (quoted
  lines, ``>`` ..., and everything after a reply separator such as ``-----Original
  Message-----``, ``On ... wrote:``, ``Il giorno ... ha scritto:``, ``Le ... a écrit :``
  are left out, since they quote the notice itself): a refusal (*rejected*, *declined*,
  *counter-notice*, *rifiutata*, *respinta*, *contronotifica*, *refusée*, *rejetée*,
  *contre-notification* ...) → ``rejected``; else a removal (*removed*, *taken down*,
  *disabled*, *deleted*, *rimosso*, *eliminato*, *disabilitato*, *supprimé*, *retiré*,
  *désactivé* ..., but not when negated: *not removed*, *non è stato rimosso*, *pas été
  supprimé*, nor when only promised: *will be removed*, *sarà rimosso*, *sera supprimé*)
  → ``removed``; else ``acknowledged``;
* the URLs the reply's own text mentions (normalised as
  :func:`~leaktrace.notices.locations.parse_location` does; the caller applies the
  outcome to those locations, or to all of the notice's when there are none);
* the time it was written (``Date``), its subject and its sender (``From``: the caller
  applies a reply only when it comes from the notice's recipient).

A delivery status notification (a bounce) is not a reply: it is refused. Any bytes give a
:class:`Reply` or an :class:`~leaktrace.errors.InputError` naming ``source``, nothing else.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from leaktrace.errors import InputError
from leaktrace.notices.locations import ParsedLocation, parse_location
from leaktrace.notices.model import NoticeStatus, reference_of

__all__ = ["MAX_REPLY", "Reply", "read_reply"]

MAX_REPLY = 25 * 1024 * 1024
"""The largest reply file read (bytes)."""
_MAX_TEXT = 1024 * 1024

_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
_REFERENCE = re.compile(r"(?<![A-Za-z0-9])LT-N-(\d{6,12})(?![0-9])", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^\s*(?:-{2,}\s*(?:original message|messaggio originale|message d'origine|"
    r"message original|forwarded message|messaggio inoltrato|message transféré)\s*-{2,}"
    r"|on\b.{0,200}\bwrote:|il giorno\b.{0,200}\bha scritto:|le\b.{0,200}\ba écrit\s?:"
    r"|(?:from|da|de)\s?:\s.*@.*$)",
    re.IGNORECASE | re.MULTILINE,
)
_NEGATION = (
    r"(?:\bnot|\bnever|\bnon|\bpas|n't|\bnicht|\bnothing|\bnone|\bniente|\bnulla|\brien"
    r"|\bno\s+(?:files?|content|material|links?|urls?|pages?))\s+(?:[\w']+\s+){0,3}"
)
_REMOVED = re.compile(
    r"\b(?:removed|taken\s+down|took\s+down|disabled|deleted|no\s+longer\s+(?:available|accessible)"
    r"|rimoss[oaie]|eliminat[oaie]|disabilitat[oaie]|cancellat[oaie]"
    r"|non\s+(?:è|e'|sono)\s+più\s+(?:disponibil|accessibil)\w*"
    r"|supprimée?s?|retirée?s?|désactivée?s?|n'est\s+plus\s+(?:disponible|accessible)"
    r"|ne\s+sont\s+plus\s+(?:disponibles|accessibles))",
    re.IGNORECASE,
)
_REMOVED_WORDS = (
    r"(?:removed|taken\s+down|disabled|deleted|rimoss[oaie]|eliminat[oaie]"
    r"|disabilitat[oaie]|cancellat[oaie]|supprimée?s?|retirée?s?|désactivée?s?)"
)
_NEGATED_REMOVED = re.compile(_NEGATION + _REMOVED_WORDS, re.IGNORECASE)
_PENDING_REMOVED = re.compile(
    r"\b(?:(?:will|shall|sarà|saranno|verrà|verranno|sera|seront)\s+(?:\w+\s+){0,3}|be\s+)"
    + _REMOVED_WORDS,
    re.IGNORECASE,
)
"""A removal promised, not done: "will be removed", "sarà rimosso", "sera supprimé"."""
_REJECTED = re.compile(
    r"\b(?:reject(?:ed|s)?|declin(?:ed|e|es)|counter[-\s]?notice|counter[-\s]?notification"
    r"|refus(?:e|ed|es)\s+(?:to|your)|(?:will|can|could)\s*not\s+(?:remove|take\s+down|act)"
    r"|(?:won't|cannot|can't)\s+(?:remove|take\s+down|act)|unable\s+to\s+(?:remove|act)"
    r"|not\s+(?:infringing|unlawful|illegal)|fair\s+use"
    r"|rifiutat[oaie]|respint[oaie]|contro[-\s]?notifica|non\s+(?:possiamo|procederemo|intendiamo)"
    r"|refusée?s?|rejetée?s?|contre[-\s]notification|ne\s+(?:pouvons|pourrons|donnerons)\s+pas)",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<(?:script|style|blockquote)\b.*?</(?:script|style|blockquote)\s*>|<[^>]*>",
                   re.IGNORECASE | re.DOTALL)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reply:
    """What a reply to a notice says."""

    message_ids: tuple[str, ...]
    """The Message-IDs it answers (``In-Reply-To`` first, then ``References``)."""
    references: tuple[str, ...]
    """The notice references it names (``LT-N-000042``)."""
    outcome: NoticeStatus
    """``removed``, ``rejected`` or ``acknowledged``."""
    urls: tuple[str, ...]
    """The URLs its own text mentions, normalised."""
    at: datetime | None
    subject: str
    sender: str | None = None
    """The address in ``From`` (lower case), None when there is not exactly one: the
    caller applies a reply only when it comes from the notice's recipient."""


def _sender(msg: Message) -> str | None:
    found = getaddresses([_header(msg, "From")])
    addresses = [a.strip().lower() for _, a in found if "@" in a]
    if len(addresses) != 1:
        return None
    local, _, domain = addresses[0].rpartition("@")
    return f"{local}@{domain.rstrip('.')}" if local and domain else None


def _references(texts: tuple[str, ...]) -> list[str]:
    refs: list[str] = []
    for text in texts:
        for match in _REFERENCE.finditer(text):
            number = int(match.group(1))
            if number > 0:
                refs.append(reference_of(number))
    return refs


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _header(msg: Message, name: str) -> str:
    values = msg.get_all(name) or []
    texts: list[str] = []
    for value in values:
        raw = str(value)
        try:
            texts.append(str(make_header(decode_header(raw))))
        except (ValueError, LookupError, UnicodeError, TypeError, AssertionError):
            texts.append(raw)
    return " ".join(" ".join(t.split()) for t in texts)


def _date(msg: Message) -> datetime | None:
    raw = msg.get("Date")
    if raw is None:
        return None
    try:
        moment = parsedate_to_datetime(str(raw))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _part_text(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, LookupError, UnicodeError, AssertionError):
        return ""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = payload[:_MAX_TEXT].decode(charset, errors="replace")
    except (LookupError, ValueError):
        text = payload[:_MAX_TEXT].decode("utf-8", errors="replace")
    if part.get_content_subtype() == "html":
        text = html.unescape(_TAGS.sub(" ", text))
    return text


def _texts(msg: Message) -> tuple[str, str]:
    """(the reply's own text, all its text) from its text/plain parts, else text/html."""
    plain: list[str] = []
    rich: list[str] = []
    for part in msg.walk():
        if part.is_multipart() or part.get_content_maintype() != "text":
            continue
        disposition = str(part.get("Content-Disposition", "")).lower()
        if disposition.startswith("attachment"):
            continue
        (rich if part.get_content_subtype() == "html" else plain).append(_part_text(part))
    texts = plain or rich
    whole = "\n".join(texts)[:_MAX_TEXT]
    own = texts[0] if texts else ""
    found = _SEPARATOR.search(own)
    if found:
        own = own[: found.start()]
    own = "\n".join(line for line in own.splitlines() if not line.lstrip().startswith(">"))
    return own, whole


def _outcome(text: str) -> NoticeStatus:
    if _REJECTED.search(text):
        return NoticeStatus.rejected
    without_negated = _PENDING_REMOVED.sub(" ", _NEGATED_REMOVED.sub(" ", text))
    if _REMOVED.search(without_negated):
        return NoticeStatus.removed
    return NoticeStatus.acknowledged


def _urls(text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in _URL.finditer(text):
        url = match.group(0).rstrip(".,;:!?)»")
        parsed = parse_location(url)
        if isinstance(parsed, ParsedLocation):
            found.append(parsed.url)
    return _unique(found)


def _read(data: bytes, source: str) -> Reply:
    if len(data) > MAX_REPLY:
        raise InputError(f"larger than {MAX_REPLY // (1024 * 1024)} MB", file=source)
    if not data.strip():
        raise InputError("empty file: not an e-mail message", file=source)
    msg = message_from_bytes(data)
    if (
        not msg.keys()
        or msg.defects
        and not any(
            msg.get(h) for h in ("From", "Subject", "In-Reply-To", "References", "Message-ID")
        )
    ):
        raise InputError("not an e-mail message (no header)", file=source)
    if msg.get_content_type() == "multipart/report" or str(
        msg.get_param("report-type", "") or ""
    ).lower() in ("delivery-status", "disposition-notification"):
        raise InputError(
            "a delivery status notification (bounce or receipt), not a reply", file=source
        )
    in_reply_to = _MESSAGE_ID.findall(_header(msg, "In-Reply-To"))
    references = _MESSAGE_ID.findall(_header(msg, "References"))
    subject = _header(msg, "Subject")
    own, whole = _texts(msg)
    headers = (
        _header(msg, "In-Reply-To"),
        _header(msg, "References"),
        _header(msg, "X-LeakTrace-Notice"),
        subject,
    )
    refs = _references((*headers, own)) or _references((whole,))
    return Reply(
        message_ids=_unique(in_reply_to + references),
        references=_unique(refs),
        outcome=_outcome(subject + "\n" + own),
        urls=_urls(own),
        at=_date(msg),
        subject=subject,
        sender=_sender(msg),
    )


def read_reply(data: bytes, *, source: str) -> Reply:
    """What the reply in ``data`` (an RFC 5322 message) says; ``source`` names the file
    in errors."""
    try:
        return _read(data, source)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed message is outside data: say so
        raise InputError(f"cannot read the message: {exc}", file=source) from None
