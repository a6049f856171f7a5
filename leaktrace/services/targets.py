"""Action-day targets: one country's target sheet, sheets written to files, and the
servers and leaks per country (the world map)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from leaktrace.infra.cluster import DEFAULT_MIN_STRENGTH
from leaktrace.infra.target_files import write_targets
from leaktrace.infra.targets import (
    UNKNOWN_SHEET,
    build_all_targets,
    build_targets,
    country_stats,
    sheet_code,
)
from leaktrace.infra.worldmap import country_name, world_map_svg
from leaktrace.services.analytics import parquet_source
from leaktrace.services.context import AppContext
from leaktrace.services.hosts import cluster_settings
from leaktrace.services.targets_views import (
    CountryCount,
    TargetFilesView,
    TargetsView,
    WorldMapView,
)
from leaktrace.store.infra import load_hosts

if TYPE_CHECKING:
    from leaktrace.analytics.engines import Engine

__all__ = ["UNKNOWN_SHEET", "country_targets", "world_map", "write_target_files"]


def _engine(ctx: AppContext, engine: str | None, master: str) -> Engine | None:
    """``None``: a private embedded DuckDB for this call (safe in a web worker thread)."""
    return None if engine is None else ctx.engine(engine, master=master)


def country_targets(
    ctx: AppContext,
    country: str,
    *,
    min_strength: float = DEFAULT_MIN_STRENGTH,
    engine: str | None = None,
    master: str = "local[*]",
    parquet: Path | None = None,
) -> TargetsView:
    """The target sheet of ``country`` (ISO alpha-2, ``UK`` is ``GB``; or ``unknown``):
    its servers with the evidence tying each to releases and groups, and the clusters.

    ``engine`` names the analytics engine for the listing (default: a private embedded
    DuckDB over an export of the database; ``parquet``: read that export instead)."""
    code = sheet_code(country)
    settings = cluster_settings(ctx, min_strength)
    sheet = build_targets(
        ctx.database,
        code,
        settings=settings,
        engine=_engine(ctx, engine, master),
        source=parquet_source(parquet),
    )
    return TargetsView.of(sheet)


def write_target_files(
    ctx: AppContext,
    out_dir: Path,
    *,
    country: str | None = None,
    min_strength: float = DEFAULT_MIN_STRENGTH,
    engine: str | None = None,
    master: str = "local[*]",
    parquet: Path | None = None,
) -> TargetFilesView:
    """Write ``targets-XX.csv|json|html`` into ``out_dir`` for ``country``, or for every
    country with servers and ``unknown`` if any (``country`` None)."""
    settings = cluster_settings(ctx, min_strength)
    runner = _engine(ctx, engine, master)
    source = parquet_source(parquet)
    if country is None:
        sheets = build_all_targets(ctx.database, settings=settings, engine=runner, source=source)
    else:
        sheet = build_targets(
            ctx.database, sheet_code(country), settings=settings, engine=runner, source=source
        )
        sheets = {sheet.country: sheet}
    written = [str(p) for s in sheets.values() for p in write_targets(s, out_dir)]
    return TargetFilesView(
        written=written,
        countries=sorted(sheets),
        servers={code: len(s.hosts) for code, s in sheets.items()},
        unlocated=next(iter(sheets.values())).unlocated if sheets else 0,
    )


def world_map(ctx: AppContext) -> WorldMapView:
    """Servers and leaks per country (most servers first) and the world map of servers."""
    with ctx.database.reading() as conn:
        hosts = load_hosts(conn, locations=False)
    servers, leaks = country_stats(hosts)
    countries = [
        CountryCount(country=c, name=country_name(c), servers=n, leaks=leaks.get(c, 0))
        for c, n in sorted(servers.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return WorldMapView(
        countries=countries,
        unlocated=sum(1 for h in hosts if not h.country),
        svg=world_map_svg(servers, "Servers per country", unit="servers"),
    )
