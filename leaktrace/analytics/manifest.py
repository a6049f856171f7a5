"""The manifest of a Parquet export: what it holds and until when it may be kept.

``leaktrace export`` writes ``leaktrace-export.json`` next to the tables: per table its
row count and when it was written, and for ``swarm_observations`` the earliest
observation and the **retention deadline** (earliest observation + the swarm retention
period). The export's deadline is the earliest of its tables'. ``leaktrace swarm
retention --exports DIR`` removes exports whose deadline has passed; the manifest is also
what identifies a folder as a LeakTrace export (nothing else is ever removed).

Reading a manifest imports no Arrow.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from leaktrace.errors import InputError
from leaktrace.private_files import write_private_text

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

__all__ = [
    "FORMAT",
    "MANIFEST_NAME",
    "ExportManifest",
    "TableEntry",
    "manifest_entries",
    "read_manifest",
    "write_manifest",
]

MANIFEST_NAME = "leaktrace-export.json"
FORMAT = "leaktrace-export"
VERSION = 1


@dataclass(frozen=True, slots=True)
class TableEntry:
    """One exported table: ``file`` (inside the export folder), rows, when written; for
    swarm observations also the earliest one and the retention deadline it sets."""

    file: str
    rows: int
    exported_at: datetime
    earliest_observed_at: datetime | None = None
    retention_days: int | None = None
    retention_deadline: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "exported_at": _text(self.exported_at),
            "earliest_observed_at": _text(self.earliest_observed_at),
            "retention_days": self.retention_days,
            "retention_deadline": _text(self.retention_deadline),
        }


@dataclass(frozen=True, slots=True)
class ExportManifest:
    """What ``leaktrace-export.json`` says; ``tables`` by table name."""

    tables: Mapping[str, TableEntry] = field(default_factory=dict)
    written_by: str = ""

    @property
    def retention_deadline(self) -> datetime | None:
        """The earliest deadline of any table; None when no table holds swarm data."""
        deadlines = [t.retention_deadline for t in self.tables.values() if t.retention_deadline]
        return min(deadlines) if deadlines else None

    @property
    def earliest_observed_at(self) -> datetime | None:
        found = [t.earliest_observed_at for t in self.tables.values() if t.earliest_observed_at]
        return min(found) if found else None

    def updated(self, entries: Mapping[str, TableEntry], folder: Path) -> ExportManifest:
        """This manifest with ``entries`` replacing their tables' entries; entries whose
        files are gone from ``folder`` are dropped."""
        kept = {
            name: entry
            for name, entry in self.tables.items()
            if name not in entries and (folder / entry.file).exists()
        }
        return ExportManifest({**kept, **entries}, written_by=_written_by())

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "written_by": self.written_by or _written_by(),
            "retention_deadline": _text(self.retention_deadline),
            "earliest_observed_at": _text(self.earliest_observed_at),
            "tables": {name: entry.as_dict() for name, entry in sorted(self.tables.items())},
        }


def manifest_entries(
    connection: Connection,
    tables: Sequence[Table],
    folder: Path,
    retention_days: int | None = None,
    now: datetime | None = None,
) -> dict[str, TableEntry]:
    """The entries for ``tables`` just written to ``folder`` as ``<name>.parquet`` (rows
    from the files' metadata), read in the export's ``connection``: swarm observations
    get their earliest observation and its retention deadline."""
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    from leaktrace.store.swarm import observation_span
    from leaktrace.swarm.retention import retention_days as configured_days

    moment = now or datetime.now(UTC)
    entries: dict[str, TableEntry] = {}
    for table in tables:
        name = f"{table.name}.parquet"
        rows = int(pq.ParquetFile(folder / name).metadata.num_rows)
        entry = TableEntry(name, rows, moment)
        if table.name == "swarm_observations":
            days = configured_days(retention_days)
            earliest, _ = observation_span(connection)
            deadline = None if earliest is None else earliest + timedelta(days=days)
            entry = TableEntry(name, rows, moment, earliest, days, deadline)
        entries[table.name] = entry
    return entries


def write_manifest(folder: Path, manifest: ExportManifest) -> Path:
    """Write ``folder/leaktrace-export.json`` whole (a temporary file moved into place),
    readable by its owner only."""
    text = json.dumps(manifest.as_dict(), indent=2, ensure_ascii=False) + "\n"
    return write_private_text(folder / MANIFEST_NAME, text, what="the export manifest")


def read_manifest(folder: Path) -> ExportManifest | None:
    """The manifest in ``folder``; None if there is none; :class:`InputError` if it is
    not a LeakTrace export manifest."""
    path = folder / MANIFEST_NAME
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        reason = f"cannot read the export manifest: {exc.strerror or exc}"
        raise InputError(reason, file=str(path)) from None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} manifest")
        tables = {str(name): _entry(value) for name, value in dict(data["tables"]).items()}
        return ExportManifest(tables, written_by=str(data.get("written_by", "")))
    except (ValueError, KeyError, TypeError, AttributeError, OverflowError) as exc:
        raise InputError(f"malformed export manifest: {exc}", file=str(path)) from None


def _entry(value: Any) -> TableEntry:
    if not isinstance(value, dict):
        raise ValueError("a table entry must be an object")
    name = str(value["file"])
    if Path(name).name != name or not name.endswith(".parquet") or name.startswith("."):
        raise ValueError(f"table file {name!r} is not a plain <table>.parquet file name")
    days = value.get("retention_days")
    return TableEntry(
        file=name,
        rows=int(value["rows"]),
        exported_at=_time(value["exported_at"]),
        earliest_observed_at=_optional_time(value.get("earliest_observed_at")),
        retention_days=None if days is None else int(days),
        retention_deadline=_optional_time(value.get("retention_deadline")),
    )


_EARLIEST_YEAR = 1970
_LATEST_YEAR = 9000
"""Times outside these years are refused: a deadline computed from them (adding up to a
century of retention) must not overflow."""


def _time(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no offset")
    if not _EARLIEST_YEAR <= moment.year <= _LATEST_YEAR:
        raise ValueError(f"time {value!r} is not between {_EARLIEST_YEAR} and {_LATEST_YEAR}")
    return moment.astimezone(UTC)


def _optional_time(value: Any) -> datetime | None:
    return None if value is None else _time(value)


def _text(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _written_by() -> str:
    from leaktrace import __version__

    return f"leaktrace {__version__}"
