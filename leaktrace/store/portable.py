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
    conn: Connection, table: Table, rows: Iterable[dict[str, Any]], conflict: Sequence[str]
) -> None:
    """INSERT rows, skipping any that collide with ``conflict`` (a unique key)."""
    batch = list(rows)
    if not batch:
        return
    name = conn.dialect.name
    if name == "postgresql":
        pg = postgresql.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
        conn.execute(pg, batch)
    elif name == "sqlite":
        lite = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(conflict))
        conn.execute(lite, batch)
    else:  # pragma: no cover - other backends are not supported yet
        conn.execute(table.insert(), batch)
