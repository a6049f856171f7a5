from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaktrace.errors import ConfigError
from leaktrace.geo import GeoLookup
from leaktrace.store.database import Database
from leaktrace.store.schema import SWARM_OBSERVATIONS
from leaktrace.swarm.importer import import_swarm_files
from leaktrace.swarm.retention import apply_retention, retention_days
from tests.swarm.conftest import KEY, WriteSwarm, row

NOW = datetime(2024, 7, 1, tzinfo=UTC)


def _count(db: Database) -> int:
    with db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(SWARM_OBSERVATIONS)).scalar_one())


def _load(db: Database, geo: GeoLookup, write_swarm: WriteSwarm) -> None:
    rows = [
        row("198.51.100.1", time="2023-12-01T00:00:00Z"),  # 213 days before NOW
        row("198.51.100.2", time="2024-01-02T23:59:00Z"),  # 180 days + 1 minute before
        row("192.0.2.9", time="2024-01-01T00:00:00Z", tag="server"),
        row("198.51.100.3", time="2024-06-29T12:00:00Z"),
    ]
    import_swarm_files(db, [write_swarm(rows, "csv")], KEY, geo)


def test_dry_run_counts_and_deletes_nothing(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    _load(db, geo, write_swarm)
    report = apply_retention(db, 180, dry_run=True, now=NOW)
    assert (report.matched, report.deleted, report.dry_run) == (3, 0, True)
    assert report.cutoff == datetime(2024, 1, 3, tzinfo=UTC)
    assert _count(db) == 4


def test_retention_deletes_older_rows(
    db: Database, db_path: Path, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    _load(db, geo, write_swarm)
    report = apply_retention(db, 180, now=NOW)
    assert (report.matched, report.deleted) == (3, 3)
    assert _count(db) == 1
    assert apply_retention(db, 180, now=NOW).deleted == 0
    assert apply_retention(db, 1, now=NOW).deleted == 1
    db.close()
    raw = b"".join(p.read_bytes() for p in db_path.parent.glob(db_path.name + "*"))
    assert b"192.0.2.9" not in raw  # secure_delete: the server's address is gone from the file


def test_retention_days(monkeypatch: pytest.MonkeyPatch) -> None:
    assert retention_days() == 180
    assert retention_days(30) == 30
    assert retention_days(None, configured=90) == 90
    monkeypatch.setenv("LEAKTRACE_SWARM_RETENTION_DAYS", "45")
    assert retention_days() == 45
    assert retention_days(7) == 7
    monkeypatch.setenv("LEAKTRACE_SWARM_RETENTION_DAYS", "soon")
    with pytest.raises(ConfigError):
        retention_days()
    with pytest.raises(ConfigError):
        retention_days(0)
