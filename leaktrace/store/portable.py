"""Small helpers that keep the SQL portable between SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from leaktrace.store.schema import UTCDateTime

__all__ = [
    "IN_CHUNK",
    "chunked",
    "insert_ignore",
    "newest",
    "newest_id",
    "sqlite_run_many",
    "sqlite_bulk",
    "sqlite_cursor",
    "sqlite_insert_ignore",
    "sqlite_rows",
    "sqlite_time_of",
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


def _bulk_connection(conn: Connection) -> sqlite3.Connection | None:
    """The SQLite connection under ``conn`` when bulk writes through it are safe (SQLite,
    inside a transaction the driver opens: not autocommit), else None."""
    if conn.dialect.name != "sqlite":
        return None
    dbapi = conn.connection.driver_connection
    if not isinstance(dbapi, sqlite3.Connection) or dbapi.isolation_level is None:
        return None
    return dbapi


def sqlite_bulk(conn: Connection) -> bool:
    """Whether writes on ``conn`` go straight to the SQLite driver (:func:`sqlite_cursor`)."""
    return _bulk_connection(conn) is not None


def sqlite_cursor(conn: Connection) -> sqlite3.Cursor | None:
    """A cursor on the SQLite connection under ``conn`` when bulk writes through it are
    safe (see :func:`sqlite_bulk`), else None."""
    dbapi = _bulk_connection(conn)
    return dbapi.cursor() if dbapi is not None else None


def sqlite_time(value: datetime | None) -> str | None:
    """An aware time as :class:`~leaktrace.store.schema.UTCDateTime` stores it in SQLite
    (naive UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``, SQLAlchemy's DATETIME format)."""
    if value is None:
        return None
    if value.tzinfo is UTC:
        return value.isoformat(" ", "microseconds")[:26]
    if value.tzinfo is None:
        raise ValueError("naive datetime given to the store; use an aware UTC time")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def sqlite_time_of(value: datetime, iso: str) -> str:
    """:func:`sqlite_time` of ``value`` given ``iso``, its ``value.isoformat()``: the
    ingest formats each time once, for a sighting's fingerprint, and takes the stored
    text from it (formatting an aware time costs about a microsecond)."""
    if value.tzinfo is UTC:
        if len(iso) == 32:  # YYYY-MM-DDTHH:MM:SS.ffffff+00:00
            return f"{iso[:10]} {iso[11:26]}"
        return f"{iso[:10]} {iso[11:19]}.000000"  # YYYY-MM-DDTHH:MM:SS+00:00
    return str(sqlite_time(value))


@dataclass(slots=True)
class _InsertPlan:
    """How rows with one set of columns are inserted into a table."""

    table: str
    columns: tuple[str, ...]
    omissible: tuple[bool, ...]
    """Per column: whether leaving it out stores NULL (no server default)."""
    times: tuple[int, ...]
    """The positions of the time columns (their values must be text already)."""
    conflict: str
    statements: dict[tuple[int, ...], str] = field(default_factory=dict)
    """The INSERT for each set of columns bound (by position in :attr:`columns`)."""

    def statement(self, bound: tuple[int, ...]) -> str:
        sql = self.statements.get(bound)
        if sql is None:
            names = ", ".join(f'"{self.columns[j]}"' for j in bound)
            sql = self.statements[bound] = (
                f'INSERT INTO "{self.table}" ({names}) '
                f"VALUES ({', '.join('?' for _ in bound)})"
                + (f" ON CONFLICT ({self.conflict}) DO NOTHING" if self.conflict else "")
            )
        return sql


_PLANS: dict[tuple[str, tuple[str, ...], tuple[str, ...]], _InsertPlan] = {}
_TEXT_OR_NULL = {str, type(None)}


def _plan(table: Table, columns: tuple[str, ...], conflict: tuple[str, ...]) -> _InsertPlan:
    """The plan for inserting rows of ``columns`` into ``table``."""
    cache_key = (table.name, columns, conflict)
    plan = _PLANS.get(cache_key)
    if plan is None:
        found = [table.c[key] for key in columns]  # a KeyError names a column not there
        plan = _PLANS[cache_key] = _InsertPlan(
            table=table.name,
            columns=tuple(c.name for c in found),
            omissible=tuple(c.server_default is None and not c.primary_key for c in found),
            times=tuple(j for j, c in enumerate(found) if isinstance(c.type, UTCDateTime)),
            conflict=", ".join(f'"{c}"' for c in conflict),
        )
    return plan


def _without_null_columns(
    plan: _InsertPlan, values: Sequence[Sequence[Any]]
) -> tuple[str, Sequence[Sequence[Any]]]:
    """The INSERT and parameters for ``values`` less the columns that are NULL in every
    row (and may be left out): the driver spends longer binding a NULL than SQLite
    spends storing it, and feeds leave many columns empty throughout."""
    columns = list(zip(*values, strict=True))
    for j in plan.times:  # the driver would write a datetime in another format
        if not set(map(type, columns[j])) <= _TEXT_OR_NULL:
            raise TypeError(f"{plan.table}.{plan.columns[j]}: times must be given as text")
    nulls = (None,) * len(values)
    bound = tuple(j for j, column in enumerate(columns) if not plan.omissible[j] or column != nulls)
    if len(bound) == len(columns):
        return plan.statement(bound), values
    return plan.statement(bound), list(zip(*(columns[j] for j in bound), strict=True))


def sqlite_insert_ignore(
    conn: Connection,
    cursor: sqlite3.Cursor,
    table: Table,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    conflict: Sequence[str],
) -> int:
    """INSERT … ON CONFLICT (``conflict``) DO NOTHING of ``rows`` (values of ``columns``,
    as the driver takes them: times as :func:`sqlite_time` writes them) as one prepared
    statement through ``cursor`` (see :func:`sqlite_cursor`); with no ``conflict``, a
    plain INSERT (a collision is an error). Columns NULL in every row are left out of
    the statement (they are stored NULL).

    Returns how many rows were inserted. Since the transaction now holds SQLite's write
    lock, those are the ones with the highest ids of the table (see :func:`newest`)."""
    if not rows:
        return 0
    plan = _plan(table, tuple(columns), tuple(conflict))
    sql, values = _without_null_columns(plan, rows)
    with _as_sqlalchemy_errors(sql):
        cursor.executemany(sql, values)
    return max(cursor.rowcount, 0)


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


def newest_id(cursor: sqlite3.Cursor, table: Table) -> int:
    """The highest id of ``table`` (0 when empty)."""
    sql = f'SELECT max(id) FROM "{table.name}"'
    with _as_sqlalchemy_errors(sql):
        cursor.execute(sql)
        (value,) = cursor.fetchone() or (None,)
    return int(value or 0)


def sqlite_run_many(cursor: sqlite3.Cursor, sql: str, params: Iterable[Sequence[Any]]) -> None:
    """One prepared statement run for each parameter tuple (driver values)."""
    with _as_sqlalchemy_errors(sql):
        cursor.executemany(sql, params)


def sqlite_rows(cursor: sqlite3.Cursor, sql: str, params: Sequence[Any]) -> list[Any]:
    """The rows of a query run through ``cursor`` (driver values, no type processing)."""
    with _as_sqlalchemy_errors(sql):
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def _as_sqlalchemy_errors(sql: str) -> Iterator[None]:
    """Driver errors as SQLAlchemy raises them (IntegrityError, OperationalError ...), so
    callers and :meth:`Database.transaction` handle them as any other statement's."""
    try:
        yield
    except sqlite3.Error as exc:
        raise DBAPIError.instance(sql, None, exc, sqlite3.Error, hide_parameters=True) from exc
