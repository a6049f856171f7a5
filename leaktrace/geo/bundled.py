"""The GeoIP data that works offline out of the box: shipped files, or newer installed ones.

LeakTrace ships two MaxMind DB files from the ip-location-db project (npm registry, CC BY
4.0; provenance in ``leaktrace/data/geo/README.md``): country (``geo-whois-asn-country``:
geofeeds > RIR WHOIS > RIR statistics) and ASN with organisation (``asn``: RouteViews >
RIR statistics > DB-IP IP to ASN Lite). Their SHA-256 hashes are pinned here and checked
each time a file is opened, then the file is read with the official ``maxminddb`` reader
(its C extension maps the file: about 3 µs a look-up, ``bench/geoip_speed.py``).

``leaktrace geo update FILE...`` (:mod:`leaktrace.geo.install`) installs newer files into
``<user data dir>/leaktrace/geo``, listed with their hashes in ``installed.json``; a
kind's installed file is used instead of the shipped one, checked against its recorded
hash in the same way.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import maxminddb
import platformdirs

from leaktrace.errors import ConfigError
from leaktrace.geo.mmdb import ASN, COUNTRY, MmdbFile

__all__ = [
    "ATTRIBUTION",
    "DATASETS",
    "DBIP_ATTRIBUTION",
    "INSTALLED_MANIFEST",
    "BundledDataset",
    "ShippedFile",
    "bundled_data_dir",
    "bundled_dataset",
    "installed_data_dir",
    "installed_entries",
    "open_bundled",
    "open_dataset",
    "sha256_of",
    "shipped_dataset",
]

LICENCE = "CC BY 4.0"
DBIP_ATTRIBUTION = "IP Geolocation by DB-IP (https://db-ip.com)"
"""The words DB-IP's licence asks for (its ASN Lite data names most organisations)."""
ATTRIBUTION = f"{LICENCE}: NRO, RouteViews; {DBIP_ATTRIBUTION}"
"""Shown once, wherever results from the shipped data appear (licensors of both files)."""
INSTALLED_MANIFEST = "installed.json"
HOMEPAGE = "https://github.com/sapics/ip-location-db"


@dataclass(frozen=True, slots=True)
class ShippedFile:
    """One file LeakTrace ships, as pinned in the code."""

    file: str
    sha256: str
    database_type: str
    built: date
    source: str


DATASETS: dict[str, ShippedFile] = {
    COUNTRY: ShippedFile(
        file="geo-whois-asn-country.mmdb",
        sha256="c5f7c0e9bd6a6ccb5a2e9634764544a0d08bd0bd8788b8aedfac87bea184c652",
        database_type="ip-location-db",
        built=date(2026, 6, 17),
        source="npm @ip-location-db/geo-whois-asn-country-mmdb 2.3.2026061719 (unchanged)",
    ),
    ASN: ShippedFile(
        file="asn.mmdb",
        sha256="e5d012e2ff1904d46be39a4835e67313754a67126a8ff0687dbca0e7ee68495d",
        database_type="ip-location-db",
        built=date(2026, 6, 17),
        source="npm @ip-location-db/asn 2.3.2026061719 (CSV, converted to MMDB)",
    ),
}
"""The shipped files: what each kind is read from, and the hash it must have."""


@dataclass(frozen=True, slots=True)
class BundledDataset:
    """The default database of one kind: a shipped file or one ``geo update`` installed."""

    kind: str
    file: Path
    database_type: str
    licence: str
    attribution: str
    build_date: date | None
    homepage: str
    sha256: str | None
    source: str = ""
    installed: bool = False
    name: str = ""
    """What people see as the file's name (installed files: the name it was installed from)."""


def bundled_data_dir() -> Path:
    """The folder of the shipped files (``leaktrace/data/geo``)."""
    return Path(str(resources.files("leaktrace").joinpath("data", "geo")))


def installed_data_dir() -> Path:
    """Where ``leaktrace geo update`` installs files: ``<user data dir>/leaktrace/geo``."""
    return Path(platformdirs.user_data_dir("leaktrace")) / "geo"


