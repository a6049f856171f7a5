"""Read-side queries: release and leak listings, counts, aggregates for reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.engine import Connection, RowMapping

from leaktrace.detect.rules import Severity
from leaktrace.feeds.timeparse import format_when
from leaktrace.store.schema import ALERTS, RELEASES, SIGHTINGS, WORKS
from leaktrace.store.schema_access import LEAK_TRIAGE

__all__ = [
    "LEAK_SORT_ARITY",
    "LeakFilter",
    "ReleaseFilter",
    "leak_page",
    "leaks_detected_since",
    "leaks_per_day",
    "like_escape",
    "release_page",
    "count_leaks",
    "count_releases",
    "leak_row",
    "list_leaks",
    "list_releases",
    "list_works",
    "overview",
    "release_row",
]

_R = RELEASES
_W = WORKS
_AL = ALERTS
_S = SIGHTINGS
_T = LEAK_TRIAGE

_SEVERITY_RANK = case({s.value: s.rank for s in Severity}, value=_AL.c.severity, else_=-1)


@dataclass(frozen=True, slots=True)
class ReleaseFilter:
    status: str | None = None
    work_id: str | None = None
    group: str | None = None
    source: str | None = None
    search: str | None = None
    since: datetime | None = None
    until: datetime | None = None


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


def _release_query(f: ReleaseFilter) -> Select[Any]:
    query = select(_R, _W.c.title.label("work_title")).select_from(
        _R.outerjoin(_W, _R.c.work_id == _W.c.id)
    )
    return _release_where(query, f)


def _release_where(query: Select[Any], f: ReleaseFilter) -> Select[Any]:
    if f.status:
        query = query.where(_R.c.status == f.status)
    if f.work_id:
        query = query.where(_R.c.work_id == f.work_id)
    if f.group:
        query = query.where(_R.c.group_key == f.group.lower())
    if f.source:
        query = query.where(_R.c.source == f.source.lower())
    if f.search:
        query = query.where(_R.c.name.ilike(f"%{like_escape(f.search)}%", escape="\\"))
    if f.since:
        query = query.where(_R.c.released_at >= f.since)
    if f.until:
        query = query.where(_R.c.released_at < f.until)
    return query


def list_releases(
    conn: Connection, f: ReleaseFilter, limit: int | None = None, offset: int = 0
) -> list[dict[str, Any]]:
    query = _release_query(f).order_by(_R.c.released_at.desc(), _R.c.id.desc())
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [release_row(r) for r in conn.execute(query).mappings()]


def release_row(r: RowMapping) -> dict[str, Any]:
    """The one dict form of a stored release (``leaktrace releases -f json``)."""
    return {
        "release": r["name"],
        "work_id": r["work_id"],
        "work": r["work_title"],
        "score": r["match_score"],
        "status": r["status"],
        "released_at": format_when(r["released_at"]),
        "kind": r["kind"],
        "title": r["title"],
        "year": r["year"],
        "season": r["season"],
        "episode": r["episode"],
        "source": r["source"],
        "resolution": r["resolution"],
        "group": r["group_name"],
        "sightings": r["sightings"],
        "reason": r["match_reason"],
    }


def count_releases(conn: Connection, f: ReleaseFilter) -> int:
    """How many releases match (no join: the filters are all on releases)."""
    query = _release_where(select(func.count()).select_from(_R), f)
    return int(conn.execute(query).scalar_one())


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


def list_works(
    conn: Connection, search: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    leaks = select(_AL.c.work_id, func.count().label("leaks")).group_by(_AL.c.work_id).subquery()
    rels = select(_R.c.work_id, func.count().label("releases")).group_by(_R.c.work_id).subquery()
    query = (
        select(
            _W,
            func.coalesce(leaks.c.leaks, 0).label("leaks"),
            func.coalesce(rels.c.releases, 0).label("releases"),
        )
        .select_from(
            _W.outerjoin(leaks, leaks.c.work_id == _W.c.id).outerjoin(
                rels, rels.c.work_id == _W.c.id
            )
        )
        .order_by(_W.c.title, _W.c.year, _W.c.season)
    )
    if search:
        query = query.where(_W.c.title.ilike(f"%{search}%"))
    if limit is not None:
        query = query.limit(limit)
    return [
        {
            "id": r["id"],
            "kind": r["kind"],
            "title": r["title"],
            "year": r["year"],
            "season": r["season"],
            "country": r["country"],
            "theatrical": format_when(r["theatrical"]),
            "digital": format_when(r["digital"]),
            "physical": format_when(r["physical"]),
            "broadcast": format_when(r["broadcast"]),
            "releases": r["releases"],
            "leaks": r["leaks"],
        }
        for r in conn.execute(query).mappings()
    ]


def overview(conn: Connection) -> dict[str, Any]:
    """Counts for a dashboard: works, releases by status, sightings, leaks by field."""

    def grouped(column: Any) -> dict[str, int]:
        rows = conn.execute(select(column, func.count()).group_by(column)).all()
        return {str(k): int(v) for k, v in rows}

    return {
        "works": int(conn.execute(select(func.count()).select_from(_W)).scalar_one()),
        "releases": int(conn.execute(select(func.count()).select_from(_R)).scalar_one()),
        "sightings": int(conn.execute(select(func.count()).select_from(_S)).scalar_one()),
        "releases_by_status": grouped(_R.c.status),
        "leaks_by_window": grouped(_AL.c.window),
        "leaks_by_severity": grouped(_AL.c.severity),
        "leaks_by_source": grouped(_AL.c.source),
    }


def like_escape(text: str) -> str:
    """``text`` for a LIKE pattern with ``\\`` as escape: ``%`` and ``_`` match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _before(columns: list[ColumnElement[Any]], values: list[Any]) -> ColumnElement[bool]:
    """Rows after ``values`` in descending order of ``columns`` (a keyset condition; the
    redundant ``first <= v`` lets the database range-scan an index on the first column)."""
    clauses = [
        and_(
            *(c == v for c, v in zip(columns[:i], values[:i], strict=True)), columns[i] < values[i]
        )
        for i in range(len(columns))
    ]
    return and_(columns[0] <= values[0], or_(*clauses))


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
    query = query.add_columns(*(k.label(f"_k{i}") for i, k in enumerate(keys)))
    if after is not None:
        query = query.where(_before(keys, after))
    query = query.order_by(*(k.desc() for k in keys)).limit(limit)
    page = []
    for r in conn.execute(query).mappings():
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
        page.append((row, [*prefix, *(r[f"_k{i}"] for i in range(len(keys)))]))
    return page


def release_page(
    conn: Connection, f: ReleaseFilter, *, after: list[Any] | None, limit: int
) -> list[tuple[dict[str, Any], list[Any]]]:
    """Up to ``limit`` releases, newest first, after the keyset ``after`` (time, id)."""
    keys: list[ColumnElement[Any]] = [_R.c.released_at, _R.c.id]
    query = _release_query(f)
    if after is not None:
        query = query.where(_before(keys, after))
    query = query.order_by(*(k.desc() for k in keys)).limit(limit)
    page = []
    for r in conn.execute(query).mappings():
        row = release_row(r)
        row["id"] = r["id"]
        page.append((row, [r["released_at"], r["id"]]))
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
