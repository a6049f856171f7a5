from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from leaktrace.errors import StoreError
from leaktrace.store.database import Database, resolve_url
from leaktrace.store.schema import RELEASES, Base


def test_fresh_database_is_migrated(db: Database) -> None:
    assert {
        "works",
        "work_aliases",
        "releases",
        "sightings",
        "alerts",
        "ingest_runs",
        "alembic_version",
    } <= set(db.tables())


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_opening_twice_is_harmless(db_path: Path, db: Database) -> None:
    with Database(str(db_path)) as again:
        assert "releases" in again.tables()


def test_paths_and_urls(tmp_path: Path) -> None:
    assert resolve_url(str(tmp_path / "a" / "b.db")) == f"sqlite:///{tmp_path}/a/b.db"
    assert (tmp_path / "a").is_dir()
    assert resolve_url("postgresql+psycopg://u:p@h/db") == "postgresql+psycopg://u:p@h/db"
    with pytest.raises(StoreError, match="directory"):
        resolve_url(str(tmp_path))


def test_password_never_shown() -> None:
    with pytest.raises(StoreError) as info:
        Database("postgresql+psycopg://user:s3cret@127.0.0.1:1/none")
    assert "s3cret" not in str(info.value)
    assert "***" in str(info.value)


def test_naive_times_are_refused(db: Database) -> None:
    with pytest.raises(StoreError, match="naive"), db.transaction() as conn:
        conn.execute(
            RELEASES.insert().values(
                name="x",
                kind="movie",
                match_score=0,
                match_reason="",
                status="unmatched",
                released_at=datetime(2020, 1, 1),
                sightings=0,
            )
        )
