"""store.operations: the rows of action days on SQLite and PostgreSQL: operations,
agencies, targets (JSON checklist and outcome), issues (open first), the agency's list,
the row lock, and cascades; migration 0015 matches the models on PostgreSQL too."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, func, select, text
from sqlalchemy.engine import Connection

from leaktrace.errors import StoreError
from leaktrace.store import operations as store
from leaktrace.store.cases import insert_case, insert_member
from leaktrace.store.database import Database
from leaktrace.store.identity import insert_agency
from leaktrace.store.schema import Base
from leaktrace.store.schema_operations import (
    OPERATION_AGENCIES,
    OPERATION_ISSUES,
    OPERATION_TARGETS,
    OPERATIONS,
)
from tests.services.operation_setup import postgres_copy, sqlite_copy

NOW = datetime(2026, 12, 6, 12, 0, 0, 123000, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        with Database(sqlite_copy(tmp_path)) as db:
            yield db
        return
    for target in postgres_copy(request.getfixturevalue("postgres_url")):
        with Database(target) as db:
            yield db


def _setup(conn: Connection) -> tuple[int, int, int, int]:
    """(case id, NL agency id, DE agency id, operation id)."""
    nl = insert_agency(conn, code="NL-POL", name="Politie", country="NL", kind="police", now=NOW)
    de = insert_agency(conn, code="DE-BKA", name="BKA", country="DE", kind="police", now=NOW)
    case_id = insert_case(
        conn,
        owner_agency_id=nl,
        title="Tinsel",
        legal_basis="",
        reference="",
        retention_until=None,
        log_id="test/case/tinsel",
        created_by="someone",
        now=NOW,
    )
    insert_member(conn, case_id=case_id, agency_id=nl, role="lead", now=NOW)
    op = store.insert_operation(
        conn,
        case_id=case_id,
        name="Lantern",
        day=date(2026, 12, 7),
        h_hour="05:00",
        handling="H2",
        created_by="ana@nl-pol.example",
        now=NOW,
    )
    store.insert_agencies(
        conn, op, [(nl, "coordinator", "Europe/Amsterdam"), (de, "participant", "Europe/Berlin")]
    )
    return case_id, nl, de, op


def _target(conn: Connection, op: int, label: str, **values: object) -> int | None:
    fields: dict[str, object] = {
        "kind": "server",
        "country": None,
        "group_name": None,
        "reference": None,
        "real_name": None,
        "agency_id": None,
        "status": "planned",
    }
    fields.update(values)
    return store.insert_target(conn, operation_id=op, label=label, now=NOW, **fields)  # type: ignore[arg-type]


def test_operation_and_agencies_round_trip(database: Database) -> None:
    with database.transaction() as conn:
        case_id, nl, de, op = _setup(conn)
        other = store.insert_operation(
            conn,
            case_id=case_id,
            name="Later",
            day=date(2027, 1, 2),
            h_hour="23:59",
            handling="H0",
            created_by="x",
            now=NOW,
        )
        store.insert_agencies(conn, other, [(de, "observer", "UTC")])
        store.insert_agencies(conn, other, [])  # nothing to add is fine
    with database.reading() as conn:
        record = store.operation_by_id(conn, op)
        assert record == store.OperationRecord(
            id=op,
            case_id=case_id,
            name="Lantern",
            day=date(2026, 12, 7),
            h_hour="05:00",
            handling="H2",
            created_by="ana@nl-pol.example",
            created_at=NOW,
            updated_at=NOW,
        )
        assert record.created_at.tzinfo is not None
        assert store.operation_by_name(conn, case_id, "Lantern") == record
        assert store.operation_by_name(conn, case_id, "lantern") is None
        assert store.operation_by_id(conn, op + 100) is None
        assert [a.code for a in store.agencies_of(conn, op)] == ["DE-BKA", "NL-POL"]
        assert store.agencies_of(conn, op)[1] == store.OperationAgencyRecord(
            agency_id=nl,
            code="NL-POL",
            name="Politie",
            country="NL",
            kind="police",
            role="coordinator",
            timezone="Europe/Amsterdam",
        )
        assert store.agency_role(conn, op, de) == "participant"
        assert store.agency_role(conn, other, de) == "observer"
        assert store.agency_role(conn, other, nl) is None
        # newest day first; None (the operator) sees all
        assert [o.id for o in store.operations_of_agency(conn, None)] == [other, op]
        assert [o.id for o in store.operations_of_agency(conn, de)] == [other, op]
        assert [o.id for o in store.operations_of_agency(conn, nl)] == [op]
        assert store.operations_of_agency(conn, 999) == []


def test_one_name_per_case(database: Database) -> None:
    with database.transaction() as conn:
        case_id, *_ = _setup(conn)
    with pytest.raises(StoreError), database.transaction() as conn:
        store.insert_operation(
            conn,
            case_id=case_id,
            name="Lantern",
            day=date(2026, 12, 7),
            h_hour="05:00",
            handling="H2",
            created_by="x",
            now=NOW,
        )


def test_targets_round_trip_and_change(database: Database) -> None:
    with database.transaction() as conn:
        _, nl, de, op = _setup(conn)
        server = _target(conn, op, "203.0.113.5", country="NL", agency_id=nl, reference="h:1")
        person = _target(
            conn,
            op,
            "H4x",
            kind="person",
            country="DE",
            group_name="GRP",
            real_name="Hans Müster",
            agency_id=de,
        )
        # the same label as another kind is another target; the same kind and label is not
        premises = _target(conn, op, "h4x", kind="premises")
        assert _target(conn, op, "203.0.113.5", country="DE") is None
        assert server and person and premises
    with database.reading() as conn:
        records = store.targets_of(conn, op)
        assert [t.id for t in records] == [server, person, premises]
        first = records[0]
        assert (first.label, first.country, first.agency_code, first.reference) == (
            "203.0.113.5",
            "NL",
            "NL-POL",
            "h:1",
        )
        assert first.checklist == {} and first.outcome == {} and first.note is None
        assert records[1].real_name == "Hans Müster" and records[1].group_name == "GRP"
        assert records[2].agency_id is None and records[2].agency_code is None
        assert store.target_by_id(conn, op, server) == first
        assert store.target_by_id(conn, op + 1, server) is None
        assert [t.id for t in store.targets_by_label(conn, op, "h4X")] == [person, premises]
        assert store.targets_by_label(conn, op, "nothing") == []
    later = NOW + timedelta(minutes=5)
    with database.transaction() as conn:
        store.update_target(
            conn,
            server,
            status="done",
            checklist={"search": "", "authorisation": "AZ 12/26 – ü"},
            outcome={"seized": 2, "offline": True, "moved_to": "AS64500"},
            note="two racks",
            agency_id=de,
            updated_at=later,
            updated_by="ana",
        )
    with database.reading() as conn:
        changed = store.target_by_id(conn, op, server)
        assert changed is not None
        assert changed.status == "done" and changed.agency_code == "DE-BKA"
        assert changed.checklist == {"search": "", "authorisation": "AZ 12/26 – ü"}
        assert changed.outcome == {"seized": 2, "offline": True, "moved_to": "AS64500"}
        assert (changed.note, changed.updated_at, changed.updated_by) == ("two racks", later, "ana")
        others = store.targets_of(conn, op)[1:]
        assert all(t.updated_at == NOW and t.status == "planned" for t in others)


def test_issues_open_first_and_counts(database: Database) -> None:
    with database.transaction() as conn:
        _, nl, _, op = _setup(conn)
        a = _target(conn, op, "a.example")
        b = _target(conn, op, "b.example")
        assert a and b
        ids = [
            store.insert_issue(
                conn,
                operation_id=op,
                target_id=target,
                text=f"issue {n}",
                raised_by="ana",
                raised_agency="NL-POL" if n % 2 else None,
                now=NOW + timedelta(seconds=n),
            )
            for n, target in enumerate([a, b, a, b])
        ]
        store.resolve_issue(conn, ids[0], by="bob", resolution="fixed", now=NOW)
        store.resolve_issue(conn, ids[1], by="bob", resolution="", now=NOW)
    with database.reading() as conn:
        issues = store.issues_of(conn, op)
        assert [i.id for i in issues] == [ids[2], ids[3], ids[0], ids[1]]
        assert [i.resolved_at is None for i in issues] == [True, True, False, False]
        assert issues[2].resolution == "fixed" and issues[2].resolved_by == "bob"
        assert issues[0].target_label == "a.example" and issues[1].raised_agency == "NL-POL"
        assert store.open_issue_counts(conn, op) == {a: 1, b: 1}
        assert store.issue_by_id(conn, op, ids[3]) == issues[1]
        assert store.issue_by_id(conn, op + 1, ids[3]) is None
        assert store.issues_of(conn, op + 1) == [] and store.open_issue_counts(conn, op + 1) == {}


def test_lock_marks_the_operation_changed(database: Database) -> None:
    with database.transaction() as conn:
        _, _, _, op = _setup(conn)
        later = NOW + timedelta(hours=1)
        locked = store.lock_operation(conn, op, later)
        assert locked is not None and locked.updated_at == later
        assert store.lock_operation(conn, op + 99, later) is None


def test_deleting_an_operation_removes_its_rows(database: Database) -> None:
    with database.transaction() as conn:
        _, _, _, op = _setup(conn)
        target = _target(conn, op, "a.example")
        assert target
        store.insert_issue(
            conn,
            operation_id=op,
            target_id=target,
            text="t",
            raised_by="a",
            raised_agency=None,
            now=NOW,
        )
    with database.transaction() as conn:
        conn.execute(delete(OPERATIONS).where(OPERATIONS.c.id == op))
    with database.reading() as conn:
        for table in (OPERATION_AGENCIES, OPERATION_TARGETS, OPERATION_ISSUES):
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == 0
        assert store.operation_by_id(conn, op) is None


def test_migrations_match_the_models_on_postgresql(postgres_database: str) -> None:
    with Database(postgres_database) as db, db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


@pytest.fixture
def postgres_target(postgres_url: str) -> Iterator[str]:
    yield from postgres_copy(postgres_url)


def test_postgresql_lock_blocks_a_second_writer(postgres_target: str) -> None:
    """The row lock serialises the changes of one operation (and not of another)."""
    with Database(postgres_target) as db:
        with db.transaction() as conn:
            case_id, _, _, op = _setup(conn)
            other = store.insert_operation(
                conn,
                case_id=case_id,
                name="Other",
                day=date(2026, 12, 7),
                h_hour="05:00",
                handling="H2",
                created_by="x",
                now=NOW,
            )
        holding = threading.Event()
        release = threading.Event()

        def hold() -> None:
            with db.transaction() as conn:
                store.lock_operation(conn, op, NOW)
                holding.set()
                release.wait(30)

        worker = threading.Thread(target=hold)
        worker.start()
        try:
            assert holding.wait(30)
            with db.engine.connect() as conn:
                conn.execute(text("SET lock_timeout = '200ms'"))
                assert store.lock_operation(conn, other, NOW) is not None  # another: free
                conn.rollback()
                conn.execute(text("SET lock_timeout = '200ms'"))
                with pytest.raises(Exception, match="lock timeout"):
                    store.lock_operation(conn, op, NOW)
                conn.rollback()
        finally:
            release.set()
            worker.join(30)
