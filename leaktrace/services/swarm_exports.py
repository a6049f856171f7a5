"""Removing expired Parquet exports that hold swarm observations.

An export's manifest (:mod:`leaktrace.analytics.manifest`) carries its retention
deadline; :func:`expire_exports` removes the exports whose deadline has passed, or whose
earliest observation is older than the retention period in force now, if that is shorter.
Only folders with a LeakTrace export manifest are touched, and in them only the files the
manifest lists (and the manifest); the folder goes too once empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from leaktrace.analytics.manifest import MANIFEST_NAME, ExportManifest, read_manifest
from leaktrace.errors import InputError

__all__ = ["ExportExpiry", "expire_exports"]


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
