"""STIX / TAXII timestamps: parse what partners send, and one normalised text form.

TAXII compares ``added_after``, ``match[version]`` and an object's ``modified`` exactly, so
LeakTrace keeps every time as text of one form, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``
(:func:`stamp`): that text sorts as the times do, on SQLite and PostgreSQL alike, and keeps
every microsecond a partner sent (STIX allows more digits; beyond six they are cut, which
never reorders two times LeakTrace can tell apart).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from leaktrace.errors import InputError

__all__ = ["parse_timestamp", "stamp", "stamp_text"]

_TIMESTAMP = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]{1,9}))?Z\Z"
)


def parse_timestamp(text: object, field: str) -> datetime:
    """An aware UTC datetime from a STIX timestamp (``2020-01-01T00:00:00.000Z``: RFC 3339
    in UTC with the ``Z``); :class:`InputError` naming ``field`` otherwise."""
    if not isinstance(text, str):
        raise InputError("must be a timestamp string", field=field)
    found = _TIMESTAMP.match(text)
    if found is None:
        raise InputError(
            f"not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s+]Z): {text[:60]!r}", field=field
        )
    fraction = (found["fraction"] or "0")[:6].ljust(6, "0")
    try:
        moment = datetime.strptime(f"{found['date']}T{found['time']}", "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        raise InputError(f"not a valid date and time: {text[:60]!r}", field=field) from None
    return moment.replace(microsecond=int(fraction), tzinfo=UTC)


def stamp(moment: datetime) -> str:
    """The normalised text of an aware datetime: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: use an aware UTC time")
    utc = moment.astimezone(UTC)
    # strftime's %Y writes years before 1000 with fewer digits: text that would sort wrong
    return f"{utc.year:04d}-" + utc.strftime("%m-%dT%H:%M:%S.%fZ")


def stamp_text(text: object, field: str) -> str:
    """:func:`stamp` of a timestamp received as text (checked by :func:`parse_timestamp`)."""
    return stamp(parse_timestamp(text, field))
