"""Write the project's tables from its SQL database to Parquet, for DuckDB or Spark.

Rows are streamed in batches (``yield_per``) and written one row group per batch, so a
large ``swarm_observations`` never sits in memory whole. Column types follow the
SQLAlchemy schema (timestamps as UTC-aware microseconds, every integer as int64), so an
empty table still gets its full schema and the synthetic generator writes the same types.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    type_coerce,
)
from sqlalchemy import select as sa_select

from leaktrace.analytics.aggregations import Aggregation
from leaktrace.analytics.engines import AnalyticsError, Engine, ParquetSource, Source, duckdb_engine
from leaktrace.analytics.manifest import (
    ExportManifest,
    manifest_entries,
    read_manifest,
    write_manifest,
)
from leaktrace.errors import InputError
from leaktrace.store.schema import (
    ALERTS,
    HOST_EVIDENCE,
    HOSTS,
    RELEASES,
    SWARM_OBSERVATIONS,
    WORKS,
    UTCDateTime,
)

if TYPE_CHECKING:
    from sqlalchemy import Column
    from sqlalchemy.engine import Connection

    from leaktrace.store.database import Database

__all__ = [
    "ANALYTICS_TABLES",
    "arrow_schema",
    "arrow_type",
    "database_source",
    "engine_and_source",
    "export_parquet",
]

ANALYTICS_TABLES: tuple[Table, ...] = (
    SWARM_OBSERVATIONS,
    RELEASES,
    HOSTS,
    HOST_EVIDENCE,
    ALERTS,
    WORKS,
)
"""What :func:`export_parquet` writes by default: what the aggregations read, plus
alerts and works for joins of one's own."""


def arrow_type(column: Column[Any]) -> pa.DataType:
    """The Arrow type a database column is exported as."""
    kind = column.type
    if isinstance(kind, UTCDateTime | DateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(kind, Date):
        return pa.date32()
    if isinstance(kind, Boolean):
        return pa.bool_()
    if isinstance(kind, Integer):
        return pa.int64()
    if isinstance(kind, Float | Numeric):
        return pa.float64()
    if isinstance(kind, String | Text):
        return pa.string()
    raise TypeError(f"no Arrow type for {column.table.name}.{column.name} ({kind!r})")


def arrow_schema(table: Table, columns: Sequence[str] | None = None) -> pa.Schema:
    """The Arrow schema of ``table`` (optionally only ``columns``, in that order)."""
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    return pa.schema(
        [
            pa.field(name, arrow_type(table.c[name]), nullable=table.c[name].nullable)
            for name in names
        ]
    )


def export_parquet(
    db: Database,
    directory: str | Path,
    *,
    tables: Sequence[Table] = ANALYTICS_TABLES,
    columns: Mapping[str, Sequence[str]] | None = None,
    batch_size: int = 100_000,
    compression: str = "zstd",
    retention_days: int | None = None,
) -> dict[str, Path]:
    """Write each table to ``<directory>/<table>.parquet``; return the paths by table.

    The folder gets a manifest (:mod:`leaktrace.analytics.manifest`) with each table's
    rows and, for swarm observations, the retention deadline: the earliest observation
    plus ``retention_days`` (default: the swarm retention setting's environment value or
    180). Files are readable by their owner only (0600; a new folder 0700).

    ``columns`` limits a table (by name) to some of its columns. All tables are read in one
    database transaction and written into a hidden staging folder inside ``directory``;
    only when every table is complete are they moved into place, so a failure leaves the
    folder as it was (no half table, no mix of new and old tables). :class:`InputError`
    if ``directory`` cannot be used.
    """
    out = Path(directory)
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out))
    except OSError as exc:
        raise InputError(
            f"cannot write the export here: {exc.strerror or exc}", file=str(out)
        ) from None
    try:
        with db.reading() as connection:
            for table in tables:
                _write_table(
                    connection, table, staging, (columns or {}).get(table.name), batch_size,
                    compression,
                )  # fmt: skip
            entries = manifest_entries(connection, tables, staging, retention_days)
        previous = read_manifest(out) or ExportManifest()
        written: dict[str, Path] = {}
        for table in tables:
            target = out / f"{table.name}.parquet"
            os.chmod(staging / f"{table.name}.parquet", 0o600)
            os.replace(staging / f"{table.name}.parquet", target)
            written[table.name] = target
        write_manifest(out, previous.updated(entries, out))
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_table(
    connection: Connection,
    table: Table,
    folder: Path,
    names: Sequence[str] | None,
    batch_size: int,
    compression: str,
) -> None:
    schema = arrow_schema(table, names)
    # Nullability is the database's business: Parquet gets every column optional, so
    # DuckDB and Spark agree on it and a NOT NULL column cannot fail the write.
    schema = pa.schema([fld.with_nullable(True) for fld in schema])
    order = [table.c[name] for name in table.primary_key.columns.keys()]
    with pq.ParquetWriter(folder / f"{table.name}.parquet", schema, compression=compression) as w:
        as_text = connection.dialect.name == "sqlite"
        selected = [_selected(table.c[fld.name], as_text) for fld in schema]
        statement = sa_select(*selected).order_by(*order)
        result = connection.execution_options(yield_per=batch_size).execute(statement)
        wrote = False
        for rows in result.partitions():
            values = list(zip(*rows, strict=True))
            arrays = [_array(v, fld.type, as_text) for v, fld in zip(values, schema, strict=True)]
            w.write_table(pa.Table.from_arrays(arrays, schema=schema))
            wrote = True
        if not wrote:
            w.write_table(schema.empty_table())


