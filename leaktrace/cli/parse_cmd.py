"""``leaktrace parse``: show what LeakTrace reads in release names."""

from __future__ import annotations

from dataclasses import fields
from typing import Annotated, Any

import typer
from rich.table import Table

from leaktrace.cli.context import DbOption, FormatOption, open_context, out
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.releases import ParsedRelease
from leaktrace.releases import parse as parse_name
from leaktrace.services.context import register_parser_sites
from leaktrace.services.works import match_names

#: what the table and CSV show, in the model's order (its name is the table's title)
FIELDS = tuple(f.name for f in fields(ParsedRelease) if f.name not in ("name", "extras"))


def parse(
    names: Annotated[list[str], typer.Argument(help="Release names.", show_default=False)],
    match: Annotated[
        bool,
        typer.Option(
            "--match",
            help="Also match each name against the catalogue in the database and "
            "check it for a leak as if released now.",
        ),
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Parse release names and show their fields (and, with --match, the work).

    Site names configured in ``[parser]`` (extra_sites, sites_file) are known too."""
    if match:
        with open_context(db) as ctx:  # building the context registers the sites
            results: list[dict[str, Any]] = [parse_name(n).to_dict() for n in names]
            matches = match_names(ctx, local_operator(), names)
        for result, found in zip(results, matches, strict=True):
            result["match"] = found.to_json()
    else:
        register_parser_sites(load_settings(db=db).parser)
        results = [parse_name(n).to_dict() for n in names]
    if fmt is Format.json:
        emit_json(out, results)
        return
    if fmt is Format.csv:
        flat = [{k: _text(v) for k, v in r.items() if k != "match"} for r in results]
        emit_rows(out, flat, fmt, columns=[(k, k) for k in ("name", *FIELDS)])
        return
    for result in results:
        table = Table(
            title=result["name"], show_header=False, title_justify="left", title_style="bold"
        )
        table.add_column("field", style="cyan")
        table.add_column("value")
        for key in FIELDS:
            value = result.get(key)
            text = "-".join(map(str, value)) if key == "year_range" and value else _text(value)
            if text:
                table.add_row(key, text)
        if "match" in result:
            m = result["match"]
            table.add_row("work", f"{m['work_id'] or '—'} (score {m['score']:g})")
            table.add_row("why", m["reason"])
        out.print(table)


def _text(value: object) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "yes"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)
