"""``leaktrace analytics``: the large-data aggregations on DuckDB or Spark."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Annotated, Any

import typer

from leaktrace.cli.context import (
    DbOption,
    EngineOption,
    FormatOption,
    LimitOption,
    MasterOption,
    ParquetOption,
    open_database,
    open_engine,
    out,
    parquet_folder,
    row_limit,
)
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
    engine: EngineOption = "duckdb",
    master: MasterOption = "local[*]",
    parquet: ParquetOption = None,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Run one of the aggregations written once for DuckDB and Spark (downloads per work,
    country and day; per-country counts; group activity; target lists).

    Without --parquet the database is exported to Parquet in a temporary folder first.
    DuckDB is built in; --engine spark needs the spark extra: pip install 'leaktrace[spark]'.
    """
    if name not in NAMES:
        raise typer.BadParameter(f"must be one of {', '.join(NAMES)}", param_hint="NAME")
    from leaktrace.analytics import database_source, run, standard_aggregations

    aggregation = next(a for a in standard_aggregations() if a.name == name)
    with ExitStack() as stack:
        if parquet is not None:
            source: Any = parquet_folder(parquet)
        else:
            _, database = open_database(db)
            stack.enter_context(database)
            source = stack.enter_context(database_source(database, aggregation.tables))
        runner = stack.enter_context(open_engine(engine, master=master))
        table = run(aggregation, runner, source)
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
