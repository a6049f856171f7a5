"""Shared checks and keyword builders of the STIX object builders (``stix_objects``,
``stix_leaks``): text and time checks that raise :class:`~leaktrace.errors.InputError`
naming the field, ``created`` / ``modified``, confidence, the piracy extension, group ids.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any

from leaktrace.errors import InputError
from leaktrace.exchange.stix_extension import piracy_extension, stix_id

__all__ = [
    "UNKNOWN_CREATED",
    "checked_text",
    "confidence_of",
    "creator",
    "group_id",
    "optional_text",
    "owned_id",
    "piracy_fields",
    "stix_times",
    "utc_time",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_NAME = 256


def checked_text(value: str, field: str, *, max_length: int | None = _MAX_NAME) -> str:
    """``value`` stripped; refused when empty, too long or holding control characters."""
    text = value.strip()
    if not text:
        raise InputError("must not be empty", field=field)
    if max_length is not None and len(text) > max_length:
        raise InputError(f"longer than {max_length} characters", field=field)
    if _CONTROL.search(text):
        raise InputError("holds control characters", field=field)
    return text


def optional_text(value: str | None, field: str) -> str | None:
    return (
        None if value is None or not value.strip() else checked_text(value, field, max_length=None)
    )


def utc_time(value: datetime, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InputError("timestamp without a time zone", field=field)
    return value.astimezone(UTC)


UNKNOWN_CREATED = datetime(2000, 1, 1, tzinfo=UTC)
"""``created`` of an object whose facts hold no time: fixed, so that every publication of
the same facts is a version of one object (STIX forbids ``created`` to change)."""


def stix_times(created: datetime | None, modified: datetime | None, field: str) -> dict[str, Any]:
    """``created`` / ``modified`` keywords: ``modified`` never before ``created``."""
    first = utc_time(created, field) if created is not None else UNKNOWN_CREATED
    last = utc_time(modified, "modified") if modified is not None else first
    return {"created": first, "modified": max(first, last)}


def confidence_of(value: float, field: str) -> int:
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InputError("must be a number from 0 to 1", field=field)
    return round(value * 100)


def piracy_fields(fields: dict[str, Any]) -> dict[str, Any]:
    return {"extensions": piracy_extension(fields), "allow_custom": True}


def owned_id(stix_type: str, key: str, created_by_ref: str | None) -> str:
    """The deterministic id of an object made by ``created_by_ref`` (the publishing agency).

    The creator is part of the key: STIX lets only an object's creator make new versions of
    it, so two agencies publishing the same group get two intrusion-sets, each republishing
    its own under the same id.
    """
    return stix_id(stix_type, f"{key}|by:{created_by_ref}" if created_by_ref else key)


def group_id(name: str, created_by_ref: str | None = None, field: str = "name") -> str:
    """The ``intrusion-set`` id of the group called ``name`` (any case) by that creator."""
    return owned_id(
        "intrusion-set", "group:" + checked_text(name, field).casefold(), created_by_ref
    )


def creator(created_by_ref: str | None) -> dict[str, str]:
    """``{"created_by_ref": ...}`` when given, else nothing (keyword helper)."""
    return {"created_by_ref": created_by_ref} if created_by_ref else {}
