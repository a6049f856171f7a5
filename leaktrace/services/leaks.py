"""Leaks: the pre-release leak alerts, filtered, sorted and paged, with the asking
agency's triage (``leaktrace leaks``, ``GET /api/v1/leaks``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.engine import Connection

from leaktrace.detect.rules import Severity
from leaktrace.errors import InputError, NotFoundError
from leaktrace.feeds.timeparse import parse_time
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.context import AppContext
from leaktrace.services.leak_views import LeakView
from leaktrace.services.paging import decode_cursor, encode_cursor, page_size
from leaktrace.services.views import Page
from leaktrace.store.leak_queries import (
    LEAK_SORT_ARITY,
    LeakFilter,
    LeakSort,
    count_leaks,
    leak_page,
)

__all__ = [
    "LEAK_SORTS",
    "VERDICT_FILTERS",
    "WINDOWS",
    "LeakQuery",
    "check_text",
    "cursor_number",
    "cursor_time",
    "find_leak",
    "get_leak",
    "list_leaks",
    "parse_when",
    "read_leak",
]

WINDOWS = ("theatrical", "digital", "physical", "broadcast")
LEAK_SORTS = ("time", "lead", "severity")
VERDICT_FILTERS = ("confirmed", "false-positive", "untriaged")

LeakSortName = Literal["time", "lead", "severity"]
WindowName = Literal["theatrical", "digital", "physical", "broadcast"]
VerdictFilter = Literal["confirmed", "false-positive", "untriaged"]


@dataclass(frozen=True, slots=True)
class LeakQuery:
    """What to list: the filters of ``leaktrace leaks``, the asking agency's ``verdict``,
    the order, and the page (``limit`` up to 500, ``cursor`` from the previous page)."""

    severity: str | None = None
    """Minimum severity: low, medium, high or critical."""
    window: str | None = None
    work: str | None = None
    group: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    verdict: str | None = None
    sort: str = "time"
    limit: int | None = None
    cursor: str | None = None
    with_total: bool = False


_MAX_ID = 2**63 - 1


def check_text(value: str | None, field: str, limit: int = 300) -> str | None:
    """A filter's text: at most ``limit`` characters and no NUL (PostgreSQL refuses it)."""
    if value is not None and (len(value) > limit or "\x00" in value):
        raise InputError(f"at most {limit} characters, and no NUL", field=field)
    return value


def cursor_number(value: Any, listing: str, *, integer: bool = False) -> int | float:
    """A number read back from a cursor (finite; an id within 64 bits)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    if ok and integer:
        ok = isinstance(value, int) and abs(value) <= _MAX_ID
    if ok and isinstance(value, float):
        ok = math.isfinite(value)
    if not ok:
        raise InputError(f"not a cursor of this {listing} listing", field="cursor")
    assert isinstance(value, int | float)
    return value


def parse_when(value: str | None, field: str) -> datetime | None:
    """``since``/``until``: a date (YYYY-MM-DD, taken as 00:00 UTC) or an ISO time with
    an offset (or Unix seconds)."""
    if value is None:
        return None
    text = value.strip()
    if len(text) == 10 and text[4] == "-":
        text += "T00:00:00Z"
    try:
        return parse_time(text)
    except (ValueError, OverflowError) as exc:
        raise InputError(str(exc), field=field) from None


def _one_of(value: str | None, allowed: tuple[str, ...], field: str) -> None:
    if value is not None and value not in allowed:
        raise InputError(f"must be {', '.join(allowed[:-1])} or {allowed[-1]}", field=field)


def cursor_time(value: Any, listing: str) -> datetime:
    """A time read back from a cursor (an ISO string with an offset)."""
    bad = InputError(f"not a cursor of this {listing} listing", field="cursor")
    if not isinstance(value, str):
        raise bad
    try:  # an ISO time with an offset, 1990-2099, as every stored time is
        return parse_time(value)
    except (ValueError, OverflowError):
        raise bad from None


def _keyset(values: list[Any], sort: str, listing: str) -> list[Any]:
    *sort_values, last_id = values
    last = cursor_number(last_id, listing, integer=True)
    if sort == "time":
        return [cursor_time(sort_values[0], listing), last]
    numbers = [cursor_number(v, listing) for v in sort_values]
    if sort == "severity" and numbers[0] not in {s.rank for s in Severity}:
        raise InputError(f"not a cursor of this {listing} listing", field="cursor")
    return [*numbers, last]


def _filter(query: LeakQuery, actor: Actor) -> LeakFilter:
    _one_of(query.window, WINDOWS, "window")
    _one_of(query.sort, LEAK_SORTS, "sort")
    _one_of(query.verdict, VERDICT_FILTERS, "verdict")
    check_text(query.work, "work", 64)
    check_text(query.group, "group", 128)
    try:
        minimum = Severity(query.severity) if query.severity else None
    except ValueError:
        raise InputError("must be low, medium, high or critical", field="severity") from None
    return LeakFilter(
        min_severity=minimum,
        window=query.window,
        work_id=query.work,
        group=query.group,
        since=query.since,
        until=query.until,
        verdict=query.verdict,
        agency_id=actor.agency_id,
    )


def list_leaks(ctx: AppContext, actor: Actor, query: LeakQuery) -> Page[LeakView]:
    """One page of leaks, in ``query.sort`` order (newest, longest lead or gravest first)."""
    actor.require(Permission.read_intel)
    filters = _filter(query, actor)
    sort: LeakSort = (
        "lead" if query.sort == "lead" else ("severity" if query.sort == "severity" else "time")
    )
    size = page_size(query.limit)
    listing = f"leaks-{sort}"
    after = None
    if query.cursor:
        after = _keyset(decode_cursor(listing, query.cursor, LEAK_SORT_ARITY[sort]), sort, listing)
    with ctx.database.reading() as conn:
        rows = leak_page(conn, filters, sort=sort, after=after, limit=size + 1)
        total = count_leaks(conn, filters) if query.with_total else None
    items = [LeakView.model_validate(row) for row, _ in rows[:size]]
    following = None
    if len(rows) > size:
        following = encode_cursor(listing, [_json(v) for v in rows[size - 1][1]])
    return Page[LeakView](items=items, next_cursor=following, total=total)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def find_leak(conn: Connection, f: LeakFilter) -> LeakView | None:
    """The first leak of ``f`` (by time), with the triage of ``f.agency_id``, or None."""
    rows = leak_page(conn, f, sort="time", after=None, limit=1)
    return LeakView.model_validate(rows[0][0]) if rows else None


def read_leak(conn: Connection, actor: Actor, leak_id: int) -> LeakView:
    """The leak ``leak_id`` as ``actor``'s agency sees it, inside a caller's transaction."""
    leak = find_leak(conn, LeakFilter(alert_ids=(leak_id,), agency_id=actor.agency_id))
    if leak is None:
        raise NotFoundError(f"no leak {leak_id}", kind="leak", key=str(leak_id))
    return leak


def get_leak(ctx: AppContext, actor: Actor, leak_id: int) -> LeakView:
    """One leak by id (404 when there is none)."""
    actor.require(Permission.read_intel)
    with ctx.database.reading() as conn:
        return read_leak(conn, actor, leak_id)
