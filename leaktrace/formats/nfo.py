"""Read NFO files: decode them and pull out release name, groups, IMDb ids and URLs.

Decoding: a UTF-8 or UTF-16 byte-order mark wins; otherwise bytes that are valid UTF-8
*and* contain non-ASCII are UTF-8 (modern NFOs); everything else is CP437, the DOS code
page NFO art is drawn in (``0xDB`` is a full block, ``0xB0`` light shade ...). Line ends
become ``\\n``; NUL and the DOS end-of-file mark ``0x1A`` are dropped. Only the first
:data:`MAX_NFO_BYTES` bytes are read (``truncated`` says so).

Extraction is heuristic and never fails: :func:`read_nfo` returns an :class:`NfoInfo` for
any bytes.

* **Release name**: a scene-style token ``Word.Word...-GROUP`` (``A-Z a-z 0-9 . _ -``, at
  least three ``.``/``_``-separated parts) that :func:`leaktrace.releases.parse` reads as
  having a group, a year or season/episode, and a resolution, source or codec. The one
  with most of these wins; ties go to the first in the text.
* **Groups**: the release name's ``-GROUP`` first, then phrases: ``GROUP presents``,
  ``GROUP proudly presents``, ``Released by GROUP``, ``Group: GROUP``.
* **IMDb ids**: ``imdb.<tld>/title/tt1234567`` links, and bare ``tt1234567`` within
  120 characters of the word "imdb".
* **URLs**: ``http(s)://`` and ``ftp://`` links, and ``www.`` host names without a scheme.
"""

from __future__ import annotations

import bisect
import codecs
import re
from dataclasses import dataclass

from leaktrace.releases import parse

__all__ = ["MAX_NFO_BYTES", "NfoInfo", "read_nfo"]

MAX_NFO_BYTES = 256 * 1024
_MAX_FOUND = 100
_MAX_CANDIDATES = 500

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{6,300}")
_NAME_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*-[A-Za-z0-9]{2,30}")
_IMDB_LINK = re.compile(
    r"imdb\.[a-z]{2,3}(?:\.[a-z]{2})?/(?:[a-z]{2}/)?title/(tt\d{7,9})(?!\d)", re.IGNORECASE
)
_BARE_TT = re.compile(r"(?<![A-Za-z0-9])(tt\d{7,9})(?!\d)")
_IMDB_WORD = re.compile(r"imdb", re.IGNORECASE)
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]"
_URL = re.compile(
    rf"(?:(?:https?|ftp)://{_URL_CHARS}+|(?<![/\w.@-])www\.[A-Za-z0-9\-]+\.[A-Za-z0-9\-.]+"
    rf"(?:/{_URL_CHARS}*)?)",
    re.IGNORECASE,
)
_URL_TAIL = ".,;:!?'\")]}"
_GROUP_WORD = r"([A-Za-z0-9][A-Za-z0-9_\-]{0,30}[A-Za-z0-9]|[A-Za-z0-9])"
# Possessive quantifiers (``*+``, ``++``) keep these linear on long runs of blanks.
_PRESENTS = re.compile(
    rf"(?<![A-Za-z0-9_\-]){_GROUP_WORD}(?:\s*+[\]\)>=*:~\-]++)?\s++(?:proudly\s++)?presents\b",
    re.IGNORECASE,
)
_RELEASED_BY = re.compile(
    rf"\b(?:released|release|brought\s+to\s+you)\s+by\s*+(?:[:\-]\s*+)?{_GROUP_WORD}",
    re.IGNORECASE,
)
_GROUP_FIELD = re.compile(rf"^[ \t]*group[ \t.]*:[ \t]*{_GROUP_WORD}", re.IGNORECASE | re.MULTILINE)
_NOT_GROUPS = frozenset(
    {
        "a",
        "an",
        "and",
        "the",
        "we",
        "us",
        "our",
        "team",
        "crew",
        "group",
        "proudly",
        "proud",
        "now",
        "here",
        "is",
        "of",
        "by",
        "for",
        "you",
        "presents",
        "present",
        "release",
        "n/a",
        "na",
        "none",
        "unknown",
        "this",
        "it",
    }
)


@dataclass(frozen=True, slots=True)
class NfoInfo:
    """What an NFO file says, as far as it can be read."""

    text: str
    encoding: str
    """``ascii``, ``utf-8``, ``utf-16`` or ``cp437``."""
    release_name: str | None = None
    release_names: tuple[str, ...] = ()
    """Every scene-style release name found, best first."""
    groups: tuple[str, ...] = ()
    imdb_ids: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    truncated: bool = False

    @property
    def group(self) -> str | None:
        return self.groups[0] if self.groups else None

    @property
    def imdb_id(self) -> str | None:
        return self.imdb_ids[0] if self.imdb_ids else None


