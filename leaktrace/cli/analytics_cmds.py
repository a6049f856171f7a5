"""``leaktrace analytics`` and ``leaktrace export``: the large-data aggregations on DuckDB
or Spark, and the Parquet export they read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from leaktrace.cli.context import (
    DbOption,
    EngineOption,
    FormatOption,
    LimitOption,
    MasterOption,
    ParquetOption,
    err,
    open_context,
    out,
    row_limit,
)
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.cli.targets_cmd import check_engine
from leaktrace.identity.actor import local_operator
from leaktrace.services.analytics import AGGREGATIONS as NAMES
from leaktrace.services.analytics import export_tables, run_aggregation


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
    DuckDB is built in; --engine spark needs the spark extra: pip install 'leaktrace\\[spark]'.
    """
    if name not in NAMES:
        raise typer.BadParameter(f"must be one of {', '.join(NAMES)}", param_hint="NAME")
    chosen = check_engine(engine)
    with open_context(db) as ctx:
        table = run_aggregation(
            ctx, local_operator(), name, engine=chosen, master=master, parquet=parquet
        )
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


def export(
    directory: Annotated[
        Path,
        typer.Argument(help="Folder to write <table>.parquet files into.", show_default=False),
    ],
    db: DbOption = None,
    table: Annotated[
        list[str] | None,
        typer.Option(
            "--table",
            help="Only this table (repeatable); by default: swarm_observations, releases, hosts, "
            "host_evidence, alerts, works.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Export the database's analytics tables to Parquet, for DuckDB or Spark.

    Give the folder to 'leaktrace impact', 'targets' or 'analytics' as --parquet DIR to
    skip their own export on every run, or copy it to a cluster's storage for Spark.
    Each file appears only once complete, readable by its owner only. The folder's
    leaktrace-export.json says what it holds and its retention deadline (the earliest
    swarm observation + swarm_retention_days); 'leaktrace swarm retention --exports'
    removes it once that has passed.
    """
    from leaktrace.analytics.export import ANALYTICS_TABLES

    by_name = [t.name for t in ANALYTICS_TABLES]
    unknown = [name for name in table or [] if name not in by_name]
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)}: choose from {', '.join(by_name)}", param_hint="--table"
        )
    with open_context(db) as ctx:
        view = export_tables(ctx, local_operator(), directory, table)
    if fmt is Format.json:
        emit_json(out, view.to_json())
        return
    written = {name: Path(path) for name, path in view.written.items()}
    seconds = view.seconds
    deadline = (
        None if view.retention_deadline is None else datetime.fromisoformat(view.retention_deadline)
    )
    if fmt is Format.csv:
        rows = [
            {"table": name, "path": str(path), "bytes": path.stat().st_size}
            for name, path in written.items()
        ]
        emit_rows(out, rows, fmt, columns=[])
        return
    for name, path in written.items():
        size = path.stat().st_size / 1e6
        out.print(f"  {name:20s} → {escape(str(path))} ({size:,.1f} MB)")
    out.print(f"[bold]{len(written)}[/] tables in {seconds:.1f}s")
    if deadline is not None and deadline <= datetime.now(UTC):
        err.print(
            f"[yellow]warning:[/] the database holds swarm observations older than the "
            f"retention period: this export was due for removal on {deadline:%Y-%m-%d} "
            "already. Run 'leaktrace swarm retention' on the database first, then export "
            "again."
        )
    elif deadline is not None:
        out.print(
            f"holds swarm observations: remove by {deadline:%Y-%m-%d %H:%M UTC} "
            "('leaktrace swarm retention --exports …' does)"
        )
