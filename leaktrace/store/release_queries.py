"""Read-side release queries: the release listing, its count and its keyset pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.engine import Connection, RowMapping

from leaktrace.feeds.timeparse import format_when
from leaktrace.store.keyset import keyset_page, like_escape
from leaktrace.store.schema import RELEASES, WORKS

__all__ = [
    "ReleaseFilter",
    "count_releases",
    "list_releases",
    "release_page",
    "release_id_by_name",
    "release_row",
]

_R = RELEASES
_W = WORKS


@dataclass(frozen=True, slots=True)
class ReleaseFilter:
    status: str | None = None
    work_id: str | None = None
    group: str | None = None
    source: str | None = None
    search: str | None = None
    since: datetime | None = None
    until: datetime | None = None


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


def release_page(
    conn: Connection, f: ReleaseFilter, *, after: list[Any] | None, limit: int
) -> list[tuple[dict[str, Any], list[Any]]]:
    """Up to ``limit`` releases, newest first, after the keyset ``after`` (time, id)."""
    keys: list[ColumnElement[Any]] = [_R.c.released_at, _R.c.id]
    return [
        ({**release_row(r), "id": r["id"]}, values)
        for r, values in keyset_page(conn, _release_query(f), keys, after, limit)
    ]


def release_id_by_name(conn: Connection, name: str) -> int | None:
    """The id of the release called exactly ``name`` (a case's release snapshot)."""
    found = conn.execute(select(_R.c.id).where(_R.c.name == name)).scalar()
    return None if found is None else int(found)
