"""A large file ingest into a smaller SQLite database builds the secondary indexes once at
its end: the rows are the same, and the indexes are there afterwards whatever happened."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

import leaktrace.pipeline.ingest as ingest_module
import leaktrace.store.releases as releases_store
from leaktrace.config import Settings, load_settings
from leaktrace.errors import StoreError
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import ingest_files
from leaktrace.store.database import Database
from leaktrace.store.releases import (
    DEFERRABLE_INDEXES,
    KEYED_DEFERRAL,
    deferred_indexes,
    should_defer_indexes,
)
from leaktrace.store.schema import ALERTS, RELEASES, SIGHTINGS

from .test_ingest import ROWS

Write = Callable[..., Path]


def index_sql(db: Database) -> dict[str, str]:
    with db.reading() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ).all()
    return {name: sql for name, sql in rows}


def table_rows(db: Database) -> list[list[tuple[object, ...]]]:
    """Releases, sightings and alerts, less the alerts' clock times."""
    clock = {"created_at", "updated_at"}
    with db.reading() as conn:
        return [
            sorted(
                tuple(row)
                for row in conn.execute(select(*(c for c in table.c if c.name not in clock)))
            )
            for table in (RELEASES, SIGHTINGS, ALERTS)
        ]


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, set[str]]]:
    """Every deferral the ingest makes: whether with the keys, and which of the indexes
    it may drop were left while it wrote."""
    seen: list[tuple[bool, set[str]]] = []

    @contextmanager
    def spy(conn: Connection, keys: bool = False) -> Iterator[None]:
        with deferred_indexes(conn, keys):
            left = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index'"
            ).scalars()
            seen.append((keys, set(left) & {*DEFERRABLE_INDEXES, *KEYED_DEFERRAL}))
            yield

    monkeypatch.setattr(ingest_module, "deferred_indexes", spy)
    return seen


def fresh(tmp_path: Path, name: str, catalog_csv: Path) -> tuple[Database, Settings]:
    settings = load_settings(db=str(tmp_path / name))
    db = Database(settings.database_target())
    import_catalog(db, catalog_csv, settings)
    return db, settings


def test_a_deferred_ingest_writes_the_same_rows_and_keeps_every_index(
    tmp_path: Path,
    catalog_csv: Path,
    write_feed: Write,
    spied: list[tuple[bool, set[str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed = write_feed(ROWS * 3)
    plain, settings = fresh(tmp_path, "plain.db", catalog_csv)
    ingest_files(plain, [feed], settings)
    assert spied == []  # a five-line file is far below DEFER_MIN_ROWS
    monkeypatch.setattr(releases_store, "DEFER_MIN_ROWS", 1)
    deferred, settings = fresh(tmp_path, "deferred.db", catalog_csv)
    before = index_sql(deferred)
    assert set(DEFERRABLE_INDEXES) <= set(before)
    report = ingest_files(deferred, [feed], settings)
    # it deferred, and every index but the sightings' release one was gone meanwhile
    assert spied == [(True, {"ix_sightings_release_id"})]
    assert report.new_releases == 5
    assert index_sql(deferred) == before
    assert table_rows(deferred) == table_rows(plain)
    with deferred.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        plan = " ".join(
            str(row[-1])
            for row in conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN SELECT id FROM releases WHERE work_id = 'x'"
            )
        )
    assert "ix_releases_work_id" in plan
    plain.close()
    deferred.close()


def test_a_failed_deferred_ingest_leaves_the_indexes(
    tmp_path: Path,
    catalog_csv: Path,
    write_feed: Write,
    spied: list[tuple[bool, set[str]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(releases_store, "DEFER_MIN_ROWS", 1)
    db, settings = fresh(tmp_path, "lt.db", catalog_csv)
    before = index_sql(db)
    rows = [dict(r) for r in ROWS]
    rows[3]["site"] = "s" * 300
    with db.transaction() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON sightings "
            "WHEN length(NEW.site) > 256 BEGIN SELECT RAISE(ABORT, 'site too long'); END"
        )
    with pytest.raises(StoreError, match="site too long"):
        ingest_files(db, [write_feed(rows)], settings.model_copy(update={"batch_size": 2}))
    assert spied == [(True, {"ix_sightings_release_id"})]
    assert index_sql(db) == before
    db.close()


def test_indexes_are_built_again_when_the_caller_commits_after_an_error(db: Database) -> None:
    before = index_sql(db)
    with db.transaction() as conn:
        try:
            with deferred_indexes(conn):
                raise RuntimeError("inside")
        except RuntimeError:
            pass  # the caller goes on and commits
    assert index_sql(db) == before


def test_only_a_large_ingest_into_a_smaller_sqlite_database_defers(
    db: Database,
    settings: Settings,
    catalog_csv: Path,
    write_feed: Write,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with db.transaction() as conn:
        assert not should_defer_indexes(conn, releases_store.DEFER_MIN_ROWS - 1)
        assert should_defer_indexes(conn, releases_store.DEFER_MIN_ROWS)
    import_catalog(db, catalog_csv, settings)
    ingest_files(db, [write_feed(ROWS)], settings)
    monkeypatch.setattr(releases_store, "DEFER_MIN_ROWS", 1)
    with db.transaction() as conn:
        largest = conn.execute(select(func.max(RELEASES.c.id))).scalar_one()
        assert not should_defer_indexes(conn, largest - 1)  # rebuilding would cost more
        assert should_defer_indexes(conn, largest)


def test_postgres_never_defers(postgres_url: str) -> None:
    database = Database(postgres_url)
    try:
        with database.transaction() as conn:
            assert not should_defer_indexes(conn, 10**9)
            with deferred_indexes(conn):  # does nothing there
                pass
            found = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_indexes WHERE indexname IN ("
                + ", ".join(f"'{name}'" for name in DEFERRABLE_INDEXES)
                + ")"
            ).scalar_one()
        assert found == len(DEFERRABLE_INDEXES)
    finally:
        database.close()
