"""Small helpers that keep the SQL portable between SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError

from leaktrace.store.schema import UTCDateTime

__all__ = [
    "IN_CHUNK",
    "chunked",
    "insert_ignore",
    "newest",
    "sqlite_cursor",
    "sqlite_insert_ignore",
    "sqlite_time",
]

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


# ---------------------------------------------------------------- SQLite bulk writes
#
# SQLAlchemy Core spends more time per row than SQLite does on an INSERT of a few
# columns (parameter dicts compiled per row, a type processor call per value, and
# INSERT … RETURNING sent as multi-row VALUES statements that SQLite parses anew each
# time). For the ingest's hot tables, SQLite gets one prepared statement run by the
# driver's executemany, on the same DBAPI connection, so in the caller's transaction.


def sqlite_cursor(conn: Connection) -> sqlite3.Cursor | None:
    """A cursor on the SQLite connection under ``conn`` when bulk writes through it are
    safe (SQLite, inside a transaction the driver opens: not autocommit), else None."""
    if conn.dialect.name != "sqlite":
        return None
    dbapi = conn.connection.driver_connection
    if not isinstance(dbapi, sqlite3.Connection) or dbapi.isolation_level is None:
        return None
    return dbapi.cursor()


def sqlite_time(value: datetime | None) -> str | None:
    """An aware time as :class:`~leaktrace.store.schema.UTCDateTime` stores it in SQLite
    (naive UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``, SQLAlchemy's DATETIME format)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; use an aware UTC time")
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


_Convert = Callable[[Any], Any]
_PLANS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], tuple[str, list[tuple[int, _Convert]]]]
_PLANS = {}


def _plan(
    table: Table, keys: tuple[str, ...], conflict: tuple[str, ...], dialect: Dialect
) -> tuple[str, list[tuple[int, _Convert]]]:
    cache_key = (table.name, keys, conflict)
    plan = _PLANS.get(cache_key)
    if plan is None:
        quote = dialect.identifier_preparer.quote
        columns = [table.c[key] for key in keys]
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)}) "
            f"ON CONFLICT ({', '.join(quote(c) for c in conflict)}) DO NOTHING"
        )
        converters: list[tuple[int, _Convert]] = []
        for index, column in enumerate(columns):
            if isinstance(column.type, UTCDateTime):
                converters.append((index, sqlite_time))
                continue
            process = column.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                converters.append((index, process))
        plan = _PLANS[cache_key] = (sql, converters)
    return plan


def sqlite_insert_ignore(
    conn: Connection,
    cursor: sqlite3.Cursor,
    table: Table,
    rows: Sequence[dict[str, Any]],
    conflict: Sequence[str],
) -> int:
    """INSERT … ON CONFLICT (``conflict``) DO NOTHING of ``rows`` (dicts with the same
    keys) as one prepared statement through ``cursor`` (see :func:`sqlite_cursor`);
    values go through the columns' type processors as SQLAlchemy would bind them.

    Returns how many rows were inserted. Since the transaction now holds SQLite's write
    lock, those are the ones with the highest ids of the table (see :func:`newest`)."""
    if not rows:
        return 0
    keys = tuple(rows[0])
    sql, converters = _plan(table, keys, tuple(conflict), conn.dialect)
    if len(keys) == 1:
        key = keys[0]
        params: Iterable[Sequence[Any]] = [(row[key],) for row in rows]
    else:
        pick = itemgetter(*keys)
        params = map(pick, rows)
    if converters:
        params = _converted(params, converters)
    with _as_sqlalchemy_errors(sql):
        cursor.executemany(sql, params)
    return max(cursor.rowcount, 0)


def _converted(
    params: Iterable[Sequence[Any]], converters: list[tuple[int, _Convert]]
) -> Iterator[list[Any]]:
    for values in params:
        out = list(values)
        for index, convert in converters:
            out[index] = convert(out[index])
        yield out


def newest(
    cursor: sqlite3.Cursor, table: Table, columns: Sequence[str], count: int
) -> list[tuple[Any, ...]]:
    """``columns`` of the ``count`` rows of ``table`` with the highest ids: right after
    :func:`sqlite_insert_ignore` inserted ``count`` rows in this transaction, exactly
    those (SQLite gives a new row an id above every id in the table, and no other
    connection can write until this transaction ends)."""
    if count <= 0:
        return []
    names = ", ".join(f'"{c}"' for c in columns)
    sql = f'SELECT {names} FROM "{table.name}" ORDER BY id DESC LIMIT ?'
    with _as_sqlalchemy_errors(sql):
        cursor.execute(sql, (count,))
        return list(cursor.fetchall())


@contextmanager
def _as_sqlalchemy_errors(sql: str) -> Iterator[None]:
    """Driver errors as SQLAlchemy raises them (IntegrityError, OperationalError ...), so
    callers and :meth:`Database.transaction` handle them as any other statement's."""
    try:
        yield
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error, hide_parameters=True) from exc
