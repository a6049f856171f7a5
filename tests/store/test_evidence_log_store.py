"""store.evidence_log and the append-only tables: on SQLite and PostgreSQL, UPDATE and
DELETE of every row of every table in ``APPEND_ONLY_TABLES`` is refused by the database
itself; the store's reads return what was written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Table, func, insert, select, text, update
from sqlalchemy.engine import Connection

from leaktrace.errors import StoreError
from leaktrace.store import evidence_log as log_store
from leaktrace.store.database import Database
from leaktrace.store.schema_access import AGENCIES
from leaktrace.store.schema_cases import (
    APPEND_ONLY_TABLES,
    CASE_ITEMS,
    CASE_NOTES,
    CASES,
    EVIDENCE_BLOBS,
    EVIDENCE_ENTRIES,
    EVIDENCE_TIMESTAMPS,
    EVIDENCE_TREE_HEADS,
)

NOW = datetime(2026, 12, 5, 19, 40, tzinfo=UTC)
DIGEST = "ab" * 32
TABLES: dict[str, Table] = {
    "evidence_entries": EVIDENCE_ENTRIES,
    "evidence_tree_heads": EVIDENCE_TREE_HEADS,
    "evidence_timestamps": EVIDENCE_TIMESTAMPS,
    "evidence_blobs": EVIDENCE_BLOBS,
    "case_items": CASE_ITEMS,
    "case_notes": CASE_NOTES,
}
CHANGE: dict[str, dict[str, object]] = {
    "evidence_entries": {"event": "case.updated"},
    "evidence_tree_heads": {"root_hash": "00" * 32},
    "evidence_timestamps": {"tsa_url": "http://elsewhere.example"},
    "evidence_blobs": {"content": b"other"},
    "case_items": {"reason": "rewritten"},
    "case_notes": {"text": "rewritten"},
}


def fill(conn: Connection) -> int:
    """One row in every append-only table; the case id."""
    agency = conn.execute(
        insert(AGENCIES)
        .values(code="NL-POL", name="Politie", country="NL", kind="police", created_at=NOW)
        .returning(AGENCIES.c.id)
    ).scalar_one()
    case_id = int(
        conn.execute(
            insert(CASES)
            .values(
                owner_agency_id=agency,
                title="t",
                status="open",
                legal_basis="",
                reference="",
                log_id="test/case/1",
                created_at=NOW,
                created_by="test",
                updated_at=NOW,
            )
            .returning(CASES.c.id)
        ).scalar_one()
    )
    log_store.insert_entry(
        conn,
        case_id=case_id,
        seq=0,
        entry=b"{}",
        leaf_hash=b"\x01" * 32,
        event="case.opened",
        at=NOW,
    )
    log_store.insert_tree_head(
        conn,
        case_id=case_id,
        tree_size=1,
        root_hash="01" * 32,
        timestamp="2026-12-05T19:40:00.000Z",
        signature="c2ln",
        note_signature="\u2014 test c2ln",
        key_fingerprint="ff" * 32,
    )
    log_store.insert_timestamp(
        conn,
        case_id=case_id,
        tree_size=1,
        tsa_url="http://tsa.example",
        token=b"\x30",
        gen_time=NOW,
    )
    conn.execute(
        insert(EVIDENCE_BLOBS).values(sha256=DIGEST, size=4, content=b"data", stored_at=NOW)
    )
    conn.execute(
        insert(CASE_ITEMS).values(
            case_id=case_id,
            kind="file",
            reference="",
            label="a.txt",
            sha256=DIGEST,
            size=4,
            media_type="text/plain",
            original_name="a.txt",
            reason="",
            added_by="test",
            agency="NL-POL",
            entry_seq=0,
            added_at=NOW,
        )
    )
    conn.execute(
        insert(CASE_NOTES).values(
            case_id=case_id, text="n", author="test", agency="NL-POL", entry_seq=0, added_at=NOW
        )
    )
    return case_id


def refusals(database: Database) -> None:
    with database.transaction() as conn:
        case_id = fill(conn)
    assert sorted(TABLES) == sorted(APPEND_ONLY_TABLES)
    for name, table in TABLES.items():
        with pytest.raises(StoreError, match=f"{name} is append-only"):
            with database.transaction() as conn:
                conn.execute(update(table).values(**CHANGE[name]))
        with pytest.raises(StoreError, match=f"{name} is append-only"):
            with database.transaction() as conn:
                conn.execute(table.delete())
        with database.reading() as conn:
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 1
    with database.reading() as conn:
        [head] = log_store.tree_heads(conn, case_id)
        assert head.head.log_id == "test/case/1" and head.timestamped
        assert log_store.tree_head(conn, case_id, 2) is None
        assert log_store.log_size(conn, case_id) == 1
        assert log_store.entries(conn, case_id)[0].entry == b"{}"
        assert log_store.blobs(conn, [DIGEST, "cd" * 32]) == {DIGEST: b"data"}
        assert [t.token for t in log_store.timestamps(conn, case_id, 1)] == [b"\x30"]


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(str(tmp_path / "log.db"))
    yield database
    database.close()


def test_sqlite_refuses_changes_to_append_only_tables(sqlite_db: Database) -> None:
    refusals(sqlite_db)


def test_postgresql_refuses_changes_to_append_only_tables(postgres_database: str) -> None:
    with Database(postgres_database) as database:
        refusals(database)


def test_postgresql_refuses_truncate_of_append_only_tables(postgres_database: str) -> None:
    """TRUNCATE fires no row triggers: statement triggers refuse it, for every table (with
    CASCADE, so that no foreign key is what stops it); without its trigger it would go."""
    with Database(postgres_database) as database:
        with database.transaction() as conn:
            fill(conn)
        for name in APPEND_ONLY_TABLES:
            with pytest.raises(StoreError, match="is append-only"):
                with database.transaction() as conn:
                    conn.execute(text(f"TRUNCATE TABLE {name} CASCADE"))
        with database.reading() as conn:
            for name, table in TABLES.items():
                count = conn.execute(select(func.count()).select_from(table)).scalar_one()
                assert count == 1, name
        with database.transaction() as conn:  # the control: the trigger is what refused
            conn.execute(text("DROP TRIGGER evidence_entries_no_truncate ON evidence_entries"))
            conn.execute(text("TRUNCATE TABLE evidence_entries"))
        with database.reading() as conn:
            assert conn.execute(select(func.count()).select_from(EVIDENCE_ENTRIES)).scalar() == 0


def test_an_empty_log(sqlite_db: Database) -> None:
    with sqlite_db.reading() as conn:
        assert log_store.log_size(conn, 1) == 0
        assert log_store.leaf_hashes(conn, 1) == []
        assert log_store.tree_head(conn, 1) is None
        assert log_store.case_log_id(conn, 1) is None