def _temporal(kind: pa.DataType) -> bool:
    return bool(pa.types.is_timestamp(kind) or pa.types.is_date32(kind))


def _selected(column: Column[Any], as_text: bool) -> Any:
    """SQLite keeps times and dates as ISO text: read the text and let Arrow parse it in
    bulk (vectorised), instead of a Python datetime per value."""
    if as_text and _temporal(arrow_type(column)):
        return type_coerce(column, String).label(column.name)
    return column


def _array(values: Sequence[Any], kind: pa.DataType, as_text: bool) -> pa.Array:
    if as_text and _temporal(kind):
        text = pa.array(values, pa.string())
        try:
            if pa.types.is_date32(kind):
                return text.cast(pa.date32())
            return text.cast(pa.timestamp("us")).cast(kind)  # stored as naive UTC: mark it
        except pa.ArrowInvalid:  # text the bulk parser does not take: one value at a time
            return pa.array([_parse(v, kind) for v in values], type=kind)
    return pa.array(values, type=kind)


def _parse(value: Any, kind: pa.DataType) -> date | datetime | None:
    if value is None:
        return None
    if pa.types.is_date32(kind):
        return date.fromisoformat(str(value)[:10])
    moment = datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@contextmanager
def database_source(
    db: Database, names: Sequence[str], columns: Mapping[str, Sequence[str]] | None = None
) -> Iterator[ParquetSource]:
    """The database's tables ``names`` (``columns``: only some columns of some tables) as a
    :class:`ParquetSource` over a temporary export (removed on exit): how the engines read
    the operational database."""
    by_name = {table.name: table for table in ANALYTICS_TABLES}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise AnalyticsError(f"no exportable table named {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="leaktrace-analytics-") as scratch:
        chosen = [by_name[name] for name in dict.fromkeys(names)]
        export_parquet(db, scratch, tables=chosen, columns=columns)
        yield ParquetSource(Path(scratch))


@contextmanager
def engine_and_source(
    db: Database,
    aggregations: Sequence[Aggregation],
    engine: Engine | None = None,
    source: Source | None = None,
) -> Iterator[tuple[Engine, Source]]:
    """What ``aggregations`` run on and over: ``engine`` (default: a fresh embedded DuckDB,
    closed on exit) and ``source`` (default: a temporary export of ``db`` with the tables
    and columns they read)."""
    with ExitStack() as stack:
        if engine is None:
            engine = stack.enter_context(duckdb_engine())
        if source is None:
            tables = list(dict.fromkeys(t for a in aggregations for t in a.tables))
            source = stack.enter_context(database_source(db, tables, _columns(aggregations)))
        yield engine, source


def _columns(aggregations: Sequence[Aggregation]) -> dict[str, list[str]]:
    """The columns a table must carry for all of ``aggregations``: a table one of them
    reads whole is exported whole."""
    whole = {t for a in aggregations for t in a.tables if t not in a.columns}
    needed: dict[str, list[str]] = {}
    for a in aggregations:
        for table, names in a.columns.items():
            if table not in whole:
                needed[table] = list(dict.fromkeys([*needed.get(table, []), *names]))
    return needed
