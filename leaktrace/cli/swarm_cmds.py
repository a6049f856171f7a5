"""``leaktrace swarm import|retention`` and ``leaktrace impact``.

The lead registers them in ``leaktrace/cli/app.py``::

    app.add_typer(swarm_cmds.app, name="swarm")
    app.command()(swarm_cmds.impact)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from leaktrace.cli.context import DbOption, FormatOption, open_database, out, parse_when
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.errors import InputError
from leaktrace.impact.cube import parse_dimensions
from leaktrace.impact.hll import DEFAULT_PRECISION, MAX_PRECISION, MIN_PRECISION
from leaktrace.impact.model import DEFAULT_ASSUMPTIONS, Range, parse_range
from leaktrace.impact.report import ImpactReport, impact_report
from leaktrace.store.swarm import ImpactFilter
from leaktrace.swarm.geo import GeoLookup
from leaktrace.swarm.importer import SwarmImportReport, import_swarm_files
from leaktrace.swarm.privacy import KEY_ENV, load_swarm_key
from leaktrace.swarm.retention import RETENTION_ENV, apply_retention, retention_days

__all__ = ["app", "impact", "import_", "retention"]

app = typer.Typer(
    name="swarm",
    help="Swarm observations: peers seen in torrent swarms, stored with privacy by default "
    "(downloaders only as keyed hashes with country and ASN).",
    no_args_is_help=True,
)


@app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="Swarm files: CSV with a header, or JSON Lines.", show_default=False),
    ],
    db: DbOption = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help=f"File holding the secret key for peers' keyed hashes (env: {KEY_ENV})",
            show_default=False,
        ),
    ] = None,
    geoip: Annotated[
        Path | None,
        typer.Option(
            "--geoip",
            help="Country MaxMind DB (.mmdb) (default: the bundled Geoacumen country DB)",
            show_default=False,
        ),
    ] = None,
    asn_db: Annotated[
        Path | None,
        typer.Option("--asn-db", help="ASN MaxMind DB (.mmdb), e.g. GeoLite2-ASN."),
    ] = None,
    strict: Annotated[
        bool, typer.Option(help="Stop at the first bad row and write nothing.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Import swarm observations in one transaction; re-importing adds nothing.

    Ordinary peers' addresses are never stored: each becomes a keyed hash (HMAC-SHA256)
    plus country and ASN, and their ports are dropped. Rows tagged infrastructure,
    seedbox, initial-seeder or server keep address and port in clear. Bad rows are
    reported and skipped (unless --strict). See docs/swarm-format.md.
    """
    for path in files:
        if not path.is_file():
            raise InputError("no such file", file=str(path))
    settings, database = open_database(db)
    configured = settings.swarm_key.get_secret_value() if settings.swarm_key else None
    key = load_swarm_key(key_file, configured)
    with database, GeoLookup.default(geoip, asn_db) as geo:
        report = import_swarm_files(database, files, key, geo, strict=strict)
    if fmt is not Format.table:
        emit_json(out, report.as_dict())
        return
    _print_import(report, database.display)


def _print_import(report: SwarmImportReport, target: str) -> None:
    out.print(f"[bold]{report.lines}[/] rows in {report.seconds:.2f}s → {target}")
    rejected = f"[red]rejected {report.rejected}[/]" if report.rejected else "rejected 0"
    out.print(f"  accepted {report.accepted}, {rejected}")
    out.print(
        f"  observations: {report.added} added, {report.duplicates} already stored; "
        f"{report.peers} peers hashed, {report.infrastructure} infrastructure in clear"
    )
    out.print(
        f"  torrents: {report.linked} rows tied to a known release, {report.unlinked} not "
        f"(yet); {report.relinked} earlier rows tied now"
    )
    for error in report.errors:
        out.print(f"  [red]skipped[/] {error}", markup=True, highlight=False)
    if report.rejected > len(report.errors):
        out.print(f"  … and {report.rejected - len(report.errors)} more bad rows")