def read_nfo(data: bytes) -> NfoInfo:
    """Decode an NFO and extract what it says about its release. Never raises for bytes."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"NFO data must be bytes, not {type(data).__name__}")
    raw = bytes(data)
    truncated = len(raw) > MAX_NFO_BYTES
    text, encoding = _decode(raw[:MAX_NFO_BYTES], truncated)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").replace("\x1a", "")
    names = _release_names(text)
    release_name = names[0] if names else None
    groups: list[str] = []
    if release_name is not None:
        group = parse(release_name).group
        if group:
            groups.append(group)
    groups += _phrase_groups(text)
    return NfoInfo(
        text=text,
        encoding=encoding,
        release_name=release_name,
        release_names=names,
        groups=_dedupe_ci(groups),
        imdb_ids=_imdb_ids(text),
        urls=_urls(text),
        truncated=truncated,
    )


def _decode(raw: bytes, truncated: bool) -> tuple[str, str]:
    if raw.startswith(codecs.BOM_UTF8):
        return _utf8(raw[3:], truncated) or raw[3:].decode("utf-8", "replace"), "utf-8"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        body = raw[: len(raw) - (len(raw) % 2)]
        return body.decode("utf-16", "replace").lstrip("\ufeff"), "utf-16"
    if raw.isascii():
        return raw.decode("ascii"), "ascii"
    text = _utf8(raw, truncated)
    if text is not None:
        return text, "utf-8"
    return raw.decode("cp437"), "cp437"


def _utf8(raw: bytes, truncated: bool) -> str | None:
    """``raw`` as UTF-8, or None; a character cut by truncation at the end is dropped."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        return decoder.decode(raw, final=not truncated)
    except UnicodeDecodeError:
        return None


def _release_names(text: str) -> tuple[str, ...]:
    scored: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    for checked, match in enumerate(_TOKEN.finditer(text)):
        if checked >= _MAX_CANDIDATES * 20 or len(seen) >= _MAX_CANDIDATES:
            break
        token = match.group().strip("._-")
        if token in seen or _NAME_SHAPE.fullmatch(token) is None:
            continue
        if len(re.split(r"[._]", token.rsplit("-", 1)[0])) < 3:
            continue
        seen.add(token)
        parsed = parse(token)
        if not parsed.group:
            continue
        when = parsed.year is not None or bool(parsed.seasons) or parsed.air_date is not None
        what = sum(x is not None for x in (parsed.resolution, parsed.source, parsed.codec))
        if not when or not what:
            continue
        scored.append((-(what + bool(parsed.title)), len(scored), token))
    scored.sort()
    return tuple(name for _, _, name in scored[:_MAX_FOUND])


def _phrase_groups(text: str) -> list[str]:
    found: list[tuple[int, str]] = []
    for pattern in (_PRESENTS, _RELEASED_BY, _GROUP_FIELD):
        for count, match in enumerate(pattern.finditer(text)):
            if count >= _MAX_FOUND:
                break
            word = match.group(1)
            if word.lower() not in _NOT_GROUPS and not word.isdigit():
                found.append((match.start(1), word))
    found.sort()
    return [word for _, word in found]


def _imdb_ids(text: str) -> tuple[str, ...]:
    ids = [m.group(1).lower() for m in _IMDB_LINK.finditer(text)]
    mentions = [m.start() for m in _IMDB_WORD.finditer(text)]
    if mentions:
        for match in _BARE_TT.finditer(text):
            at = match.start()
            i = bisect.bisect_left(mentions, at - 120)
            if i < len(mentions) and mentions[i] <= at + 120:
                ids.append(match.group(1))
            if len(ids) > _MAX_FOUND:
                break
    return tuple(dict.fromkeys(ids))[:_MAX_FOUND]


def _urls(text: str) -> tuple[str, ...]:
    urls: list[str] = []
    for match in _URL.finditer(text):
        url = match.group().rstrip(_URL_TAIL)
        if len(url) > 2048 or url.lower() in ("http://", "https://", "ftp://"):
            continue
        urls.append(url)
        if len(urls) >= _MAX_FOUND * 2:
            break
    return tuple(dict.fromkeys(urls))[:_MAX_FOUND]


def _dedupe_ci(values: list[str]) -> tuple[str, ...]:
    out: dict[str, str] = {}
    for value in values:
        out.setdefault(value.lower(), value)
    return tuple(out.values())[:_MAX_FOUND]
