"""Read-side leak queries: the leak listing with an agency's triage, its count and keyset
pages, and the counts of the overview (new leaks, leaks per day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, case, func, select
from sqlalchemy.engine import Connection, RowMapping

from leaktrace.detect.rules import Severity
from leaktrace.feeds.timeparse import format_when
from leaktrace.store.keyset import keyset_page
from leaktrace.store.schema import ALERTS, RELEASES, WORKS
from leaktrace.store.schema_access import LEAK_TRIAGE

__all__ = [
    "LEAK_SORT_ARITY",
    "LeakFilter",
    "LeakSort",
    "count_leaks",
    "leak_page",
    "leak_row",
    "leaks_detected_since",
    "leaks_per_day",
    "list_leaks",
]

_R = RELEASES
_W = WORKS
_AL = ALERTS
_T = LEAK_TRIAGE

_SEVERITY_RANK = case({s.value: s.rank for s in Severity}, value=_AL.c.severity, else_=-1)


@dataclass(frozen=True, slots=True)
class LeakFilter:
    min_severity: Severity | None = None
    window: str | None = None
    work_id: str | None = None
    group: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    release_ids: tuple[int, ...] | None = None
    alert_ids: tuple[int, ...] | None = None
    verdict: str | None = None
    """``confirmed``, ``false-positive`` or ``untriaged``: the verdict of ``agency_id``."""
    agency_id: int | None = None
    """The agency whose triage is joined (None: nobody's; every leak is untriaged)."""


LeakSort = Literal["time", "lead", "severity"]


def _leak_query(f: LeakFilter) -> Select[Any]:
    query = select(
        _AL,
        _R.c.name,
        _R.c.group_name,
        _R.c.resolution,
        _R.c.sightings,
        _R.c.nuke_status,
        _R.c.nuke_reason,
        _R.c.nuke_net,
        _W.c.title.label("work_title"),
        _W.c.year.label("work_year"),
        _W.c.kind.label("work_kind"),
        _W.c.season.label("work_season"),
        _T.c.verdict.label("triage_verdict"),
        _T.c.note.label("triage_note"),
        _T.c.updated_at.label("triage_updated_at"),
    ).select_from(
        _AL.join(_R, _AL.c.release_id == _R.c.id)
        .join(_W, _AL.c.work_id == _W.c.id)
        .outerjoin(_T, _triage_join(f))
    )
    return _leak_where(query, f)


def _triage_join(f: LeakFilter) -> ColumnElement[bool]:
    return and_(_T.c.alert_id == _AL.c.id, _T.c.agency_id == f.agency_id)


def _leak_where(query: Select[Any], f: LeakFilter, *, counting: bool = False) -> Select[Any]:
    """The filters. A minimum severity is a rank comparison when listing (the listing
    walks a time or lead index and skips lighter leaks: an index on severity would make the
    database sort every graver leak first) and ``severity IN (...)`` when counting (the
    severity index counts them)."""
    if f.verdict == "untriaged":
        query = query.where(_T.c.id.is_(None))
    elif f.verdict:
        query = query.where(_T.c.verdict == f.verdict)
    if f.min_severity is not None and counting:
        graver = [s.value for s in Severity if s.rank >= f.min_severity.rank]
        query = query.where(_AL.c.severity.in_(graver))
    elif f.min_severity is not None:
        query = query.where(_SEVERITY_RANK >= f.min_severity.rank)
    if f.window:
        query = query.where(_AL.c.window == f.window)
    if f.work_id:
        query = query.where(_AL.c.work_id == f.work_id)
    if f.group:
        query = query.where(_R.c.group_key == f.group.lower())
    if f.release_ids is not None:
        query = query.where(_AL.c.release_id.in_(f.release_ids))
    if f.alert_ids is not None:
        query = query.where(_AL.c.id.in_(f.alert_ids))
    if f.since:
        query = query.where(_AL.c.released_at >= f.since)
    if f.until:
        query = query.where(_AL.c.released_at < f.until)
    return query


def list_leaks(
    conn: Connection,
    f: LeakFilter,
    limit: int | None = None,
    offset: int = 0,
    sort: LeakSort = "time",
) -> list[dict[str, Any]]:
    order = {
        "time": (_AL.c.released_at.desc(),),
        "lead": (_AL.c.lead_days.desc(),),
        "severity": (_SEVERITY_RANK.desc(), _AL.c.lead_days.desc()),
    }[sort]
    query = _leak_query(f).order_by(*order, _AL.c.id.desc())
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [leak_row(r) for r in conn.execute(query).mappings()]


def leak_row(r: RowMapping) -> dict[str, Any]:
    """The one dict form of a leak alert (``leaktrace leaks -f json``, nuke events)."""
    return {
        "release": r["name"],
        "work_id": r["work_id"],
        "work": r["work_title"],
        "work_year": r["work_year"],
        "work_kind": r["work_kind"],
        "season": r["work_season"],
        "window": r["window"],
        "window_date": format_when(r["window_date"]),
        "source": r["source"],
        "lead_days": r["lead_days"],
        "severity": r["severity"],
        "group": r["group_name"],
        "released_at": format_when(r["released_at"]),
        "rule": r["rule"],
        "resolution": r["resolution"],
        "sightings": r["sightings"],
        "explanation": r["explanation"],
        "nuke": r["nuke_status"],
        "nuke_reason": r["nuke_reason"],
        "nuke_net": r["nuke_net"],
    }


def count_leaks(conn: Connection, f: LeakFilter) -> int:
    """How many leaks match: only the joins a filter needs (every alert has its release
    and its work), so an unfiltered count is a count of the alerts' index."""
    source: Any = _AL
    if f.group:
        source = source.join(_R, _AL.c.release_id == _R.c.id)
    if f.verdict:
        source = source.outerjoin(_T, _triage_join(f))
    query = _leak_where(select(func.count()).select_from(source), f, counting=True)
    return int(conn.execute(query).scalar_one())


def _leak_keys(sort: LeakSort) -> list[ColumnElement[Any]]:
    if sort == "lead":
        return [_AL.c.lead_days, _AL.c.id]
    return [_AL.c.released_at, _AL.c.id]


LEAK_SORT_ARITY = {"time": 2, "lead": 2, "severity": 3}


def leak_page(
    conn: Connection, f: LeakFilter, *, sort: LeakSort, after: list[Any] | None, limit: int
) -> list[tuple[dict[str, Any], list[Any]]]:
    """Up to ``limit`` leaks after the keyset ``after`` (the sort values of the last one
    shown): each as its row (:func:`leak_row` with ``id`` and ``triage``) and sort values.

    The severity order reads one severity at a time, gravest first (an index on
    ``severity`` serves each), instead of sorting every alert by a computed rank."""
    if sort != "severity":
        return _leak_rows(conn, _leak_query(f), _leak_keys(sort), after, limit, [])
    page: list[tuple[dict[str, Any], list[Any]]] = []
    top = after[0] if after is not None else max(s.rank for s in Severity)
    for level in sorted(Severity, key=lambda s: s.rank, reverse=True):
        if level.rank > top:
            continue
        if f.min_severity is not None and level.rank < f.min_severity.rank:
            break
        query = _leak_query(f).where(_AL.c.severity == level.value)
        resume = after[1:] if after is not None and level.rank == top else None
        keys: list[ColumnElement[Any]] = [_AL.c.lead_days, _AL.c.id]
        page += _leak_rows(conn, query, keys, resume, limit - len(page), [level.rank])
        if len(page) >= limit:
            break
    return page


def _leak_rows(
    conn: Connection,
    query: Select[Any],
    keys: list[ColumnElement[Any]],
    after: list[Any] | None,
    limit: int,
    prefix: list[Any],
) -> list[tuple[dict[str, Any], list[Any]]]:
    page = []
    for r, values in keyset_page(conn, query, keys, after, limit):
        row = leak_row(r)
        row["id"] = r["id"]
        row["release_id"] = r["release_id"]
        row["triage"] = (
            None
            if r["triage_verdict"] is None
            else {
                "verdict": r["triage_verdict"],
                "note": r["triage_note"],
                "updated_at": format_when(r["triage_updated_at"]),
            }
        )
        page.append((row, [*prefix, *values]))
    return page


def leaks_detected_since(conn: Connection, moment: datetime) -> int:
    """Leak alerts first raised at or after ``moment``."""
    query = select(func.count()).select_from(_AL).where(_AL.c.created_at >= moment)
    return int(conn.execute(query).scalar_one())


def leaks_per_day(conn: Connection, since: datetime) -> dict[str, int]:
    """Leaks by the UTC day they were released (``YYYY-MM-DD``), from ``since`` on."""
    if conn.dialect.name == "postgresql":
        day: ColumnElement[Any] = func.to_char(
            func.timezone("UTC", _AL.c.released_at), "YYYY-MM-DD"
        )
    else:  # SQLite keeps UTC times as 'YYYY-MM-DD HH:MM:SS'
        day = func.substr(_AL.c.released_at, 1, 10)
    query = (
        select(day.label("day"), func.count())
        .where(_AL.c.released_at >= since)
        .group_by(day)
        .order_by(day)
    )
    return {str(d): int(n) for d, n in conn.execute(query)}
