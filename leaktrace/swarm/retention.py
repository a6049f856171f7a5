"""Retention: observations older than N days are deleted (personal data is not kept for
longer than needed), and so are Parquet exports holding them. The default period is
:data:`DEFAULT_RETENTION_DAYS` or the ``LEAKTRACE_SWARM_RETENTION_DAYS`` environment
variable.

An export's manifest (:mod:`leaktrace.analytics.manifest`) carries its retention
deadline; :func:`expire_exports` removes the exports whose deadline has passed, or whose
earliest observation is older than the retention period in force now, if that is shorter.
Only folders with a LeakTrace export manifest are touched, and in them only the files the
manifest lists (and the manifest); the folder goes too once empty.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.analytics.manifest import MANIFEST_NAME, ExportManifest, read_manifest
from leaktrace.errors import ConfigError, InputError
from leaktrace.store.swarm import count_older, delete_older

__all__ = [
    "DEFAULT_RETENTION_DAYS",
    "RETENTION_ENV",
    "ExportExpiry",
    "RetentionReport",
    "apply_retention",
    "expire_exports",
    "retention_days",
]

DEFAULT_RETENTION_DAYS = 180
RETENTION_ENV = "LEAKTRACE_SWARM_RETENTION_DAYS"
MAX_DAYS = 36_500


@dataclass(frozen=True, slots=True)
class RetentionReport:
    days: int
    cutoff: datetime
    matched: int
    deleted: int
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "cutoff": self.cutoff.isoformat(),
            "older_than_cutoff": self.matched,
            "deleted": self.deleted,
            "dry_run": self.dry_run,
        }


def retention_days(
    days: int | None = None,
    configured: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> int:
    """``days`` if given, else the configured value, else the environment, else 180."""
    env = os.environ if environ is None else environ
    if days is None:
        days = configured
    if days is None and env.get(RETENTION_ENV, "").strip():
        text = env[RETENTION_ENV].strip()
        if not text.isdigit():
            raise ConfigError(f"{RETENTION_ENV} must be a whole number of days, not {text!r}")
        days = int(text)
    if days is None:
        days = DEFAULT_RETENTION_DAYS
    if not 1 <= days <= MAX_DAYS:
        raise ConfigError(f"retention must be 1-{MAX_DAYS} days, not {days}")
    return days


def apply_retention(
    conn: Connection, days: int, *, dry_run: bool = False, now: datetime | None = None
) -> RetentionReport:
    """Delete (or with ``dry_run`` only count) observations older than ``days`` days, in
    the caller's transaction."""
    moment = now or datetime.now(UTC)
    cutoff = moment - timedelta(days=days)
    matched = count_older(conn, cutoff)
    deleted = 0 if dry_run or not matched else delete_older(conn, cutoff)
    return RetentionReport(days, cutoff, matched, deleted, dry_run)


@dataclass(frozen=True, slots=True)
class ExportExpiry:
    """One export folder found: its deadline, and whether (and what) it removed."""

    folder: Path
    deadline: datetime | None
    expired: bool
    removed: list[str] = field(default_factory=list)
    folder_removed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "retention_deadline": None if self.deadline is None else self.deadline.isoformat(),
            "expired": self.expired,
            "removed": self.removed,
            "folder_removed": self.folder_removed,
        }


def expire_exports(
    directory: Path, days: int, *, dry_run: bool = False, now: datetime | None = None
) -> list[ExportExpiry]:
    """Remove the expired LeakTrace exports in ``directory``: the folder itself if it is
    one, else its sub-folders that are (one level). With ``dry_run`` nothing is removed;
    ``removed`` then lists what would be."""
    moment = now or datetime.now(UTC)
    if not directory.is_dir():
        raise InputError("no such folder", file=str(directory), field="--exports")
    found = _exports(directory)
    results: list[ExportExpiry] = []
    for folder, manifest in found:
        deadline = _deadline(manifest, days)
        if deadline is None or deadline > moment:
            results.append(ExportExpiry(folder, deadline, expired=False))
            continue
        files = [e.file for e in manifest.tables.values() if (folder / e.file).exists()]
        files.append(MANIFEST_NAME)
        if dry_run:
            results.append(ExportExpiry(folder, deadline, True, files))
            continue
        try:
            for name in files:
                (folder / name).unlink(missing_ok=True)
        except OSError as exc:
            raise InputError(
                f"cannot remove the expired export: {exc.strerror or exc}", file=str(folder)
            ) from None
        emptied = not any(folder.iterdir())
        if emptied:
            folder.rmdir()
        results.append(ExportExpiry(folder, deadline, True, files, emptied))
    return results


def _exports(directory: Path) -> list[tuple[Path, ExportManifest]]:
    manifest = read_manifest(directory)
    if manifest is not None:
        return [(directory, manifest)]
    found: list[tuple[Path, ExportManifest]] = []
    for child in sorted(directory.iterdir()):
        if child.is_dir() and not child.is_symlink():
            inner = read_manifest(child)
            if inner is not None:
                found.append((child, inner))
    return found


def _deadline(manifest: ExportManifest, days: int) -> datetime | None:
    """The manifest's deadline, or earlier if the period in force now is shorter."""
    deadline = manifest.retention_deadline
    earliest = manifest.earliest_observed_at
    if earliest is not None:
        now_rule = earliest + timedelta(days=days)
        deadline = now_rule if deadline is None else min(deadline, now_rule)
    return deadline
