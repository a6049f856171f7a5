"""TAXII 2.1 filters and pages: the query parameters a client sends, read into one
:class:`~leaktrace.store.exchange_objects.ObjectQuery`, and the opaque ``next`` token.

A ``next`` token is the keyset position of the last row a page returned (its
``date_added`` and row id), opaque to clients (:mod:`leaktrace.services.paging`). Together
with the need-to-know rule applied below :func:`find_objects`, a page never counts, and a
token never points at, a row the reader may not see. Every parameter is outside data: a
malformed one is an :class:`InputError` naming it (HTTP 422), never a server error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from leaktrace.errors import InputError
from leaktrace.exchange.timestamps import stamp_text
from leaktrace.services.paging import decode_cursor, encode_cursor
from leaktrace.store.exchange_objects import ObjectQuery

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "TaxiiFilters",
    "next_token",
    "page_limit",
    "read_next",
    "to_query",
]

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
"""A larger ``limit`` is served as this many (the specification lets a server return fewer
objects than asked for; ``more`` and ``next`` then say that more follow)."""
MAX_VALUES = 100
"""At most this many comma-separated values in one ``match[...]`` filter."""
_LISTING = "taxii"
_VERSION_WORDS = frozenset({"first", "last", "all"})
_SPEC_VERSION = re.compile(r"2\.[0-9]\Z")
_DIGITS = re.compile(r"[0-9]{1,12}\Z")


@dataclass(frozen=True)
class TaxiiFilters:
    """The TAXII query parameters as the client sent them (None: not given). A filter
    given more than once is read as one comma-separated list."""

    limit: str | None = None
    next: str | None = None
    added_after: str | None = None
    match_id: str | None = None
    match_type: str | None = None
    match_version: str | None = None
    match_spec_version: str | None = None


def page_limit(text: str | None) -> int:
    """The page size: :data:`DEFAULT_LIMIT` when not given, at most :data:`MAX_LIMIT`."""
    if text is None or text == "":
        return DEFAULT_LIMIT
    stripped = text.strip()
    if not _DIGITS.match(stripped):
        raise InputError("must be a positive integer", field="limit")
    value = int(stripped)
    if value < 1:
        raise InputError("must be a positive integer", field="limit")
    return min(value, MAX_LIMIT)


def next_token(date_added: str, stix_id: str, version: str) -> str:
    """The token of the page after the row (``date_added``, ``stix_id``, ``version``): the
    key of the last row shown, nothing the reader did not see."""
    return encode_cursor(_LISTING, [date_added, stix_id, version])


def read_next(token: str | None) -> tuple[str, str, str] | None:
    """The keyset position in a ``next`` token (None when not given)."""
    if token is None or token == "":
        return None
    bad = InputError("not a next token this server gave", field="next")
    try:
        added, stix_id, version = decode_cursor(_LISTING, token, 3)
    except InputError:
        raise bad from None
    if not all(isinstance(value, str) for value in (added, stix_id, version)):
        raise bad
    try:
        added = stamp_text(added, "next")
        version = stamp_text(version, "next")
    except InputError:
        raise bad from None
    if len(stix_id) > 300:
        raise bad
    return added, stix_id, version


def _values(text: str | None, field: str) -> tuple[str, ...]:
    if text is None:
        return ()
    values = tuple(dict.fromkeys(v.strip() for v in text.split(",") if v.strip()))
    if len(values) > MAX_VALUES:
        raise InputError(f"at most {MAX_VALUES} values", field=field)
    if any(len(v) > 300 for v in values):
        raise InputError("a value is longer than 300 characters", field=field)
    return values


def _versions(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    given = _values(text, "match[version]")
    if not given:
        return default
    return tuple(v if v in _VERSION_WORDS else stamp_text(v, "match[version]") for v in given)


def _spec_versions(text: str | None) -> tuple[str, ...]:
    given = _values(text, "match[spec_version]")
    for value in given:
        if not _SPEC_VERSION.match(value):
            raise InputError(
                f"not a STIX spec version: {value[:20]!r}", field="match[spec_version]"
            )
    return given


def to_query(
    filters: TaxiiFilters,
    *,
    limit: int,
    ids: tuple[str, ...] | None = None,
    types: bool = True,
    versions: tuple[str, ...] | None = None,
) -> ObjectQuery:
    """The store query of ``filters``, asking for ``limit`` + 1 rows (to learn whether more
    follow). ``ids`` fixes ``match[id]`` (a single object's endpoints); ``types`` False
    ignores ``match[type]`` and ``versions`` fixes ``match[version]`` (an object's
    versions: ``all``), as the endpoints that do not take those filters must."""
    added_after = stamp_text(filters.added_after, "added_after") if filters.added_after else None
    return ObjectQuery(
        added_after=added_after,
        ids=ids if ids is not None else _values(filters.match_id, "match[id]"),
        types=_values(filters.match_type, "match[type]") if types else (),
        versions=versions if versions is not None else _versions(filters.match_version, ("last",)),
        spec_versions=_spec_versions(filters.match_spec_version),
        after=read_next(filters.next),
        limit=limit + 1,
    )
