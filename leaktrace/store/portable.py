"""Small helpers that keep the SQL portable between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

__all__ = ["chunked", "insert_ignore", "IN_CHUNK"]

T = TypeVar("T")
IN_CHUNK = 900
"""Values per ``IN (...)`` list: under SQLite's oldest default limit of 999 parameters."""


def chunked(values: Sequence[T], size: int = IN_CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_ignore(
    conn: Connection,
    table: Table,
    rows: Iterable[dict[str, Any]],
    conflict: Sequence[str],
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT rows, skipping any that collide with ``conflict`` (a unique key).

    With ``returning``, gives those columns of the rows actually inserted (SQLite 3.35+
    and PostgreSQL both support ``INSERT … ON CONFLICT DO NOTHING RETURNING``)."""
    batch = list(rows)
    if not batch:
        return []
    name = conn.dialect.name
    if name == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    elif name == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
    else:  # pragma: no cover - other backends are not supported yet
        stmt = table.insert()
    if returning:
        stmt = stmt.returning(*(table.c[c] for c in returning))
        return [tuple(row) for row in conn.execute(stmt, batch)]
    conn.execute(stmt, batch)
    return []
