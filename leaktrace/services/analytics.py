"""The large-data aggregations (DuckDB or Spark) and the Parquet export they read
(``leaktrace analytics`` / ``leaktrace export``)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.views import View

if TYPE_CHECKING:
    import pyarrow as pa  # type: ignore[import-untyped]

    from leaktrace.analytics.engines import Source

__all__ = ["AGGREGATIONS", "ExportView", "export_tables", "parquet_source", "run_aggregation"]

AGGREGATIONS = ("downloads", "country_counts", "group_activity", "target_list")


def parquet_source(parquet: Path | None) -> Source | None:
    """The engines' source for the Parquet export in folder ``parquet`` (None: none given,
    the caller reads the database); a missing folder is an InputError of ``--parquet``."""
    if parquet is None:
        return None
    if not parquet.is_dir():
        raise InputError("no such folder", file=str(parquet), field="--parquet")
    from leaktrace.analytics.engines import ParquetSource

    return ParquetSource(parquet)


def run_aggregation(
    ctx: AppContext,
    actor: Actor,
    name: str,
    *,
    engine: str = "duckdb",
    master: str = "local[*]",
    parquet: Path | None = None,
) -> pa.Table:
    """Run the aggregation ``name`` on ``engine``, over the Parquet folder ``parquet`` or
    (None) a temporary export of the database. The result is Arrow: these tables are
    per-work/country/day aggregates for analysts' own tools, not API read models."""
    actor.require(Permission.read_personal)
    if name not in AGGREGATIONS:
        raise InputError(f"must be one of {', '.join(AGGREGATIONS)}", field="name")
    from leaktrace.analytics import database_source, run, standard_aggregations
    from leaktrace.analytics.engines import ENGINES, open_engine

    if engine not in ENGINES:
        raise InputError(f"must be {' or '.join(ENGINES)}", field="engine")
    aggregation = next(a for a in standard_aggregations() if a.name == name)
    with ExitStack() as stack:
        source = parquet_source(parquet)
        if source is None:
            source = stack.enter_context(
                database_source(ctx.database, aggregation.tables, aggregation.columns)
            )
        runner = stack.enter_context(open_engine(engine, master=master))
        return run(aggregation, runner, source)


class ExportView(View):
    """What ``leaktrace export`` wrote (``--format json``)."""

    written: dict[str, str]
    retention_deadline: str | None
    seconds: float


def export_tables(
    ctx: AppContext, actor: Actor, directory: Path, tables: Sequence[str] | None = None
) -> ExportView:
    """Export the analytics tables (all, or ``tables`` by name) to Parquet in
    ``directory``, with the manifest saying until when the swarm data may be kept."""
    actor.require(Permission.read_personal)
    from leaktrace.analytics.export import ANALYTICS_TABLES, export_parquet
    from leaktrace.analytics.manifest import read_manifest
    from leaktrace.swarm.retention import retention_days

    by_name = {t.name: t for t in ANALYTICS_TABLES}
    unknown = [name for name in tables or [] if name not in by_name]
    if unknown:
        raise InputError(f"{', '.join(unknown)}: choose from {', '.join(by_name)}", field="table")
    chosen = [by_name[name] for name in tables] if tables else list(ANALYTICS_TABLES)
    days = retention_days(None, ctx.settings.swarm_retention_days)
    started = time.perf_counter()
    written = export_parquet(ctx.database, directory, tables=chosen, retention_days=days)
    seconds = time.perf_counter() - started
    with ctx.database.transaction() as conn:
        audit.record(conn, actor, "analytics.export", str(directory)[:300], ", ".join(written))
    manifest = read_manifest(Path(directory))
    deadline: datetime | None = None if manifest is None else manifest.retention_deadline
    return ExportView(
        written={k: str(v) for k, v in written.items()},
        retention_deadline=None if deadline is None else deadline.isoformat(),
        seconds=seconds,
    )
