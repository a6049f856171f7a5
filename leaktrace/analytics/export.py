"""Write the project's tables from its SQL database to Parquet, for DuckDB or Spark.

Rows are streamed in batches (``yield_per``) and written one row group per batch, so a
large ``swarm_observations`` never sits in memory whole. Column types follow the
SQLAlchemy schema (timestamps as UTC-aware microseconds, every integer as int64), so an
empty table still gets its full schema and the synthetic generator writes the same types.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from sqlalchemy import Boolean, Date, DateTime, Float, Integer, Numeric, String, Table, Text
from sqlalchemy import select as sa_select

from leaktrace.analytics.engines import AnalyticsError, ParquetSource
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

    from leaktrace.store.database import Database

__all__ = [
    "ANALYTICS_TABLES",
    "arrow_schema",
    "arrow_type",
    "database_source",
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
    batch_size: int = 100_000,
    compression: str = "zstd",
) -> dict[str, Path]:
    """Write each table to ``<directory>/<table>.parquet``; return the paths by table.

    A file is written under a temporary name and renamed when complete, so a reader never
    sees half a table.
    """
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for table in tables:
        schema = arrow_schema(table)
        # Nullability is the database's business: Parquet gets every column optional, so
        # DuckDB and Spark agree on it and a NOT NULL column cannot fail the write.
        schema = pa.schema([fld.with_nullable(True) for fld in schema])
        target = out / f"{table.name}.parquet"
        partial = out / f".{table.name}.parquet.partial"
        order = [table.c[name] for name in table.primary_key.columns.keys()]
        statement = sa_select(table).order_by(*order)
        with (
            db.reading() as connection,
            pq.ParquetWriter(partial, schema, compression=compression) as writer,
        ):
            result = connection.execution_options(yield_per=batch_size).execute(statement)
            wrote = False
            for rows in result.partitions():
                columns = list(zip(*rows, strict=True))
                arrays = [
                    pa.array(values, type=fld.type)
                    for values, fld in zip(columns, schema, strict=True)
                ]
                writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
                wrote = True
            if not wrote:
                writer.write_table(schema.empty_table())
        os.replace(partial, target)
        written[table.name] = target
    return written


@contextmanager
def database_source(db: Database, names: Sequence[str]) -> Iterator[ParquetSource]:
    """The database's tables ``names`` as a :class:`ParquetSource` over a temporary
    export (removed on exit): how the engines read the operational database."""
    by_name = {table.name: table for table in ANALYTICS_TABLES}
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise AnalyticsError(f"no exportable table named {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="leaktrace-analytics-") as scratch:
        export_parquet(db, scratch, tables=[by_name[name] for name in dict.fromkeys(names)])
        yield ParquetSource(Path(scratch))
