"""``leaktrace catalog``: import and list protected works."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leaktrace.catalog.csv_import import CatalogFormat
from leaktrace.cli.context import (
    DbOption,
    FormatOption,
    LimitOption,
    err,
    gather,
    open_context,
    out,
    row_limit,
)
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.identity.actor import local_operator
from leaktrace.services.works import WorkQuery, import_catalog, list_works

app = typer.Typer(help="Import and list the catalogue of protected works.", no_args_is_help=True)


@app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(help="Catalogue CSV (LeakTrace or TMDB columns).", show_default=False)
    ],
    db: DbOption = None,
    kind: Annotated[
        str, typer.Option("--kind", help="File layout: auto, leaktrace or tmdb.")
    ] = "auto",
    reassess: Annotated[
        bool,
        typer.Option(help="Match and check stored releases again against the updated catalogue."),
    ] = True,
    fmt: FormatOption = Format.table,
) -> None:
    """Import works from FILE; works with a known id are updated in place.

    The whole file is checked first: one bad row and nothing is imported.
    """
    if kind not in ("auto", "leaktrace", "tmdb"):
        raise typer.BadParameter("must be auto, leaktrace or tmdb", param_hint="--kind")
    chosen: CatalogFormat = "auto" if kind == "auto" else "tmdb" if kind == "tmdb" else "leaktrace"
    with open_context(db) as ctx:
        with err.status(f"importing {file} …"):
            report = import_catalog(
                ctx, local_operator(), file, fmt=chosen, reassess_releases=reassess
            )
        target = ctx.database.display
    if fmt is not Format.table:
        emit_json(out, report.to_json())
        return
    out.print(
        f"[bold]{report.works}[/] works in {file}: [green]{report.added} added[/], "
        f"[yellow]{report.updated} updated[/], {report.unchanged} unchanged "
        f"→ {target}"
    )
    if report.reassessed is not None and report.reassessed.releases:
        r = report.reassessed
        out.print(
            f"reassessed {r.releases} stored releases: {r.changed} changed, "
            f"{r.new_alerts} new leak alerts, {r.cleared_alerts} cleared"
        )


@app.command("list")
def list_command(
    search: Annotated[str | None, typer.Argument(help="Part of a title.")] = None,
    db: DbOption = None,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List works with their windows and how many releases and leaks they have."""
    me = local_operator()
    with open_context(db) as ctx:
        views, _ = gather(
            lambda size, cursor: list_works(
                ctx, me, WorkQuery(search=search, limit=size, cursor=cursor)
            ),
            row_limit(limit, fmt),
        )
    rows = [v.to_json() for v in views]
    emit_rows(
        out,
        rows,
        fmt,
        title="Works",
        columns=[
            ("id", "id"),
            ("kind", "kind"),
            ("title", "title"),
            ("year", "year"),
            ("season", "season"),
            ("country", "country"),
            ("theatrical", "theatrical"),
            ("digital", "digital"),
            ("physical", "physical"),
            ("broadcast", "broadcast"),
            ("releases", "releases"),
            ("leaks", "leaks"),
        ],
    )
