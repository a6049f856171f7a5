"""Read and write the catalogue of works."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.engine import Connection

from leaktrace.catalog.model import Work, WorkKind
from leaktrace.feeds.timeparse import format_when
from leaktrace.store.keyset import keyset_page, like_escape
from leaktrace.store.portable import chunked
from leaktrace.store.schema import ALERTS, RELEASES, WORK_ALIASES, WORKS

__all__ = [
    "UpsertSummary",
    "catalog_version",
    "count_works",
    "load_works",
    "upsert_works",
    "work_by_id",
    "work_page",
]

_W = WORKS
_A = WORK_ALIASES
_FIELDS = (
    "kind",
    "title",
    "year",
    "season",
    "country",
    "theatrical",
    "digital",
    "physical",
    "broadcast",
    "imdb_id",
    "tmdb_id",
)


@dataclass(frozen=True, slots=True)
class UpsertSummary:
    added: int
    updated: int
    unchanged: int
    changed_ids: tuple[str, ...]


def load_works(conn: Connection) -> list[Work]:
    """Every work with its aliases."""
    aliases: dict[str, list[str]] = defaultdict(list)
    for work_id, alias in conn.execute(select(_A.c.work_id, _A.c.alias).order_by(_A.c.id)):
        aliases[work_id].append(alias)
    works = []
    for row in conn.execute(select(_W)).mappings():
        kind: WorkKind = "season" if row["kind"] == "season" else "movie"
        works.append(
            Work(
                id=row["id"],
                kind=kind,
                title=row["title"],
                year=row["year"],
                season=row["season"],
                aliases=tuple(aliases.get(row["id"], ())),
                theatrical=row["theatrical"],
                digital=row["digital"],
                physical=row["physical"],
                broadcast=row["broadcast"],
                country=row["country"],
                imdb_id=row["imdb_id"],
                tmdb_id=row["tmdb_id"],
            )
        )
    return works


def upsert_works(conn: Connection, works: Sequence[Work], source: str) -> UpsertSummary:
    """Insert new works, update existing ones in place by id (aliases replaced)."""
    known = {w.id: w for w in load_works(conn)}
    existing = {w.id: known[w.id] for w in works if w.id in known}
    now = datetime.now(UTC)
    inserts, changed = [], []
    for work in works:
        values = {f: getattr(work, f) for f in _FIELDS}
        values.update(id=work.id, imported_from=source, updated_at=now)
        old = existing.get(work.id)
        if old is None:
            inserts.append(values)
        elif old != work:
            changed.append(work)
            conn.execute(update(_W).where(_W.c.id == work.id).values(**values))
    if inserts:
        conn.execute(_W.insert(), inserts)
    if changed:
        for part in chunked([w.id for w in changed]):
            conn.execute(delete(_A).where(_A.c.work_id.in_(part)))
    alias_rows = [
        {"work_id": w.id, "alias": a}
        for w in [*changed, *(w for w in works if w.id not in existing)]
        for a in w.aliases
    ]
    if alias_rows:
        conn.execute(_A.insert(), alias_rows)
    changed_ids = tuple(w.id for w in changed) + tuple(v["id"] for v in inserts)
    return UpsertSummary(
        len(inserts), len(changed), len(works) - len(inserts) - len(changed), changed_ids
    )


def catalog_version(conn: Connection) -> tuple[int, object]:
    """How many works there are and when one last changed (the watcher reloads the
    catalogue when this changes)."""
    row = conn.execute(select(func.count(), func.max(_W.c.updated_at))).one()
    return int(row[0]), row[1]


def _work_keys() -> list[ColumnElement[Any]]:
    return [_W.c.title, func.coalesce(_W.c.year, -1), func.coalesce(_W.c.season, -1), _W.c.id]


def work_page(
    conn: Connection,
    *,
    search: str | None,
    kind: str | None,
    after: list[Any] | None,
    limit: int,
) -> list[tuple[dict[str, Any], list[Any]]]:
    """Up to ``limit`` works by title, year, season and id, after the keyset ``after``,
    each with how many releases matched it and how many of them are leaks."""
    query = _work_where(select(_W), search, kind)
    rows = keyset_page(conn, query, _work_keys(), after, limit, descending=False)
    counts = _counts(conn, [r["id"] for r, _ in rows])
    return [
        ({**_work_row(r), **counts.get(r["id"], {"releases": 0, "leaks": 0})}, values)
        for r, values in rows
    ]


def count_works(conn: Connection, *, search: str | None, kind: str | None) -> int:
    query = _work_where(select(func.count()).select_from(_W), search, kind)
    return int(conn.execute(query).scalar_one())


def _work_where(query: Select[Any], search: str | None, kind: str | None) -> Select[Any]:
    if search:
        query = query.where(_W.c.title.ilike(f"%{like_escape(search)}%", escape="\\"))
    if kind:
        query = query.where(_W.c.kind == kind)
    return query


def work_by_id(conn: Connection, work_id: str) -> dict[str, Any] | None:
    """One work with its aliases and counts, or None."""
    row = conn.execute(select(_W).where(_W.c.id == work_id)).mappings().first()
    if row is None:
        return None
    aliases = list(
        conn.execute(select(_A.c.alias).where(_A.c.work_id == work_id).order_by(_A.c.id)).scalars()
    )
    counts = _counts(conn, [work_id]).get(work_id, {"releases": 0, "leaks": 0})
    return {**_work_row(row), **counts, "aliases": aliases}


def _work_row(r: Any) -> dict[str, Any]:
    return {
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
    }


def _counts(conn: Connection, ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """Releases and leaks per work, for these works only (the work_id indexes serve it)."""
    out: dict[str, dict[str, int]] = {i: {"releases": 0, "leaks": 0} for i in ids}
    for part in chunked(list(ids)):
        for key, table in (("releases", RELEASES), ("leaks", ALERTS)):
            column = table.c.work_id
            query = select(column, func.count()).where(column.in_(part)).group_by(column)
            for work_id, n in conn.execute(query):
                out[work_id][key] = int(n)
    return out
