"""Migration 0018 (the release name and sighting fingerprint held unique by indexes, not
table constraints) on databases with data: every row stays, nothing that refers to a
release loses it, and the uniqueness still holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from leaktrace.config import load_settings
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import ingest_files
from leaktrace.store.database import MIGRATIONS, Database, _foreign_keys_off
from leaktrace.store.schema import SIGHTINGS

from ..pipeline.test_ingest import ROWS
from ..pipeline.test_ingest_deferred_indexes import index_sql, table_rows

Write = Callable[..., Path]


def _downgrade(db: Database, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.connect() as connection, _foreign_keys_off(connection):
        with connection.begin():
            config.attributes["connection"] = connection
            command.downgrade(config, revision)


def _filled_at_0017(tmp_path: Path, catalog_csv: Path, write_feed: Write) -> Database:
    settings = load_settings(db=str(tmp_path / "old.db"))
    db = Database(settings.database_target(), migrate=False)
    db.migrate("0017")
    import_catalog(db, catalog_csv, settings)
    ingest_files(db, [write_feed(ROWS * 2)], settings)
    return db


def test_sqlite_rows_and_references_stay(
    tmp_path: Path, catalog_csv: Path, write_feed: Write
) -> None:
    db = _filled_at_0017(tmp_path, catalog_csv, write_feed)
    before = table_rows(db)
    assert before[0] and before[1] and before[2]  # releases, sightings and alerts
    old_indexes = index_sql(db)

    db.migrate()

    assert db.revision() == "0018"
    assert table_rows(db) == before
    indexes = index_sql(db)
    assert indexes["uq_releases_name"] == "CREATE UNIQUE INDEX uq_releases_name ON releases (name)"
    assert "uq_sightings_fingerprint" in indexes
    assert {k: v for k, v in old_indexes.items()} == {
        k: v for k, v in indexes.items() if not k.startswith("uq_")
    }
    with db.reading() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
        assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").first() is None
        constraints = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_%' "
            "AND tbl_name IN ('releases', 'sightings')"
        ).scalar_one()
        assert constraints == 0
        name, fingerprint = conn.execute(select(SIGHTINGS.c.id, SIGHTINGS.c.fingerprint)).first()
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO releases (name, kind, match_score, match_reason, status, released_at, "
            "sightings) SELECT name, kind, 0, '', status, released_at, 1 FROM releases LIMIT 1"
        )
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sightings (release_id, fingerprint, seen_at, origin) "
                "SELECT release_id, fingerprint, seen_at, origin FROM sightings WHERE id = :id"
            ),
            {"id": name},
        )
    assert fingerprint

    _downgrade(db, "0017")  # and back: the constraints again, the rows the same
    assert table_rows(db) == before
    assert index_sql(db) == old_indexes
    with db.reading() as conn:
        autoindexes = conn.exec_driver_sql(
            "SELECT tbl_name FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_%' "
            "AND tbl_name IN ('releases', 'sightings') ORDER BY 1"
        ).scalars()
        assert list(autoindexes) == ["releases", "sightings"]
    db.migrate()
    assert table_rows(db) == before
    db.close()


def test_deleting_a_release_still_cascades_after_it(
    tmp_path: Path, catalog_csv: Path, write_feed: Write
) -> None:
    """The sightings' foreign key refers to the new table (built under a temporary name)."""
    db = _filled_at_0017(tmp_path, catalog_csv, write_feed)
    db.migrate()
    with db.transaction() as conn:
        rid = conn.execute(select(SIGHTINGS.c.release_id)).scalars().first()
        conn.execute(text("DELETE FROM releases WHERE id = :id"), {"id": rid})
        left = conn.execute(select(SIGHTINGS.c.id).where(SIGHTINGS.c.release_id == rid)).all()
    assert left == []
    db.close()


def test_postgres_rows_stay(postgres_database: str, catalog_csv: Path, write_feed: Write) -> None:
    settings = load_settings(db=postgres_database)
    db = Database(postgres_database, migrate=False)
    try:
        db.migrate("0017")
        import_catalog(db, catalog_csv, settings)
        ingest_files(db, [write_feed(ROWS)], settings)
        with db.reading() as conn:
            before = conn.exec_driver_sql("SELECT id, name FROM releases ORDER BY id").all()
        db.migrate()
        with db.reading() as conn:
            assert conn.exec_driver_sql("SELECT id, name FROM releases ORDER BY id").all() == before
            unique = (
                conn.execute(
                    text(
                        "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'uq_%' "
                        "AND tablename IN ('releases', 'sightings') ORDER BY 1"
                    )
                )
                .scalars()
                .all()
            )
            constraints = (
                conn.exec_driver_sql(
                    "SELECT conname FROM pg_constraint WHERE contype = 'u' "
                    "AND conrelid IN ('releases'::regclass, 'sightings'::regclass)"
                )
                .scalars()
                .all()
            )
        assert unique == ["uq_releases_name", "uq_sightings_fingerprint"]
        assert constraints == []
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO releases (name, kind, match_score, match_reason, status, "
                "released_at, sightings) SELECT name, kind, 0, '', status, released_at, 1 "
                "FROM releases LIMIT 1"
            )
    finally:
        db.close()
