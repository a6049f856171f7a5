"""Read and write the catalogue of works."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from leaktrace.catalog.model import Work, WorkKind
from leaktrace.store.portable import chunked
from leaktrace.store.schema import WORK_ALIASES, WORKS

__all__ = ["UpsertSummary", "load_works", "upsert_works"]

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
