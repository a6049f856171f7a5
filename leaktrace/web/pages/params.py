"""Query parameters of pages, parsed by hand into typed values.

Page routes take their query parameters as plain strings and parse them here, so a bad
value is an :class:`~leaktrace.errors.InputError` naming the field (a friendly 422 page),
never a server error, whatever a browser or a scanner sends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime

from leaktrace.errors import InputError

__all__ = ["choice", "cursor", "identifier", "integer", "moment", "required_choice", "text"]

MAX_TEXT = 200
MAX_CURSOR = 2048


def text(value: str | None, field: str, *, limit: int = MAX_TEXT) -> str | None:
    """``value`` stripped; None when empty; at most ``limit`` characters, no control ones."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise InputError(f"at most {limit} characters", field=field)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise InputError("control characters are not allowed", field=field)
    return value


def cursor(value: str | None) -> str | None:
    """A pagination cursor as the page got it (the service decodes and checks it)."""
    return text(value, "cursor", limit=MAX_CURSOR)


def choice(value: str | None, field: str, allowed: Iterable[str]) -> str | None:
    """One of ``allowed`` (case-insensitive), or None when empty."""
    given = text(value, field)
    if given is None:
        return None
    options = list(allowed)
    lowered = given.lower()
    if lowered not in options:
        raise InputError(f"must be one of {', '.join(options)}", field=field)
    return lowered


def required_choice(value: str | None, field: str, allowed: Iterable[str]) -> str:
    """One of ``allowed`` (case-insensitive); an empty or missing value is an error too."""
    chosen = choice(value, field, allowed)
    if chosen is None:
        raise InputError("required", field=field)
    return chosen


_WHOLE = re.compile(r"-?[0-9]{1,19}")


def integer(value: str | None, field: str, *, low: int, high: int) -> int | None:
    """A whole number between ``low`` and ``high``, or None when empty."""
    given = text(value, field, limit=20)
    if given is None:
        return None
    if not _WHOLE.fullmatch(given):  # int() would also take '١', '1_0' and ' +1'
        raise InputError("must be a whole number", field=field)
    number = int(given)
    if number < low or number > high:
        raise InputError(f"must be between {low} and {high}", field=field)
    return number


def moment(value: str | None, field: str) -> datetime | None:
    """A date (``2024-05-01``) or date and time (ISO 8601) as an aware UTC datetime."""
    given = text(value, field, limit=40)
    if given is None:
        return None
    try:
        parsed = datetime.fromisoformat(given)
    except ValueError:
        raise InputError("must be a date like 2024-05-01", field=field) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if parsed.year < 1900 or parsed.year > 2200:
        raise InputError("must be a date between 1900 and 2200", field=field)
    return parsed.astimezone(UTC)


def identifier(value: str, field: str) -> int:
    """A row id from a URL path (a positive whole number)."""
    number = integer(value, field, low=1, high=2**31 - 1)  # ids are 32-bit on PostgreSQL
    if number is None:
        raise InputError("must be a whole number", field=field)
    return number
