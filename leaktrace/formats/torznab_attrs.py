"""The Torznab/Newznab attribute vocabulary: namespaces and readers of attribute values.

Items carry ``torznab:attr`` (:data:`TORZNAB_NS`) or ``newznab:attr`` (:data:`NEWZNAB_NS`)
elements with a ``name`` and a ``value``. The readers here turn those values (and the
plain RSS fields beside them) into typed values: integers, normalised IMDb ids, lower-case
hex infohashes (also from magnet URIs), publication dates in UTC and the most specific
standard Newznab category. Each returns None (or raises ``ValueError`` for dates) rather
than guessing.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qs

from leaktrace.feeds.timeparse import EARLIEST, LATEST, parse_time

__all__ = [
    "NEWZNAB_NS",
    "TORZNAB_NS",
    "infohash_hex",
    "is_url_like",
    "magnet_infohashes",
    "normalise_imdb",
    "parse_pub_date",
    "standard_category",
    "to_int",
]

TORZNAB_NS = "http://torznab.com/schemas/2015/feed"
NEWZNAB_NS = "http://www.newznab.com/DTD/2010/feeds/attributes/"

_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")
_B32 = re.compile(r"^[A-Za-z2-7]{32}$")
_HEX_BTMH = re.compile(r"^1220([0-9a-fA-F]{64})$")
_IMDB = re.compile(r"^(?:tt)?0*(\d{1,10})$", re.IGNORECASE)


def to_int(value: object) -> int | None:
    """A non-negative integer below 10**18 from ``"12"`` or ``"12.0"``; None otherwise."""
    if value is None:
        return None
    text = str(value).strip()
    if text.startswith("-"):
        return None
    if not text.isdigit() or len(text) > 18:
        try:
            number = float(text)
        except ValueError:
            return None
        if not number.is_integer() or not 0 <= number < 1e18:
            return None
        return int(number)
    return int(text)


def normalise_imdb(value: object) -> str | None:
    """``tt`` + at least 7 digits from ``"0118548"``, ``"118548"`` or ``"tt0118548"``."""
    if value is None:
        return None
    match = _IMDB.match(str(value).strip())
    if match is None or int(match.group(1)) == 0:
        return None
    return "tt" + match.group(1).zfill(7)


def infohash_hex(value: str | None) -> str | None:
    """A v1 infohash (40 hex or 32 base32 characters) as lower-case hex."""
    if not value:
        return None
    value = value.strip()
    if _HEX40.match(value):
        return value.lower()
    if _B32.match(value):
        try:
            return binascii.hexlify(base64.b32decode(value.upper())).decode()
        except (binascii.Error, ValueError):
            return None
    return None


def magnet_infohashes(uri: str | None) -> tuple[str | None, str | None]:
    """(v1 infohash, v2 infohash) from a magnet URI."""
    if not uri or not uri.lower().startswith("magnet:?"):
        return None, None
    v1 = v2 = None
    try:
        query = parse_qs(uri[8:], keep_blank_values=False)
    except ValueError:
        return None, None
    for xt in query.get("xt", []):
        low = xt.strip()
        if low.lower().startswith("urn:btih:") and v1 is None:
            v1 = infohash_hex(low[9:])
        elif low.lower().startswith("urn:btmh:") and v2 is None:
            match = _HEX_BTMH.match(low[9:])
            if match:
                v2 = match.group(1).lower()
    return v1, v2


def parse_pub_date(text: str) -> datetime:
    """An RFC 822 ``pubDate`` (or ISO 8601 with an offset, or Unix seconds) in UTC.

    Raises ``ValueError`` for text that is not a date or falls outside 1990-2099.
    """
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return parse_time(text)  # ISO 8601 with an offset, or Unix seconds
    if moment is None:
        raise ValueError(f"{text[:64]!r} is not a date")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if not EARLIEST <= moment < LATEST:
        raise ValueError(f"{moment.isoformat()} is outside 1990-2099")
    return moment


def is_url_like(text: str | None) -> bool:
    """Whether ``text`` starts like an http(s) URL or a magnet URI."""
    if not text:
        return False
    low = text.lower()
    return low.startswith(("http://", "https://", "magnet:?"))


def standard_category(ids: Iterable[int]) -> int | None:
    """The most specific standard Newznab id (``2040`` before ``2000``), else the first."""
    ordered = list(dict.fromkeys(ids))
    standard = [c for c in ordered if 1000 <= c < 10000]
    specific = [c for c in standard if c % 1000]
    for group in (specific, standard, ordered):
        if group:
            return group[0]
    return None