@app.command("retention")
def retention(
    db: DbOption = None,
    days: Annotated[
        int | None,
        typer.Option(
            min=1,
            help=f"Keep this many days (env: {RETENTION_ENV}; default: 180)",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[bool, typer.Option(help="Only count what would be deleted.")] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Delete swarm observations older than the retention period, and say how many."""
    settings, database = open_database(db)
    kept = retention_days(days, settings.swarm_retention_days)
    with database:
        report = apply_retention(database, kept, dry_run=dry_run)
    if fmt is not Format.table:
        emit_json(out, report.as_dict())
        return
    when = report.cutoff.strftime("%Y-%m-%d %H:%M UTC")
    if dry_run:
        out.print(
            f"{report.matched} observations older than {kept} days (before {when}) "
            "would be deleted (dry run)"
        )
    else:
        out.print(f"deleted {report.deleted} observations older than {kept} days (before {when})")


RangeOption = str | None


def _range(value: str | None, option: str, maximum: float | None = None) -> Range | None:
    if value is None:
        return None
    try:
        return parse_range(value, maximum=maximum)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=option) from None


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
    precision: Annotated[
        int,
        typer.Option(
            min=MIN_PRECISION, max=MAX_PRECISION, help="HyperLogLog precision (2**p registers)."
        ),
    ] = DEFAULT_PRECISION,
    fmt: FormatOption = Format.table,
) -> None:
    """Estimate downloads and losses per work, country and day from swarm observations.

    The result is a range (low, central, high) and every assumption behind it is shown
    and can be overridden. See docs/impact.md for the method and its caveats.
    """
    try:
        dims = parse_dimensions(by)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--by") from None
    coverage_range = _range(coverage, "--coverage", 1.0)
    if coverage_range is not None and coverage_range.low <= 0:
        raise typer.BadParameter("coverage must be above 0", param_hint="--coverage")
    currency_code = currency.strip().upper()
    if not (currency_code.isalpha() and len(currency_code) == 3):
        raise typer.BadParameter("a three-letter currency code", param_hint="--currency")
    assumptions = DEFAULT_ASSUMPTIONS.with_overrides(
        displacement=_range(displacement, "--displacement", 1.0),
        price=_range(price, "--price"),
        currency=currency_code,
        coverage=coverage_range,
        finish_share=_range(finish_share, "--finish-share", 1.0),
        pre_release_uplift=_range(uplift, "--uplift"),
        apply_uplift=not no_uplift,
    )
    country_code = None if country is None else country.strip().upper()
    if country_code is not None and not (len(country_code) == 2 and country_code.isalpha()):
        raise typer.BadParameter("a two-letter country code", param_hint="--country")
    filters = ImpactFilter(
        work_id=work,
        country=country_code,
        since=parse_when(since, "--since"),
        until=parse_when(until, "--until"),
    )
    _, database = open_database(db)
    with database:
        report = impact_report(database, filters, dims, assumptions, precision=precision)
    if fmt is Format.json:
        emit_json(out, report.as_dict())
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


def _print_impact(report: ImpactReport) -> None:
    data = report.as_dict()
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
    currency = report.assumptions.currency
    rows = []
    for row in report.rows:
        shown: dict[str, Any] = {str(key): row.get(key) for key in report.dims}
        if "work" in report.dims and row.get("title"):
            shown["work"] = f"{row['work']} — {row['title']}"
        shown["peers"] = row["observed_peers"]
        shown["completed"] = row["observed_completed"]
        shown["downloads"] = _span(row["downloads"])
        shown["losses"] = _span(row["losses"], money=True)
        shown["pre"] = "yes" if row["pre_release"] else ""
        rows.append(shown)
    columns = [(dim, dim) for dim in report.dims] + [
        ("peers", "peers seen"),
        ("completed", "completed"),
        ("downloads", "downloads low – central – high"),
        ("losses", f"losses {currency} low – central – high"),
        ("pre", "pre-release"),
    ]
    emit_rows(out, rows, Format.table, columns=columns, title="Estimated impact")
    total = data["total"]
    out.print(
        f"[bold]total[/] ({total['works']} works, {report.observations} observations): "
        f"downloads {_span(total['downloads'])}; losses {currency} "
        f"{_span(total['losses'], money=True)}"
    )
    out.print(
        "[dim]A range of scenarios, not a confidence interval: low combines every "
        "assumption's low end, high every high end. See docs/impact.md.[/]"
    )
