"""Cursor pagination (keyset): a cursor is the sort key of the last item shown.

A cursor is opaque to clients: URL-safe base64 of a JSON array holding the listing's
name and the last item's sort values. A cursor that does not decode, or belongs to
another listing or sort order, is an :class:`InputError` on field ``cursor`` (HTTP 422),
never a server error.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from typing import Any

from leaktrace.errors import InputError

__all__ = ["MAX_PAGE_SIZE", "decode_cursor", "encode_cursor", "page_size"]

MAX_PAGE_SIZE = 500
_MAX_CURSOR = 2048


def encode_cursor(listing: str, values: list[Any]) -> str:
    """The cursor after an item whose sort values are ``values`` (JSON-able scalars)."""
    raw = json.dumps([listing, *values], separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(listing: str, cursor: str, arity: int) -> list[Any]:
    """The sort values in ``cursor``; ``arity`` of them, for ``listing``."""
    bad = InputError(f"not a cursor of this {listing} listing", field="cursor")
    if len(cursor) > _MAX_CURSOR:
        raise bad
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, binascii.Error, UnicodeError):
        raise bad from None
    if not isinstance(decoded, list) or len(decoded) != arity + 1 or decoded[0] != listing:
        raise bad
    values = decoded[1:]
    if not all(_sane(v) for v in values):
        raise bad
    return values


_INT_RANGE = range(-(2**63), 2**63)


def _sane(value: object) -> bool:
    """A sort value a database can compare: None, a string, a 64-bit integer or a finite
    float (JSON lets a crafted cursor carry 10**30, 1e999 or NaN)."""
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value in _INT_RANGE
    if isinstance(value, float):
        return math.isfinite(value)
    return False


def page_size(limit: int | None, default: int = 50) -> int:
    """A page size between 1 and :data:`MAX_PAGE_SIZE` (``None`` gives ``default``)."""
    if limit is None:
        return default
    if limit < 1 or limit > MAX_PAGE_SIZE:
        raise InputError(f"must be between 1 and {MAX_PAGE_SIZE}", field="limit")
    return limit
