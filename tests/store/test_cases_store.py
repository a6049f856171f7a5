"""store.cases: the SQL of cases, members, tasks, notes, items and blobs on SQLite and
PostgreSQL: summaries per agency, blobs stored once, ids handed out before the row, and
items, notes and blobs that the database refuses to change or delete."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Connection

from leaktrace.errors import StoreError
from leaktrace.store import cases as store
from leaktrace.store.database import Database
from leaktrace.store.identity import insert_agency, insert_user, set_user_active
from leaktrace.store.release_queries import release_id_by_name
from leaktrace.store.schema_cases import CASE_ITEMS, CASE_NOTES, EVIDENCE_BLOBS

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        target = str(tmp_path / "store.db")
    else:
        target = request.getfixturevalue("postgres_database")
    with Database(target) as db:
        yield db


def _case(conn: Connection, agency_id: int, title: str, at: datetime) -> int:
    case_id = store.insert_case(
        conn,
        owner_agency_id=agency_id,
        title=title,
        legal_basis="",
        reference="",
        retention_until=None,
        log_id=f"test/case/{title}",
        created_by="someone",
        now=at,
    )
    store.insert_member(conn, case_id=case_id, agency_id=agency_id, role="lead", now=at)
    return case_id


def _item(item_id: int, sha256: str, seq: int, *, personal: bool = False) -> store.ItemRecord:
    return store.ItemRecord(
        id=item_id,
        kind="file",
        reference="a.bin",
        label="a.bin (3 bytes)",
        sha256=sha256,
        size=3,
        media_type="application/octet-stream",
        original_name="a.bin",
        reason="",
        added_by="someone",
        agency=None,
        added_at=NOW,
        entry_seq=seq,
        personal=personal,
    )


def test_cases_members_and_summaries(database: Database) -> None:
    with database.transaction() as conn:
        nl = insert_agency(
            conn, code="NL-POL", name="Politie", country="NL", kind="police", now=NOW
        )
        de = insert_agency(conn, code="DE-BKA", name="BKA", country="DE", kind="police", now=NOW)
        older = _case(conn, nl, "older", NOW)
        newer = _case(conn, de, "newer", NOW + timedelta(hours=1))
        store.insert_member(conn, case_id=newer, agency_id=nl, role="observer", now=NOW)
        store.insert_blob(conn, sha256="a" * 64, content=b"abc", now=NOW)
        store.insert_item(
            conn, item=_item(store.next_id(conn, "case_items"), "a" * 64, 0), case_id=older
        )
    with database.reading() as conn:
        found = store.case_by_id(conn, older, lock=True)
        assert found is not None and (found.owner_agency, found.status) == ("NL-POL", "open")
        assert store.case_by_id(conn, 9999) is None
        assert store.member_role(conn, newer, nl) == "observer"
        assert store.member_role(conn, older, de) is None
        mine = store.case_summaries(conn, agency_id=nl)
        assert [(c.id, c.my_role, c.items) for c in mine] == [
            (newer, "observer", 0),
            (older, "lead", 1),
        ]
        assert [c.id for c in store.case_summaries(conn, agency_id=de)] == [newer]
        every = store.case_summaries(conn, agency_id=None)
        assert [(c.id, c.my_role) for c in every] == [(newer, None), (older, None)]
        assert store.case_summaries(conn, agency_id=nl, status="closed") == []
        assert [m.agency for m in store.members_of(conn, newer)] == ["DE-BKA", "NL-POL"]


def test_blobs_once_items_and_notes_append_only(database: Database) -> None:
    with database.transaction() as conn:
        nl = insert_agency(
            conn, code="NL-POL", name="Politie", country="NL", kind="police", now=NOW
        )
        case_id = _case(conn, nl, "c", NOW)
        assert store.insert_blob(conn, sha256="b" * 64, content=b"xyz", now=NOW) is True
        assert store.insert_blob(conn, sha256="b" * 64, content=b"xyz", now=NOW) is False
        first = store.next_id(conn, "case_items")
        store.insert_item(conn, item=_item(first, "b" * 64, 0), case_id=case_id)
        second = store.next_id(conn, "case_items")
        assert second > first
        store.insert_item(conn, item=_item(second, "b" * 64, 1), case_id=case_id)
        note = store.next_id(conn, "case_notes")
        store.insert_note(
            conn,
            note_id=note,
            case_id=case_id,
            text="n",
            author="a",
            agency=None,
            entry_seq=2,
            now=NOW,
        )
    with database.reading() as conn:
        assert store.blob_content(conn, "b" * 64) == b"xyz"
        assert store.blob_content(conn, "c" * 64) is None
        assert [i.id for i in store.items_of(conn, case_id)] == [first, second]
        assert store.item_by_id(conn, case_id, second) == _item(second, "b" * 64, 1)
        assert [n.id for n in store.notes_of(conn, case_id)] == [note]
        assert store.case_has_personal(conn, case_id) is False
    with database.transaction() as conn:
        other = _case(conn, nl, "other", NOW)
        named = _item(store.next_id(conn, "case_items"), "b" * 64, 0, personal=True)
        store.insert_item(conn, item=named, case_id=other)
    with database.reading() as conn:
        assert store.item_by_id(conn, other, named.id) == named
        assert [i.personal for i in store.items_of(conn, other)] == [True]
        assert (store.case_has_personal(conn, other), store.case_has_personal(conn, case_id)) == (
            True,
            False,
        )
    for statement in (
        update(CASE_ITEMS).values(label="changed"),
        delete(CASE_ITEMS),
        update(CASE_NOTES).values(text="changed"),
        delete(CASE_NOTES),
        update(EVIDENCE_BLOBS).values(content=b"forged"),
        delete(EVIDENCE_BLOBS),
    ):
        with pytest.raises(StoreError, match="append-only"):
            with database.transaction() as conn:
                conn.execute(statement)
    with database.reading() as conn:
        assert store.blob_content(conn, "b" * 64) == b"xyz"
    with pytest.raises(ValueError):
        with database.transaction() as conn:
            store.next_id(conn, "cases")


def test_tasks_subjects_and_assignees(database: Database) -> None:
    with database.transaction() as conn:
        nl = insert_agency(
            conn, code="NL-POL", name="Politie", country="NL", kind="police", now=NOW
        )
        de = insert_agency(conn, code="DE-BKA", name="BKA", country="DE", kind="police", now=NOW)
        case_id = _case(conn, nl, "c", NOW)
        insert_user(
            conn, email="a@nl.example", agency_id=nl, role="analyst", password_hash=None, now=NOW
        )
        gone = insert_user(
            conn, email="b@nl.example", agency_id=nl, role="analyst", password_hash=None, now=NOW
        )
        set_user_active(conn, gone, False)
        insert_user(
            conn, email="c@de.example", agency_id=de, role="analyst", password_hash=None, now=NOW
        )
        assert store.active_member_user(conn, case_id, "a@nl.example")
        assert not store.active_member_user(conn, case_id, "b@nl.example")
        assert not store.active_member_user(conn, case_id, "c@de.example")
        store.insert_subject(conn, case_id=case_id, kind="group", value="GRP", now=NOW)
        assert store.has_subject(conn, case_id, "group", "GRP")
        assert not store.has_subject(conn, case_id, "host", "GRP")
        task = store.insert_task(conn, case_id=case_id, title="t", assignee=None, now=NOW)
        store.update_task(conn, task, status="done", assignee="a@nl.example")
        assert store.task_by_id(conn, case_id + 1, task) is None
    with database.reading() as conn:
        found = store.task_by_id(conn, case_id, task)
        assert found is not None and (found.status, found.assignee) == ("done", "a@nl.example")
        assert [(s.kind, s.value) for s in store.subjects_of(conn, case_id)] == [("group", "GRP")]
        assert release_id_by_name(conn, "No.Such.Release-X") is None
