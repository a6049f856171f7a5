from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from leaktrace.errors import ConfigError
from leaktrace.geo import GeoLookup
from leaktrace.services.swarm_exports import expire_exports
from leaktrace.store.database import Database
from leaktrace.store.schema import SWARM_OBSERVATIONS
from leaktrace.swarm.importer import import_swarm_files
from leaktrace.swarm.retention import (
    RetentionReport,
    apply_retention,
    retention_days,
)
from tests.swarm.conftest import KEY, WriteSwarm, row

NOW = datetime(2024, 7, 1, tzinfo=UTC)


def _retain(db: Database, days: int, *, now: datetime, dry_run: bool = False) -> RetentionReport:
    with db.transaction() as conn:
        return apply_retention(conn, days, dry_run=dry_run, now=now)


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
    report = _retain(db, 180, dry_run=True, now=NOW)
    assert (report.matched, report.deleted, report.dry_run) == (3, 0, True)
    assert report.cutoff == datetime(2024, 1, 3, tzinfo=UTC)
    assert _count(db) == 4


def test_retention_deletes_older_rows(
    db: Database, db_path: Path, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    _load(db, geo, write_swarm)
    report = _retain(db, 180, now=NOW)
    assert (report.matched, report.deleted) == (3, 3)
    assert _count(db) == 1
    assert _retain(db, 180, now=NOW).deleted == 0
    assert _retain(db, 1, now=NOW).deleted == 1
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


def _exports(db: Database, geo: GeoLookup, write_swarm: WriteSwarm, base: Path) -> None:
    """``base/old``: observations from 2023-12-01 (deadline 2024-05-29 at 180 days);
    ``base/fresh``: from 2024-06-29 only; ``base/plain``: no swarm data; ``base/mine``: a
    folder that is no export."""
    from leaktrace.analytics.export import export_parquet
    from leaktrace.store.schema import RELEASES

    _load(db, geo, write_swarm)
    export_parquet(db, base / "old", retention_days=180)
    export_parquet(db, base / "plain", tables=[RELEASES])
    _retain(db, 2, now=datetime(2024, 6, 30, tzinfo=UTC))
    export_parquet(db, base / "fresh", retention_days=180)
    (base / "mine").mkdir()
    (base / "mine" / "swarm_observations.parquet").write_text("the user's own file")
    (base / "old" / "notes.txt").write_text("the user's own notes, in the export folder")


def test_expired_exports_are_removed(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm, tmp_path: Path
) -> None:
    _exports(db, geo, write_swarm, tmp_path)
    found = {e.folder.name: e for e in expire_exports(tmp_path, 180, now=NOW)}
    assert set(found) == {"old", "fresh", "plain"}  # 'mine' has no manifest: not an export
    old = found["old"]
    assert old.expired and old.deadline == datetime(2024, 5, 29, tzinfo=UTC)
    assert "swarm_observations.parquet" in old.removed and "leaktrace-export.json" in old.removed
    assert not old.folder_removed  # the user's notes stay, and so does their folder
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == ["notes.txt"]
    assert not found["fresh"].expired and found["fresh"].removed == []
    assert found["fresh"].deadline == datetime(2024, 12, 26, 12, tzinfo=UTC)
    assert found["plain"].deadline is None and not found["plain"].expired
    assert (tmp_path / "mine" / "swarm_observations.parquet").exists()
    assert (tmp_path / "fresh" / "swarm_observations.parquet").exists()
    # a shorter period in force now expires an export earlier than its manifest says
    (fresh,) = expire_exports(tmp_path / "fresh", 1, now=NOW)
    assert fresh.expired and fresh.folder_removed and not (tmp_path / "fresh").exists()


def test_dry_run_removes_no_export(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm, tmp_path: Path
) -> None:
    _exports(db, geo, write_swarm, tmp_path)
    later = NOW + timedelta(days=365)
    found = expire_exports(tmp_path, 180, dry_run=True, now=later)
    assert {e.folder.name for e in found if e.expired} == {"old", "fresh"}
    assert all(e.removed and not e.folder_removed for e in found if e.expired)
    assert (tmp_path / "old" / "swarm_observations.parquet").exists()
    assert (tmp_path / "fresh" / "leaktrace-export.json").exists()


def test_exports_folder_must_exist_and_manifests_be_sound(tmp_path: Path) -> None:
    from leaktrace.errors import InputError

    with pytest.raises(InputError, match="no such folder"):
        expire_exports(tmp_path / "none", 180)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "leaktrace-export.json").write_text('{"format": "something else"}')
    with pytest.raises(InputError, match="malformed export manifest"):
        expire_exports(tmp_path, 180)
    (tmp_path / "bad" / "leaktrace-export.json").write_text(
        '{"format": "leaktrace-export", "tables": {"x": {"file": "../../etc/passwd", '
        '"rows": 1, "exported_at": "2024-01-01T00:00:00Z"}}}'
    )
    with pytest.raises(InputError, match="not a plain <table>.parquet file name"):
        expire_exports(tmp_path, 180)
    (tmp_path / "bad" / "leaktrace-export.json").write_text(
        '{"format": "leaktrace-export", "tables": {"x": {"file": "thesis.docx", '
        '"rows": 1, "exported_at": "2024-01-01T00:00:00Z"}}}'
    )
    with pytest.raises(InputError, match="not a plain <table>.parquet file name"):
        expire_exports(tmp_path, 180)


