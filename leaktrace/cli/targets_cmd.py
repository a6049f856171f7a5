"""``leaktrace targets``: the action-day target list of a country (or sheets to files)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from leaktrace.cli.context import (
    DbOption,
    EngineOption,
    FormatOption,
    MasterOption,
    ParquetOption,
    open_context,
    out,
)
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.errors import InputError
from leaktrace.infra.cluster import DEFAULT_MIN_STRENGTH
from leaktrace.infra.target_files import rows_csv
from leaktrace.infra.worldmap import country_name
from leaktrace.services.targets import UNKNOWN_SHEET, country_targets, write_target_files
from leaktrace.services.targets_views import TargetsView

__all__ = ["MinStrengthOption", "check_engine", "engine_name", "targets"]

MinStrengthOption = Annotated[
    float,
    typer.Option(min=0.0, max=1.0, help="Weakest combined tie that joins two hosts."),
]

TARGET_COLUMNS = (
    ("cluster", "cluster"),
    ("server", "server"),
    ("role", "role"),
    ("provider", "provider"),
    ("asn", "ASN"),
    ("location_text", "located by"),
    ("first_seen", "first seen"),
    ("last_seen", "last seen"),
    ("releases_n", "releases"),
    ("groups_text", "groups"),
    ("evidence_text", "evidence"),
)


TARGET_OPTIONAL = ("releases_n", "groups_text", "first_seen", "provider", "asn", "evidence_text")
"""Dropped in this order when the table does not fit the terminal (the CSV/JSON keep all)."""


def _table_rows(sheet: TargetsView) -> list[dict[str, Any]]:
    rows = [h.to_json() for h in sheet.hosts]
    for row in rows:
        row["releases_n"] = len(row["releases"])
        row["groups_text"] = ", ".join(row["groups"])
        refs = [line.split(" — ", 1)[0] for line in row["evidence"]]
        row["evidence_text"] = ", ".join(refs[:3]) + (f" +{len(refs) - 3}" if len(refs) > 3 else "")
        located = (row["country_source"] or "").split(" (", 1)[0] or "—"
        if row["disagreement"]:
            located += f"; differ: {row['disagreement']}"
        row["location_text"] = located
        row["first_seen"] = (row["first_seen"] or "")[:10] or None
        row["last_seen"] = (row["last_seen"] or "")[:10] or None
    return rows


def check_engine(engine: str) -> str:
    """``--engine``, which must name one of the analytics engines."""
    from leaktrace.analytics.engines import ENGINES

    if engine not in ENGINES:
        raise typer.BadParameter(f"must be {' or '.join(ENGINES)}", param_hint="--engine")
    return engine


def engine_name(engine: str) -> str | None:
    """``--engine`` for the services: None for the default, a private embedded DuckDB."""
    return None if check_engine(engine) == "duckdb" else engine


def targets(
    country: Annotated[
        str | None,
        typer.Option(
            help="The country (ISO 3166-1 alpha-2, e.g. DE), or 'unknown' for the servers "
            "no source locates."
        ),
    ] = None,
    all_countries: Annotated[
        bool,
        typer.Option(
            "--all", help="Every country with servers, and 'unknown' if any (needs --out)."
        ),
    ] = False,
    out_dir: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Write targets-XX.csv, targets-XX.json and a printable targets-XX.html here.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    min_strength: MinStrengthOption = DEFAULT_MIN_STRENGTH,
    engine: EngineOption = "duckdb",
    master: MasterOption = "local[*]",
    parquet: ParquetOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Action-day target list: the servers in a country, with the evidence tying each to
    releases and groups (each reference with what it is), provider, ASN, first/last seen,
    where the country comes from (and each source's answer where they differ) and
    cluster; ties to servers in other countries follow the country's own servers.

    The listing runs on the analytics engine (embedded DuckDB by default, --engine spark
    for large data) over an export of the database, or over --parquet DIR ('leaktrace
    export'); the clusters come from the database."""
    if all_countries == (country is not None):
        raise InputError("give either --country XX or --all", field="--country")
    if all_countries and out_dir is None:
        raise InputError("--all writes one set of files per country: give --out DIR", field="--out")
    runner = engine_name(engine)
    options: dict[str, Any] = {
        "min_strength": min_strength,
        "engine": runner,
        "master": master,
        "parquet": parquet,
    }
    with open_context(db) as ctx:
        if out_dir is not None:
            files = write_target_files(ctx, out_dir, country=country, **options)
            sheet = None
        else:
            assert country is not None
            sheet = country_targets(ctx, country, **options)
    if sheet is None:
        assert out_dir is not None
        if fmt is not Format.table:
            emit_json(out, files.to_json())
            return
        for code in files.countries:
            name = "no known country" if code == UNKNOWN_SHEET else country_name(code)
            out.print(
                f"[bold]{code}[/] {escape(name)}: {files.servers.get(code, 0)} servers → "
                f"{escape(str(out_dir / f'targets-{code}'))}.{{csv,json,html}}"
            )
        if not files.countries:
            out.print("no servers: run 'leaktrace hosts collect' or 'leaktrace hosts import'")
        unlocated, codes = files.unlocated, set(files.countries)
    else:
        _print_sheet(sheet, fmt)
        if fmt is not Format.table:
            return
        unlocated, codes = sheet.unlocated, {sheet.country}
    if unlocated and fmt is Format.table and UNKNOWN_SHEET not in codes:
        out.print(
            f"[yellow]{unlocated} host(s) have no country[/]: they are on the "
            f"'{UNKNOWN_SHEET}' sheet (--country {UNKNOWN_SHEET})"
        )


def _print_sheet(sheet: TargetsView, fmt: Format) -> None:
    if fmt is Format.json:
        emit_json(out, sheet.to_json())
        return
    if fmt is Format.csv:
        out.file.write(rows_csv(sheet.country, [h.to_json() for h in sheet.hosts]))
        return
    emit_rows(
        out,
        _table_rows(sheet),
        fmt,
        columns=TARGET_COLUMNS,
        title=sheet.title,
        whole=("server", "cluster"),
        optional=TARGET_OPTIONAL,
    )
    for summary in sheet.ties_to_other_countries:
        if summary.elsewhere:
            places = ", ".join(
                f"{'no known country' if k == UNKNOWN_SHEET else k} {len(v)}"
                for k, v in summary.elsewhere.items()
            )
            out.print(
                f"{summary.cluster}: tied to servers not on this sheet: {escape(places)}"
                f" ({summary.ties_across} ties across; --out writes them all)"
            )
    for note in sheet.notes:
        out.print(f"[dim]{escape(note)}[/]")
