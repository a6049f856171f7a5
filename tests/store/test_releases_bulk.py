"""The SQLite bulk path of the release store writes what SQLAlchemy would write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from leaktrace.errors import StoreError
from leaktrace.store.database import Database
from leaktrace.store.portable import sqlite_cursor, sqlite_time, sqlite_time_of
from leaktrace.store.releases import (
    find_releases,
    insert_releases,
    insert_sightings,
    row_times,
)
from leaktrace.store.schema import RELEASES, SIGHTINGS

SQLA_TIME = RELEASES.c.released_at.type.dialect_impl(sqlite.dialect()).bind_processor(
    sqlite.dialect()
)


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
        ),
    )
)
def test_times_are_written_as_sqlalchemy_writes_them(moment: datetime) -> None:
    assert SQLA_TIME is not None
    assert sqlite_time(moment) == SQLA_TIME(moment)


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2),
        max_value=datetime(9999, 12, 30),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    )
)
def test_times_taken_from_their_iso_text_are_the_same(moment: datetime) -> None:
    """The ingest formats a time once (for the fingerprint) and takes the stored text
    from that."""
    assert sqlite_time_of(moment, moment.isoformat()) == sqlite_time(moment)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        sqlite_time(datetime(2026, 1, 1))


def release(name: str, at: datetime, sightings: int = 0) -> dict[str, object]:
    return {
        "name": name,
        "title": "T",
        "year": 2026,
        "kind": "movie",
        "status": "unmatched",
        "match_score": 0.0,
        "match_reason": "none",
        "released_at": at,
        "sightings": sightings,
    }


def sighting(rid: int, fingerprint: str, at: datetime) -> dict[str, object]:
    return {"release_id": rid, "fingerprint": fingerprint, "seen_at": at, "origin": "feed"}


AT = datetime(2026, 5, 16, 8, 0, tzinfo=UTC)


def _values(
    conn: Connection, rows: list[dict[str, object]]
) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """Dict rows as the store takes them: columns, and rows of values with times as
    :func:`row_times` gives them."""
    times = row_times(conn)
    columns = tuple(rows[0])
    values = [
        tuple(times(v, v.isoformat()) if isinstance(v, datetime) else v for v in row.values())
        for row in rows
    ]
    return columns, values


def add_releases(conn: Connection, rows: list[dict[str, object]]) -> dict[str, int]:
    return insert_releases(conn, *_values(conn, rows))


def add_sightings(
    conn: Connection, rows: list[dict[str, object]], counted: dict[int, int] | None = None
) -> int:
    return insert_sightings(conn, *_values(conn, rows), counted)


def test_bulk_path_is_used_on_sqlite(db: Database) -> None:
    with db.transaction() as conn:
        assert sqlite_cursor(conn) is not None
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        assert sqlite_cursor(conn) is None  # no transaction to hold the rows together


def test_inserted_ids_and_times_round_trip(db: Database) -> None:
    with db.transaction() as conn:
        first = add_releases(conn, [release("A.2026-G", AT), release("B.2026-G", AT)])
        # B again (stored meanwhile) and C: only C is new, with its own id
        second = add_releases(conn, [release("B.2026-G", AT), release("C.2026-G", AT)])
    assert set(first) == {"A.2026-G", "B.2026-G"}
    assert list(second) == ["C.2026-G"]
    with db.reading() as conn:
        found = find_releases(conn, ["A.2026-G", "B.2026-G", "C.2026-G"])
    assert {n: k.id for n, k in found.items()} == {**first, **second}
    assert all(k.released_at == AT for k in found.values())


def test_sighting_counts_with_and_without_preset(db: Database) -> None:
    with db.transaction() as conn:
        ids = add_releases(conn, [release("A.2026-G", AT, sightings=2), release("B", AT)])
        a, b = ids["A.2026-G"], ids["B"]
        new = add_sightings(
            conn,
            [sighting(a, "f1", AT), sighting(a, "f2", AT), sighting(b, "f3", AT)],
            {a: 2},
        )
        assert new == 3
        # repeats are not counted again; a new sighting of A adds one
        again = add_sightings(conn, [sighting(a, "f1", AT), sighting(a, "f4", AT)])
        assert again == 1
        # a preset that overcounts is corrected (only the inserted rows count)
        c = add_releases(conn, [release("C", AT, sightings=2)])["C"]
        assert add_sightings(conn, [sighting(c, "f4", AT), sighting(c, "f5", AT)], {c: 2}) == 1
    with db.reading() as conn:
        counts = dict(conn.execute(select(RELEASES.c.name, RELEASES.c.sightings)).all())
        stored = conn.execute(select(func.count()).select_from(SIGHTINGS)).scalar_one()
    assert counts == {"A.2026-G": 3, "B": 1, "C": 1}
    assert stored == 5


def test_driver_errors_are_sqlalchemy_errors(db: Database) -> None:
    with db.transaction() as conn:
        with pytest.raises(IntegrityError):
            add_sightings(conn, [sighting(999_999, "f1", AT)])  # no such release
    bad = release("A", AT)
    bad["kind"] = None  # NOT NULL
    with pytest.raises(StoreError, match="NOT NULL"), db.transaction() as conn:
        add_releases(conn, [bad])


NULLABLE = ("title", "year", "season", "episode", "website", "imdb_id", "work_id")


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "title": st.one_of(st.none(), st.text(max_size=8)),
                "year": st.one_of(st.none(), st.integers(1900, 2100)),
                "season": st.one_of(st.none(), st.integers(0, 99)),
                "website": st.one_of(st.none(), st.just(""), st.text(max_size=8)),
                "imdb_id": st.none(),
            },
        ),
        min_size=1,
        max_size=6,
    )
)
def test_columns_null_throughout_a_batch_are_stored_null(
    db: Database, values: list[dict[str, object]]
) -> None:
    """Columns left out of the statement (NULL in every row) read back NULL, and a
    column with a value in any row keeps every row's own value, empty text and 0 too."""
    keys = sorted({key for row in values for key in row})
    rows = []
    for index, given_values in enumerate(values):
        row = release(f"{uuid.uuid4().hex}.{index}", AT)
        row.update({key: given_values.get(key) for key in keys})
        rows.append(row)
    with db.transaction() as conn:
        ids = add_releases(conn, rows)
    with db.reading() as conn:
        stored = {
            r.name: r
            for r in conn.execute(
                select(RELEASES).where(RELEASES.c.id.in_(list(ids.values())))
            ).all()
        }
    for row in rows:
        got = stored[str(row["name"])]
        for column in NULLABLE:
            assert getattr(got, column) == row.get(column), column
        assert got.released_at == AT and got.kind == "movie"


def test_times_must_come_as_the_store_takes_them(db: Database) -> None:
    """A datetime would reach the driver, which writes another format: refused."""
    row = release("A", AT)
    with pytest.raises(TypeError, match="releases.released_at"), db.transaction() as conn:
        insert_releases(conn, tuple(row), [tuple(row.values())])
