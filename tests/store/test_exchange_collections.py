"""Collections, rights, status resources and H2 permissions
(leaktrace/store/exchange_collections.py) on SQLite and PostgreSQL: an empty reader list
means nobody; a collection an agency has no rights on does not exist for it; a status
resource is seen only by the agency that posted."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from leaktrace.store.database import Database
from leaktrace.store.exchange_collections import (
    StatusRecord,
    collection_by_id,
    collection_by_name,
    collections_for,
    has_permission,
    insert_status,
    record_permission,
    rights_of,
    set_rights,
    status_by_id,
)
from leaktrace.store.exchange_visibility import Viewer
from tests.exchange import need_to_know as ntk

OPERATOR = Viewer(None)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, dict[str, int], str]]:
    for database in ntk.backend_database(request, tmp_path_factory.mktemp("collections")):
        with database.transaction() as conn:
            ids = ntk.agency_ids(conn)
            collection = ntk.make_collection(conn, "shared", ids)
        yield database, ids, collection


def test_rights_as_set(store: tuple[Database, dict[str, int], str]) -> None:
    database, ids, collection = store
    with database.reading() as conn:
        for code in ntk.AGENCIES:
            assert rights_of(conn, collection, Viewer(ids[code])) == ntk.RIGHTS.get(
                code, (False, False)
            )
        assert rights_of(conn, collection, OPERATOR) == (True, True)
        record = collection_by_id(conn, collection, OPERATOR)
        assert record is not None
        assert set(record.readers) == {ntk.OWNER, ntk.TO, ntk.READER}
        assert set(record.writers) == {ntk.OWNER, ntk.WRITER}
        mine = collection_by_id(conn, collection, Viewer(ids[ntk.READER]))
        assert mine is not None and mine.can_read and not mine.can_write
        assert mine.readers == () and mine.writers == ()  # an agency is not told who else reads


def test_no_rights_means_the_collection_does_not_exist(
    store: tuple[Database, dict[str, int], str],
) -> None:
    database, ids, collection = store
    nobody = Viewer(ids[ntk.NOBODY])
    with database.reading() as conn:
        assert collection_by_id(conn, collection, nobody) is None
        assert collection_by_id(conn, "no-such-collection", nobody) is None
        for key in ("shared", collection):
            assert collection_by_name(conn, key, nobody) is None
            assert collection_by_name(conn, key, Viewer(ids[ntk.WRITER])) is not None
        assert collections_for(conn, nobody) == []
        assert [c.id for c in collections_for(conn, OPERATOR)] == [collection]


def test_an_empty_reader_list_means_nobody(store: tuple[Database, dict[str, int], str]) -> None:
    database, ids, collection = store
    with database.transaction() as conn:
        set_rights(conn, collection, {})
    with database.reading() as conn:
        for code in ntk.AGENCIES:
            assert rights_of(conn, collection, Viewer(ids[code])) == (False, False)
            assert collection_by_id(conn, collection, Viewer(ids[code])) is None
        record = collection_by_id(conn, collection, OPERATOR)
        assert record is not None and record.readers == () and record.writers == ()
    with database.transaction() as conn:  # both rights false: no row, no right
        set_rights(conn, collection, {ids[ntk.READER]: (False, False)})
    with database.reading() as conn:
        assert collection_by_id(conn, collection, Viewer(ids[ntk.READER])) is None


def test_a_removed_right_is_gone_at_once(store: tuple[Database, dict[str, int], str]) -> None:
    database, ids, collection = store
    with database.transaction() as conn:
        set_rights(conn, collection, {ids[ntk.OWNER]: (True, True)})
    with database.reading() as conn:
        assert rights_of(conn, collection, Viewer(ids[ntk.READER])) == (False, False)
        assert rights_of(conn, collection, Viewer(ids[ntk.OWNER])) == (True, True)


def test_a_status_is_seen_only_by_the_agency_that_posted(
    store: tuple[Database, dict[str, int], str],
) -> None:
    database, ids, collection = store
    record = StatusRecord(
        id="2d086da7-4bdc-4f91-900e-d77486753710",
        collection_id=collection,
        agency_id=ids[ntk.WRITER],
        request_timestamp="2026-12-05T10:00:00.000000Z",
        status="complete",
        total_count=1,
        details={"successes": [{"id": "x", "version": "v"}], "failures": [], "pendings": []},
    )
    with database.transaction() as conn:
        insert_status(conn, record)
    with database.reading() as conn:
        assert status_by_id(conn, record.id, Viewer(ids[ntk.WRITER])) == record
        assert status_by_id(conn, record.id, OPERATOR) == record
        for code in (ntk.OWNER, ntk.READER, ntk.NOBODY):
            assert status_by_id(conn, record.id, Viewer(ids[code])) is None
        assert status_by_id(conn, "00000000-0000-0000-0000-000000000000", OPERATOR) is None


def test_h2_permissions(store: tuple[Database, dict[str, int], str]) -> None:
    database, ids, _ = store
    item = ntk.stix_id("intrusion-set", "h2")
    with database.transaction() as conn:
        record_permission(conn, item, ids[ntk.TO], "NL-OWN by mail 12", "admin@x", ntk.NOW)
    with database.reading() as conn:
        assert has_permission(conn, item, ids[ntk.TO])
        assert not has_permission(conn, item, ids[ntk.READER])
        assert not has_permission(conn, ntk.stix_id("intrusion-set", "other"), ids[ntk.TO])
