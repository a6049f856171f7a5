"""Secrets kept out of every message: API keys in URLs and literal keys in any text.

API keys travel in query strings (``apikey=`` for Torznab). Every URL put in a message, a
log record or a repr goes through :func:`redact_url`, which replaces the values of
:data:`SECRET_PARAMS` with ``***``; :func:`redact_text` also masks literal secrets. (The
filter that redacts httpx's own log lines is in :mod:`leaktrace.sources.redaction`.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["SECRET_PARAMS", "redact_text", "redact_url"]

SECRET_PARAMS = frozenset(
    {"apikey", "api_key", "key", "token", "passkey", "authkey", "torrent_pass", "r"}
)
"""Query parameters whose values are secrets. ``authkey``/``torrent_pass`` are the
Gazelle-style download keys; ``r`` is the user's API key in Newznab ``getnzb`` links."""

_SECRET_NAMES = "|".join(sorted(SECRET_PARAMS, key=len, reverse=True))
_SECRET_RE = re.compile(r"(?i)(^|[?&;])(" + _SECRET_NAMES + r")=([^&#;\s\"'<>]*)")


def redact_url(url: object) -> str:
    """``url`` as text with every secret query value replaced by ``***``.

    Works on any text holding URLs, and on malformed URLs too (it is a plain text
    substitution on ``name=value`` pairs after ``?``, ``&`` or ``;``).
    """
    text = str(url)
    return _SECRET_RE.sub(_mask, text)


def _mask(match: re.Match[str]) -> str:
    if match.group(3).startswith("***"):
        return match.group(0)  # already redacted: keep what follows (``apikey=***: …``)
    return f"{match.group(1)}{match.group(2)}=***"


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """:func:`redact_url` on ``text``, and each literal secret (4+ characters) masked."""
    out = redact_url(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, "***")
    return out
