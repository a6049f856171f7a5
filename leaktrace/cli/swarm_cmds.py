"""``leaktrace swarm import|keygen|retention``."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from leaktrace.cli.context import (
    DbOption,
    FormatOption,
    context_of,
    out,
    require_file,
)
from leaktrace.cli.output import Format, emit_json
from leaktrace.config import load_settings
from leaktrace.geo import open_lookup
from leaktrace.identity.actor import local_operator
from leaktrace.services.swarm import import_swarm, swarm_retention
from leaktrace.services.swarm_exports import ExportExpiry, expire_exports
from leaktrace.swarm.importer import SwarmImportReport
from leaktrace.swarm.keys import KEY_ENV, KEY_FILE_ENV, resolve_swarm_key, write_key_file
from leaktrace.swarm.retention import (
    RETENTION_ENV,
    retention_days,
)

__all__ = ["app", "import_", "keygen", "retention"]

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
            help="File holding the secret key for peers' keyed hashes, from 'leaktrace swarm "
            f"keygen' (env: {KEY_FILE_ENV}; or the key itself in {KEY_ENV})",
            show_default=False,
        ),
    ] = None,
    geoip: Annotated[
        list[Path] | None,
        typer.Option(
            "--geoip",
            envvar="LEAKTRACE_GEOIP",
            help="MaxMind DB file for countries (GeoLite2-Country/City, DB-IP, IPinfo …); "
            "repeatable: the first that knows an address's country answers "
            "(LEAKTRACE_GEOIP: paths separated by ':') (default: the built-in "
            "ip-location-db country data; see leaktrace geo info)",
            show_default=False,
        ),
    ] = None,
    asn_db: Annotated[
        Path | None,
        typer.Option(
            "--asn-db",
            envvar="LEAKTRACE_ASN_DB",
            help="MaxMind DB file for ASNs (GeoLite2-ASN, IPinfo Lite …) "
            "(default: the built-in ip-location-db ASN data)",
            show_default=False,
        ),
    ] = None,
    default_geoip: Annotated[
        bool,
        typer.Option(
            "--default-geoip/--no-default-geoip",
            help="Use the built-in GeoIP data (ip-location-db, CC BY 4.0) where no file "
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
    and ASN are looked up offline: in the built-in GeoIP data unless
    --geoip/--asn-db is given. Rows tagged infrastructure, seedbox,
    initial-seeder or server keep address and port in clear. Clients are kept
    only as a recognised name and version, else 'unknown'. Bad rows are
    reported and skipped (unless --strict). The first import ties the database
    to its key; another key is refused. See docs/swarm-format.md.
    """
    for path in files:
        require_file(path)
    settings = load_settings(db=db)
    configured = settings.swarm_key.get_secret_value() if settings.swarm_key else None
    key = resolve_swarm_key(key_file, configured, configured_file=settings.swarm_key_file)
    with context_of(settings) as ctx, open_lookup(geoip, asn_db, bundled=default_geoip) as geo:
        report = import_swarm(
            ctx, local_operator(), files, key.secret, geo, strict=strict, key_source=key.source
        )
        display = ctx.database.display
    if fmt is not Format.table:
        emit_json(out, report.as_dict())
        return
    _print_import(report, display)


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
    for note in [*report.geo_notes, *report.notes]:
        out.print(f"  {note}", style="yellow", markup=False, highlight=False)


@app.command("keygen")
def keygen(
    out_file: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Write the new key to this file (created with mode 0600; never overwritten).",
            show_default=False,
        ),
    ],
    fmt: FormatOption = Format.table,
) -> None:
    """Make a new secret swarm key (64 hex digits) in a file only you can read.

    Make it once and keep it: a database is tied to the key of its first
    import and refuses any other. Use it with --key-file FILE, or set
    LEAKTRACE_SWARM_KEY_FILE=FILE (or swarm_key_file in config.toml).
    """
    check = write_key_file(out_file)
    if fmt is not Format.table:
        emit_json(out, {"key_file": str(out_file), "mode": "0600", "key_check": check[:12]})
        return
    out.print(f"new swarm key written to {escape(str(out_file))} (mode 0600, check {check[:12]})")
    out.print(f"use it with --key-file {escape(str(out_file))} or {KEY_FILE_ENV}=… ; back it up")


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
    exports: Annotated[
        list[Path] | None,
        typer.Option(
            "--exports",
            help="Also remove expired Parquet exports ('leaktrace export') in this folder: "
            "the folder itself or its sub-folders that are exports (repeatable).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option(help="Only count (and list) what would be deleted.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Delete swarm observations older than the retention period, and say how many.

    With --exports DIR, exports whose retention deadline (in their manifest, or
    earlier under a shorter period now) has passed are removed too: only the
    files their manifest lists, and the folder once empty.
    """
    settings = load_settings(db=db)
    kept = retention_days(days, settings.swarm_retention_days)
    for folder in exports or []:  # a wrong folder or a damaged manifest: nothing deleted yet
        expire_exports(folder, kept, dry_run=True)
    with context_of(settings) as ctx:
        report = swarm_retention(ctx, local_operator(), days=kept, dry_run=dry_run)
    swept: list[ExportExpiry] = []
    for folder in exports or []:
        swept.extend(expire_exports(folder, kept, dry_run=dry_run))
    if fmt is not Format.table:
        result = report.to_json()
        if exports:
            result["exports"] = [e.as_dict() for e in swept]
        emit_json(out, result)
        return
    when = datetime.fromisoformat(report.cutoff).strftime("%Y-%m-%d %H:%M UTC")
    if dry_run:
        out.print(
            f"{report.older_than_cutoff} observations older than {kept} days (before {when}) "
            "would be deleted (dry run)"
        )
    else:
        out.print(f"deleted {report.deleted} observations older than {kept} days (before {when})")
    if exports:
        _print_exports(swept, dry_run)


def _print_exports(swept: list[ExportExpiry], dry_run: bool) -> None:
    verb = "would remove" if dry_run else "removed"
    for found in swept:
        folder = escape(str(found.folder))
        if found.deadline is None:
            out.print(f"  export {folder}: no swarm observations, kept")
        elif not found.expired:
            out.print(f"  export {folder}: kept until {found.deadline:%Y-%m-%d %H:%M UTC}")
        else:
            gone = " and the folder" if found.folder_removed else ""
            out.print(
                f"  export {folder}: expired {found.deadline:%Y-%m-%d %H:%M UTC}, {verb} "
                f"{', '.join(found.removed)}{gone}"
            )
    expired = sum(1 for found in swept if found.expired)
    out.print(f"{len(swept)} exports found, {expired} expired" + (" (dry run)" if dry_run else ""))
