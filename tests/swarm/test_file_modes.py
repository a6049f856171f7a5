"""Database files LeakTrace creates are readable by their owner only (0600, folders 0700),
the SQLite side files (-wal, -shm) included. (Export files: tests/analytics/test_export.py;
key files: test_keys.py.)"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import text

from leaktrace.store.database import Database

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("as_url", [False, True])
def test_a_new_database_and_its_side_files_are_private(tmp_path: Path, as_url: bool) -> None:
    path = tmp_path / "new" / "folder" / "leaktrace.db"
    if as_url:
        path.parent.mkdir(parents=True)
    old_umask = os.umask(0o022)  # the usual umask: files 0644 unless LeakTrace sees to it
    try:
        database = Database(f"sqlite:///{path}" if as_url else str(path))
        with database.transaction() as conn:  # keep a write open: -wal and -shm exist
            conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
            side = [path.with_name(path.name + s) for s in ("-wal", "-shm")]
            assert all(p.exists() for p in side)
            assert {_mode(p) for p in [path, *side]} == {0o600}
        database.close()
    finally:
        os.umask(old_umask)
    if not as_url:
        assert _mode(path.parent) == 0o700


def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    Database(str(path)).close()
    path.chmod(0o640)  # the owner's choice is not undone
    Database(str(path)).close()
    assert _mode(path) == 0o640