def _kind(kind: str) -> ShippedFile:
    if kind not in DATASETS:
        raise ValueError(f"no bundled dataset for {kind!r}; one of {sorted(DATASETS)}")
    return DATASETS[kind]


def shipped_dataset(kind: str, directory: Path | None = None) -> BundledDataset:
    """The shipped ``country`` or ``asn`` file (``directory``: a copy of the data folder)."""
    shipped = _kind(kind)
    return BundledDataset(
        kind=kind,
        file=(directory or bundled_data_dir()) / shipped.file,
        database_type=shipped.database_type,
        licence=LICENCE,
        attribution=ATTRIBUTION,
        build_date=shipped.built,
        homepage=HOMEPAGE,
        sha256=shipped.sha256,
        source=shipped.source,
    )


def installed_entries(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """``installed.json`` of the install folder: kind → entry (empty if nothing installed)."""
    path = (folder or installed_data_dir()) / INSTALLED_MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read the installed GeoIP list {path}: {exc}") from None
    try:
        data = json.loads(text)
        files = data["files"]
        if not isinstance(files, dict) or not all(isinstance(v, dict) for v in files.values()):
            raise TypeError("files is not a table of entries")
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"the installed GeoIP list {path} is damaged ({exc}): "
            "run `leaktrace geo reset` to go back to the shipped data"
        ) from None
    return {str(k): v for k, v in files.items() if k in DATASETS}


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def _installed(kind: str, entry: dict[str, Any], folder: Path) -> BundledDataset:
    return BundledDataset(
        kind=kind,
        file=folder / str(entry.get("file", "")),
        database_type=str(entry.get("database_type") or ""),
        licence=str(entry.get("licence") or ""),
        attribution=str(entry.get("attribution") or ""),
        build_date=_date(entry.get("build_date")),
        homepage="",
        sha256=str(entry.get("sha256") or "") or None,
        source=str(entry.get("source") or ""),
        installed=True,
        name=str(entry.get("name") or ""),
    )


def bundled_dataset(kind: str, directory: Path | None = None) -> BundledDataset:
    """The default ``country`` or ``asn`` database: the installed one, else the shipped one.

    ``directory``: the shipped file in that copy of the data folder (installed files are
    then not looked at)."""
    _kind(kind)
    if directory is None:
        folder = installed_data_dir()
        entry = installed_entries(folder).get(kind)
        if entry is not None:
            return _installed(kind, entry, folder)
    return shipped_dataset(kind, directory)


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, hex (``OSError`` if it cannot be read)."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def open_dataset(dataset: BundledDataset) -> MmdbFile:
    """Open a default database after checking its hash; :class:`ConfigError` if damaged."""
    where = "installed" if dataset.installed else "built-in"
    damaged = f"the {where} GeoIP database {dataset.file} is missing or damaged"
    fix = (
        "run `leaktrace geo update FILE` again, or `leaktrace geo reset` for the shipped data"
        if dataset.installed
        else "reinstall leaktrace, or give --geoip/--asn-db files"
    )
    try:
        digest = sha256_of(dataset.file)
    except OSError as exc:
        raise ConfigError(f"{damaged} ({exc.strerror or exc}): {fix}") from None
    if dataset.sha256 is None or digest != dataset.sha256:
        raise ConfigError(f"{damaged} (checksum mismatch): {fix}")
    try:
        reader = maxminddb.open_database(str(dataset.file))
    except (OSError, maxminddb.InvalidDatabaseError, ValueError, TypeError) as exc:
        raise ConfigError(f"{damaged} ({exc}): {fix}") from None
    return MmdbFile(
        reader,
        dataset.name or dataset.file.name,
        path=dataset.file,
        database_type=dataset.database_type,
        built=dataset.build_date,
        licence=dataset.licence or None,
        attribution=dataset.attribution or None,
        bundled=True,
        provides=frozenset({dataset.kind}),
    )


def open_bundled(kind: str, directory: Path | None = None) -> MmdbFile:
    """Open the default ``country`` or ``asn`` database; :class:`ConfigError` if damaged."""
    return open_dataset(bundled_dataset(kind, directory))