def test_evidence_of_a_deleted_observation_never_names_a_later_one(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    """SQLite hands a deleted row's id to the next insert when it was the highest: an
    old backlog imported last, deleted by retention, then new rows. A target sheet's
    ``swarm:<id>`` for the deleted observation must stay expired, not name the new one."""
    from leaktrace.infra.collect import collect_hosts
    from leaktrace.store.infra import load_evidence_details, load_hosts

    recent = "2024-06-29T12:00:00Z"
    old = [row("192.0.2.6", time="2023-01-01T00:00:00Z", seeder=True, tag="seedbox")]
    import_swarm_files(db, [write_swarm([row("192.0.2.5", time=recent, tag="server")])], KEY, geo)
    import_swarm_files(db, [write_swarm(old)], KEY, geo)  # the backlog: the highest id
    with db.transaction() as conn:
        collect_hosts(conn)
    assert _retain(db, 180, now=NOW).deleted == 1
    new = [row("192.0.2.7", time=recent, seeder=True, tag="seedbox")]
    import_swarm_files(db, [write_swarm(new)], KEY, geo)
    with db.transaction() as conn:
        collect_hosts(conn)
    with db.reading() as conn:
        hosts = {h.value: h for h in load_hosts(conn)}
        details = load_evidence_details(conn, [h.id for h in hosts.values()])
    (gone,) = details[hosts["192.0.2.6"].id]
    (fresh,) = details[hosts["192.0.2.7"].id]
    assert gone.expired and not fresh.expired
    assert gone.reference != fresh.reference


_times = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda t: t.isoformat()),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00Z", "2024-01-01"]),
    st.text(max_size=12),
)
_values = st.one_of(
    st.none(), st.integers(), st.floats(), st.text(max_size=8), st.booleans(), _times
)
_entries = st.fixed_dictionaries(
    {
        "file": st.sampled_from(["swarm_observations.parquet", "x.parquet", "../a.parquet"]),
        "rows": st.one_of(st.integers(0, 9), _values),
        "exported_at": _times,
    },
    optional={
        "earliest_observed_at": _times,
        "retention_days": _values,
        "retention_deadline": _times,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tables=st.one_of(st.dictionaries(st.text(max_size=6), _entries, max_size=2), _values),
    dry_run=st.booleans(),
)
def test_any_manifest_is_read_or_refused_by_name(tables: object, dry_run: bool) -> None:
    """A manifest is outside data (copied, edited, damaged): expire_exports reads it or
    refuses it with an InputError naming it, never another exception."""
    import tempfile

    from leaktrace.errors import InputError

    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "export"
        export.mkdir()
        manifest = {"format": "leaktrace-export", "version": 1, "tables": tables}
        text = json.dumps(manifest).replace("Infinity", "1e999")  # as JSON spells it
        (export / "leaktrace-export.json").write_text(text)
        try:
            expire_exports(Path(folder), 180, dry_run=dry_run, now=NOW)
        except InputError as exc:
            assert "leaktrace-export.json" in str(exc)
