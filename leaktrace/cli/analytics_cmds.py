"""``leaktrace analytics``: the large-data aggregations on DuckDB or Spark."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer

from leaktrace.cli.context import DbOption, FormatOption, LimitOption, open_database, out, row_limit
from leaktrace.cli.output import Format, emit_rows

NAMES = ("downloads", "country_counts", "group_activity", "target_list")


def analytics(
    name: Annotated[
        str,
        typer.Argument(
            help="Aggregation: downloads, country_counts, group_activity or target_list.",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    engine: Annotated[
        str, typer.Option(help="duckdb (embedded) or spark (PySpark; needs Java 17).")
    ] = "duckdb",
    master: Annotated[
        str,
        typer.Option(help="Spark master: local[*] here, spark://host:7077 or yarn on a cluster."),
    ] = "local[*]",
    parquet: Annotated[
        Path | None,
        typer.Option(
            help="Read this folder of Parquet tables instead of exporting the database.",
            show_default=False,
        ),
    ] = None,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Run one of the aggregations written once for DuckDB and Spark (downloads per work,
    country and day; per-country counts; group activity; target lists).

    Without --parquet the database is exported to Parquet in a temporary folder first.
    Needs the analytics extra: pip install 'leaktrace[analytics]'.
    """
    if name not in NAMES:
        raise typer.BadParameter(f"must be one of {', '.join(NAMES)}", param_hint="NAME")
    if engine not in ("duckdb", "spark"):
        raise typer.BadParameter("must be duckdb or spark", param_hint="--engine")
    from leaktrace.analytics import (
        ParquetSource,
        duckdb_engine,
        export_parquet,
        run,
        spark_engine,
        standard_aggregations,
    )

    aggregation = next(a for a in standard_aggregations() if a.name == name)
    with tempfile.TemporaryDirectory(prefix="leaktrace-analytics-") as scratch:
        folder = parquet
        if folder is None:
            _, database = open_database(db)
            with database:
                export_parquet(database, Path(scratch))
            folder = Path(scratch)
        runner = duckdb_engine() if engine == "duckdb" else spark_engine(master)
        with runner:
            table = run(aggregation, runner, ParquetSource(folder))
    rows: list[dict[str, Any]] = table.to_pylist()
    shown = row_limit(limit, fmt)
    if shown is not None:
        rows = rows[:shown]
    columns = [(c, c) for c in table.column_names]
    emit_rows(
        out,
        rows,
        fmt,
        title=f"{name} on {engine}",
        columns=columns,
        caption=f"{len(rows)} of {table.num_rows} rows",
    )
