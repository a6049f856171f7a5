"""``leaktrace impact``: downloads and losses from swarm observations, as ranges."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from leaktrace.cli.context import (
    DbOption,
    EngineOption,
    FormatOption,
    MasterOption,
    ParquetOption,
    open_context,
    out,
    parse_when,
)
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.cli.targets_cmd import engine_name
from leaktrace.errors import InputError
from leaktrace.impact.model import ImpactFilter
from leaktrace.impact.report import parse_dimensions
from leaktrace.infra.targets import normalise_country
from leaktrace.services.impact import ImpactView, impact_assumptions, impact_estimate

__all__ = ["impact"]

RangeOption = str | None


def _option(name: str) -> str:
    return "--" + name.replace("_", "-")


def impact(
    db: DbOption = None,
    work: Annotated[str | None, typer.Option("--work", help="Only this work id.")] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Only peers in this country (XX).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Only observations from this date or ISO time on.")
    ] = None,
    until: Annotated[str | None, typer.Option(help="Only observations before this.")] = None,
    by: Annotated[
        str, typer.Option("--by", help="Rows per work, country, day, or e.g. work,country.")
    ] = "work",
    displacement: Annotated[
        RangeOption,
        typer.Option(
            help="Legal views displaced per download: X, LOW:HIGH or LOW:CENTRAL:HIGH "
            "(default: 0.2:0.3:0.4, EU Commission/Ecorys 2017)",
            show_default=False,
        ),
    ] = None,
    price: Annotated[
        RangeOption,
        typer.Option(
            help="Revenue per displaced view (default: 4:6:8, an assumption)",
            show_default=False,
        ),
    ] = None,
    currency: Annotated[str, typer.Option(help="Currency of --price.")] = "EUR",
    coverage: Annotated[
        RangeOption,
        typer.Option(help="Share of the swarm observed (default: 0.25:0.5:1)", show_default=False),
    ] = None,
    finish_share: Annotated[
        RangeOption,
        typer.Option(
            help="Share of incomplete peers that finished unseen (default: 0:0.5:1)",
            show_default=False,
        ),
    ] = None,
    uplift: Annotated[
        RangeOption,
        typer.Option(
            help="Extra loss for pre-release leaks (default: 0.191, Ma et al. 2014)",
            show_default=False,
        ),
    ] = None,
    no_uplift: Annotated[
        bool, typer.Option("--no-uplift", help="Never apply the pre-release uplift.")
    ] = False,
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Count distinct peers exactly (COUNT DISTINCT) instead of with the engine's "
            "HyperLogLog sketch.",
        ),
    ] = False,
    engine: EngineOption = "duckdb",
    master: MasterOption = "local[*]",
    parquet: ParquetOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Estimate downloads and losses per work, country and day from swarm observations.

    The result is a range (low, central, high) and every assumption behind it is shown
    and can be overridden. The distinct peers are counted by the analytics engine
    (embedded DuckDB by default; --engine spark for large data) over a Parquet export of
    the database, or over --parquet DIR. See docs/impact.md for the method and its caveats.
    """
    try:
        dims = parse_dimensions(by)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--by") from None
    try:
        assumptions = impact_assumptions(
            displacement=displacement,
            price=price,
            currency=currency,
            coverage=coverage,
            finish_share=finish_share,
            uplift=uplift,
            no_uplift=no_uplift,
            field=_option,
        )
    except InputError as exc:
        raise typer.BadParameter(exc.reason, param_hint=exc.field) from None
    country_code = None if country is None else normalise_country(country)
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    if start is not None and end is not None and start >= end:
        raise InputError("--since must be before --until", field="--since")
    filters = ImpactFilter(work_id=work, country=country_code, since=start, until=end)
    runner = engine_name(engine)
    with open_context(db) as ctx:
        report = impact_estimate(
            ctx,
            filters,
            dims,
            assumptions,
            exact=exact,
            engine=runner,
            master=master,
            parquet=parquet,
        )
    if fmt is Format.json:
        emit_json(out, report.to_json())
    elif fmt is Format.csv:
        emit_rows(out, [_flat(row) for row in report.rows], fmt, columns=[])
    else:
        _print_impact(report)


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            for part, inner in value.items():
                flat[f"{key}_{part}"] = inner
        else:
            flat[key] = value
    return flat


def _money(value: float) -> str:
    return f"{value:,.0f}"


def _span(values: dict[str, Any], money: bool = False) -> str:
    show = _money if money else (lambda v: f"{v:,.0f}")
    return f"{show(values['low'])} – {show(values['central'])} – {show(values['high'])}"


def _print_impact(report: ImpactView) -> None:
    data = report.to_json()
    assumptions = Table(title="Assumptions", header_style="bold cyan")
    for header in ("assumption", "low", "central", "high", "unit", "source"):
        assumptions.add_column(header, overflow="fold")
    for name, value in data["assumptions"].items():
        if not isinstance(value, dict):
            continue
        label = name
        if name == "pre_release_uplift" and not value.get("applied", True):
            label += " (off)"
        assumptions.add_row(
            label,
            f"{value['low']:g}",
            f"{value['central']:g}",
            f"{value['high']:g}",
            str(value.get("unit", "")),
            str(value.get("source", "")),
        )
    out.print(assumptions)
    currency = str(data["assumptions"]["currency"])
    rows = []
    for row in report.rows:
        shown: dict[str, Any] = {str(key): row.get(key) for key in report.by}
        if "work" in report.by and row.get("title"):
            shown["work"] = f"{row['work']} — {row['title']}"
        shown["peers"] = row["observed_peers"]
        shown["completed"] = row["observed_completed"]
        shown["downloads"] = _span(row["downloads"])
        shown["losses"] = _span(row["losses"], money=True)
        shown["pre"] = "yes" if row["pre_release"] else ""
        rows.append(shown)
    columns = [(dim, dim) for dim in report.by] + [
        ("peers", "peers seen"),
        ("completed", "completed"),
        ("downloads", "downloads low – central – high"),
        ("losses", f"losses {currency} low – central – high"),
        ("pre", "pre-release"),
    ]
    emit_rows(out, rows, Format.table, columns=columns, title="Estimated impact")
    total = data["total"]
    counting = data["counting"]
    exact = counting["kind"] == "COUNT DISTINCT"
    error = "" if exact else f", relative error {counting['relative_error']:.1%}"
    out.print(f"[dim]distinct peers: {counting['kind']} on {counting['engine']}{error}[/]")
    out.print(
        f"[bold]total[/] ({total['works']} works, {report.observations} observations): "
        f"downloads {_span(total['downloads'])}; losses {currency} "
        f"{_span(total['losses'], money=True)}"
    )
    out.print(
        "[dim]A range of scenarios, not a confidence interval: low combines every "
        "assumption's low end, high every high end. See docs/impact.md.[/]"
    )
