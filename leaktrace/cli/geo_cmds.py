"""``leaktrace geo info|update|reset``: the offline GeoIP data used by default."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from leaktrace.cli.context import FormatOption, out
from leaktrace.cli.output import Format, emit_rows
from leaktrace.geo.bundled import (
    DATASETS,
    BundledDataset,
    bundled_data_dir,
    bundled_dataset,
    installed_data_dir,
    sha256_of,
    shipped_dataset,
)
from leaktrace.geo.install import FILE_MODE, install_files, reset_installed

__all__ = ["app", "info", "reset", "update"]

app = typer.Typer(
    name="geo",
    help="The offline GeoIP data (country, ASN) used when no --geoip/--asn-db file is given: "
    "what is in use, and installing newer files.",
    no_args_is_help=True,
)


README = bundled_data_dir() / "README.md"


class Kind(StrEnum):
    country = "country"
    asn = "asn"


KindOption = Annotated[
    Kind | None,
    typer.Option(
        "--kind", help="Only this kind (default: each kind the file carries).", show_default=False
    ),
]


def _checksum(dataset: BundledDataset) -> str:
    try:
        digest = sha256_of(dataset.file)
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    return "ok" if digest == dataset.sha256 else "MISMATCH"


def _row(dataset: BundledDataset, state: str) -> dict[str, Any]:
    return {
        "kind": dataset.kind,
        "state": state,
        "name": dataset.name or dataset.file.name,
        "path": str(dataset.file),
        "database_type": dataset.database_type,
        "built": dataset.build_date.isoformat() if dataset.build_date else None,
        "licence": dataset.licence,
        "attribution": dataset.attribution,
        "source": dataset.source,
        "sha256": dataset.sha256,
        "checksum": _checksum(dataset),
    }


@app.command()
def info(fmt: FormatOption = Format.table) -> None:
    """Which GeoIP files are used by default: build date, source, licence, hash.

    An installed file (leaktrace geo update) is used instead of the shipped one of its
    kind; each file's SHA-256 is checked against the hash pinned in LeakTrace (shipped
    files) or recorded at install."""
    rows: list[dict[str, Any]] = []
    for kind in DATASETS:
        in_use = bundled_dataset(kind)
        rows.append(_row(in_use, "installed, in use" if in_use.installed else "shipped, in use"))
        if in_use.installed:
            rows.append(_row(shipped_dataset(kind), "shipped, not used"))
    if fmt is not Format.table:
        emit_rows(out, rows, fmt, columns=[])
        return
    for row in rows:
        out.print(f"[bold]{row['kind']}[/]: {row['name']} ({row['state']})", highlight=False)
        for key in ("path", "database_type", "built", "licence", "attribution", "source"):
            out.print(
                f"  {key.replace('_', ' ')}: {row[key] or '—'}", highlight=False, markup=False
            )
        out.print(
            f"  sha256: {row['sha256']} (checksum {row['checksum']})", highlight=False, markup=False
        )
    if any(row["state"] == "shipped, in use" for row in rows):
        out.print(
            "note: the shipped files are a snapshot of ip-location-db's npm data, which its "
            "maintainer says has known errors; install newer files (leaktrace geo update) and "
            f"confirm a country with a second source. Details: {README}",
            highlight=False,
            markup=False,
        )
    out.print(f"installed files go to {installed_data_dir()}", highlight=False, markup=False)


@app.command()
def update(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="MaxMind DB (.mmdb) files with country or ASN records.", show_default=False
        ),
    ],
    kind: KindOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Install even a file that is not newer.")
    ] = False,
    licence: Annotated[
        str | None,
        typer.Option(
            "--licence",
            help="The file's licence, if its database type is not "
            "recognised (GeoLite2, DB-IP Lite, IPinfo Lite are).",
            show_default=False,
        ),
    ] = None,
    attribution: Annotated[
        str | None,
        typer.Option(
            "--attribution",
            help="The attribution its licence requires, shown with every result.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Install newer GeoIP files as the defaults (country, ASN, or both).

    Each file must be a MaxMind DB whose records carry country or ASN fields and whose
    build date is newer than the data in use (--force: any date). All files are checked
    before any is installed. They are copied into the user data folder (mode 0644: public
    data), recorded with their SHA-256, and used by hosts enrich and swarm import from
    then on; leaktrace geo reset goes back to the shipped data."""
    installed = install_files(
        files,
        kind=None if kind is None else kind.value,
        force=force,
        licence=licence,
        attribution=attribution,
    )
    rows = [
        {
            "kind": item.kind,
            "name": item.name,
            "database_type": item.database_type,
            "built": item.built.isoformat(),
            "licence": item.licence,
            "sha256": item.sha256,
            "replaced": item.replaced.name or item.replaced.file.name,
            "replaced_built": (
                item.replaced.build_date.isoformat() if item.replaced.build_date else None
            ),
        }
        for item in installed
    ]
    if fmt is not Format.table:
        emit_rows(out, rows, fmt, columns=[])
        return
    for row in rows:
        out.print(
            f"{row['kind']}: {row['name']} ({row['database_type']}, {row['licence']}, built "
            f"{row['built']}) now in use, instead of {row['replaced']} (built "
            f"{row['replaced_built']}); sha256 {row['sha256']}",
            highlight=False,
            markup=False,
        )
    out.print(
        f"installed in {installed_data_dir()} (mode {FILE_MODE:o})", highlight=False, markup=False
    )


@app.command()
def reset(kind: KindOption = None) -> None:
    """Forget installed files: use the shipped GeoIP data again."""
    removed = reset_installed(None if kind is None else kind.value)
    if not removed:
        out.print("nothing installed: the shipped GeoIP data is in use", highlight=False)
        return
    out.print(
        f"removed the installed {', '.join(removed)} data: the shipped data is in use",
        highlight=False,
    )
