"""Newer GeoIP files as the defaults: what ``leaktrace geo update`` and ``geo reset`` do.

:func:`install_files` checks each file — a MaxMind DB whose first records carry country
or ASN fields, with a build date newer than the data in use for that kind (unless
``force``) and a known licence (recognised from its database type, or given) — copies it
into ``<user data dir>/leaktrace/geo`` under its SHA-256 and then records it in
``installed.json`` (kind → file, hash, name, type, build date, licence, attribution,
source). Each step is a write to a temporary file and a rename, the list last: an
interrupted update leaves the previous data in use, never a half-written file. The files
are public data and are written readable by all (mode 0644).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from leaktrace.errors import ConfigError, InputError
from leaktrace.geo.bundled import (
    ATTRIBUTION,
    DATASETS,
    DBIP_ATTRIBUTION,
    INSTALLED_MANIFEST,
    BundledDataset,
    bundled_dataset,
    installed_data_dir,
    installed_entries,
    sha256_of,
    shipped_dataset,
)
from leaktrace.geo.mmdb import MmdbFile, open_mmdb

__all__ = ["FILE_MODE", "Installed", "install_files", "known_licence", "reset_installed"]

FILE_MODE = 0o644
"""Installed files and the list: public data, readable by all, written by the owner."""
KNOWN_LICENCES: tuple[tuple[str, tuple[str, ...], str, str], ...] = (
    ("dbip-", ("lite",), "CC BY 4.0", DBIP_ATTRIBUTION),
    (
        "geolite2",
        (),
        "MaxMind GeoLite2 EULA",
        "This product includes GeoLite2 data created by MaxMind, available from "
        "https://www.maxmind.com",
    ),
    ("ipinfo", ("lite",), "CC BY-SA 4.0", "IP address data powered by IPinfo (https://ipinfo.io)"),
    ("ip-location-db-asn", (), "CC BY 4.0", ATTRIBUTION),
)
"""Free databases recognised by their type (lower case: how it starts, words it contains):
licence and attribution. DB-IP's Lite files say "compat=GeoLite2-…" in their type: the
start decides."""
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Installed:
    """One kind's new default file, and the one it replaced."""

    kind: str
    name: str
    sha256: str
    database_type: str
    built: date
    licence: str
    replaced: BundledDataset


def known_licence(database_type: str) -> tuple[str, str] | None:
    """Licence and attribution of a free database recognised by its type, else ``None``."""
    kind = database_type.lower().strip()
    for start, words, licence, attribution in KNOWN_LICENCES:
        if kind.startswith(start) and all(word in kind for word in words):
            return licence, attribution
    return None


@dataclass(slots=True)
class _Staged:
    path: Path
    temporary: Path
    sha256: str
    kinds: frozenset[str]
    file: MmdbFile | None = None


def _copy(source: Path, folder: Path) -> tuple[Path, str]:
    """Copy ``source`` to a temporary file in ``folder``; its path and SHA-256."""
    digest = hashlib.sha256()
    temporary = folder / f".incoming-{os.getpid()}-{id(source)}.mmdb"
    try:
        with source.open("rb") as reader:
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            with os.fdopen(descriptor, "wb") as writer:
                while chunk := reader.read(_CHUNK):
                    digest.update(chunk)
                    writer.write(chunk)
                writer.flush()
                os.fsync(writer.fileno())
        os.chmod(temporary, FILE_MODE)  # whatever the umask
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        reason = "no such file" if isinstance(exc, FileNotFoundError) else exc.strerror
        raise InputError(f"cannot read: {reason or exc}", file=str(source)) from None
    return temporary, digest.hexdigest()


def _check(
    staged: _Staged, kind: str | None, force: bool, in_use: dict[str, BundledDataset]
) -> MmdbFile:
    path = staged.path
    try:
        opened = open_mmdb(staged.temporary)
    except InputError as exc:
        raise InputError(exc.reason, file=str(path)) from None
    try:
        carried = opened.record_kinds()
        if kind is not None and kind not in carried:
            raise InputError(f"its records have no {kind} fields", file=str(path))
        kinds = carried if kind is None else frozenset({kind})
        if not kinds:
            raise InputError(
                "its records have neither country nor ASN fields "
                f"(database type {opened.database_type!r})",
                file=str(path),
            )
        if opened.built is None:
            raise InputError("its metadata has no build date", file=str(path))
        for each in sorted(kinds):
            current = in_use[each]
            if not force and current.build_date and opened.built <= current.build_date:
                raise InputError(
                    f"built {opened.built:%Y-%m-%d}, not newer than the {each} data in use "
                    f"({current.name or current.file.name}, built "
                    f"{current.build_date:%Y-%m-%d}); --force installs it anyway",
                    file=str(path),
                )
    except BaseException:
        opened.close()
        raise
    staged.kinds = kinds
    return opened


def _licence(
    opened: MmdbFile, path: Path, licence: str | None, attribution: str | None
) -> tuple[str, str]:
    known = known_licence(opened.database_type)
    if licence is not None:
        return licence, attribution if attribution is not None else ""
    if known is None:
        raise InputError(
            f"cannot tell the licence of database type {opened.database_type!r}: give "
            "--licence (and --attribution, if the licence asks for one)",
            file=str(path),
        )
    return known[0], attribution if attribution is not None else known[1]


def _comparable(dataset: BundledDataset) -> BundledDataset:
    """What a new file must be newer than: the installed default, unless it is missing or
    no longer matches its hash (then the shipped file): the error for a damaged file says
    to run ``geo update FILE`` again, and the same file must then be accepted."""
    if not dataset.installed:
        return dataset
    try:
        intact = sha256_of(dataset.file) == dataset.sha256
    except OSError:
        intact = False
    return dataset if intact else shipped_dataset(dataset.kind)


def _write_list(folder: Path, entries: dict[str, dict[str, Any]]) -> None:
    target = folder / INSTALLED_MANIFEST
    temporary = folder / f".{INSTALLED_MANIFEST}.{os.getpid()}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"version": 1, "files": entries}, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(temporary, FILE_MODE)
    os.replace(temporary, target)


def _remove_unlisted(folder: Path, entries: dict[str, dict[str, Any]]) -> None:
    listed = {str(entry.get("file")) for entry in entries.values()}
    for file in folder.glob("*.mmdb"):
        if file.name not in listed:
            file.unlink(missing_ok=True)


def install_files(
    paths: Sequence[Path],
    *,
    kind: str | None = None,
    force: bool = False,
    licence: str | None = None,
    attribution: str | None = None,
    folder: Path | None = None,
    now: datetime | None = None,
) -> list[Installed]:
    """Check every file, then install them all as the defaults (or none, if one is bad).

    ``kind``: install for ``country`` or ``asn`` only (else for each kind the file's
    records carry); ``force``: also a file that is not newer than the data in use;
    ``licence``/``attribution``: for a database whose type is not recognised."""
    if kind is not None and kind not in DATASETS:
        raise InputError(f"unknown kind {kind!r}; one of {sorted(DATASETS)}", field="--kind")
    if not paths:
        raise InputError("no files given")
    folder = folder or installed_data_dir()
    when = now or datetime.now(UTC)
    in_use = {each: _comparable(bundled_dataset(each)) for each in DATASETS}
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create: {exc.strerror or exc}", file=str(folder)) from None
    entries = installed_entries(folder)
    staged: list[_Staged] = []
    chosen: dict[str, tuple[_Staged, dict[str, Any]]] = {}
    try:
        for path in paths:
            temporary, sha256 = _copy(path, folder)
            item = _Staged(path, temporary, sha256, frozenset())
            staged.append(item)
            item.file = _check(item, kind, force, in_use)
            used_licence, used_attribution = _licence(item.file, path, licence, attribution)
            for each in item.kinds:
                if each in chosen:
                    raise InputError(
                        f"two files for {each}: {chosen[each][0].path} and {path}",
                        file=str(path),
                    )
                chosen[each] = (
                    item,
                    {
                        "file": f"{sha256[:16]}.mmdb",
                        "name": path.name,
                        "sha256": sha256,
                        "database_type": item.file.database_type,
                        "build_date": item.file.built.isoformat() if item.file.built else None,
                        "licence": used_licence,
                        "attribution": used_attribution,
                        "source": f"{path.resolve()}, installed {when:%Y-%m-%d %H:%M} UTC",
                        "installed_at": when.isoformat(),
                    },
                )
        for item in staged:
            if item.file is not None:
                item.file.close()
                item.file = None
            os.replace(item.temporary, folder / f"{item.sha256[:16]}.mmdb")
        for each, (_, entry) in chosen.items():
            entries[each] = entry
        _write_list(folder, entries)
    finally:
        for item in staged:
            if item.file is not None:
                item.file.close()
            item.temporary.unlink(missing_ok=True)
    _remove_unlisted(folder, entries)
    return [
        Installed(
            kind=each,
            name=entry["name"],
            sha256=entry["sha256"],
            database_type=entry["database_type"],
            built=date.fromisoformat(entry["build_date"]),
            licence=entry["licence"],
            replaced=in_use[each],
        )
        for each, (_, entry) in sorted(chosen.items())
    ]


def reset_installed(kind: str | None = None, *, folder: Path | None = None) -> list[str]:
    """Forget the installed file of ``kind`` (or of every kind); the kinds reset."""
    if kind is not None and kind not in DATASETS:
        raise InputError(f"unknown kind {kind!r}; one of {sorted(DATASETS)}", field="--kind")
    folder = folder or installed_data_dir()
    if not (folder / INSTALLED_MANIFEST).exists():
        return []
    try:
        entries = installed_entries(folder)
    except ConfigError:  # a damaged list: resetting forgets it
        entries = {}
        kind = None
    removed = sorted(entries) if kind is None else [kind] if kind in entries else []
    kept = {k: v for k, v in entries.items() if k not in removed}
    if kept:
        _write_list(folder, kept)
    else:
        (folder / INSTALLED_MANIFEST).unlink(missing_ok=True)
    _remove_unlisted(folder, kept)
    return removed
