"""The need-to-know rule in the store (leaktrace/store/exchange_visibility.py), on SQLite and
PostgreSQL: every agency of the test oracle (tests/exchange/need_to_know.py) against every
generated object, through find_objects, for match[version] last / first / all, one
agency's bodies with the granular RED property removed or kept."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection

from leaktrace.exchange.markings import TLP_MARKING_IDS
from leaktrace.store.database import Database
from leaktrace.store.exchange_collections import rights_of, set_rights
from leaktrace.store.exchange_objects import ObjectQuery, count_objects, find_objects
from leaktrace.store.exchange_visibility import Viewer
from tests.exchange import need_to_know as ntk

VIEWERS = (None, *ntk.AGENCIES)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def published(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, str, dict[str, int], list[ntk.Row]]]:
    for database in ntk.backend_database(request, tmp_path_factory.mktemp("visibility")):
        with database.transaction() as conn:
            ids = ntk.agency_ids(conn)
            collection = ntk.make_collection(conn, "matrix", ids)
            pubs = ntk.publications()
            ntk.publish(conn, collection, pubs, ids)
        yield database, collection, ids, ntk.rows_of(pubs)


def viewer(code: str | None, ids: dict[str, int]) -> Viewer:
    return Viewer(None if code is None else ids[code])


def found(conn: Connection, collection: str, who: Viewer, versions: str) -> set[tuple[str, str]]:
    query = ObjectQuery(versions=(versions,))
    rows = find_objects(conn, collection, who, query)
    # the count the web pages show follows the same rule
    assert count_objects(conn, collection, who, query) == len(rows)
    return {(row.stix_id, row.version) for row in rows}


@pytest.mark.parametrize("versions", ["last", "first", "all"])
@pytest.mark.parametrize("code", VIEWERS)
def test_each_agency_sees_exactly_what_the_rule_allows(
    published: tuple[Database, str, dict[str, int], list[ntk.Row]],
    code: str | None,
    versions: str,
) -> None:
    database, collection, ids, rows = published
    with database.reading() as conn:
        # whether the agency may read at all is the caller's gate (collection_for, over
        # rights_of); find_objects filters the rows of a collection one may read
        reading = rights_of(conn, collection, viewer(code, ids))[0]
        assert reading == ntk.may_read(code)
        if reading:
            assert found(conn, collection, viewer(code, ids), versions) == ntk.expected(
                code, rows, versions
            )


def test_the_oracle_covers_every_case(
    published: tuple[Database, str, dict[str, int], list[ntk.Row]],
) -> None:
    _, _, _, rows = published
    reader = ntk.expected(ntk.READER, rows, "all")
    audience = ntk.expected(ntk.TO, rows, "all")
    owner = ntk.expected(ntk.OWNER, rows, "all")
    assert reader < audience < owner  # the test data tells the three apart
    red_to = ntk.stix_id("intrusion-set", "matrix red-to H0")
    assert red_to in {i for i, _ in audience} - {i for i, _ in reader}
    strict = ntk.stix_id("intrusion-set", "matrix amber+strict none")
    assert strict in {i for i, _ in owner} - {i for i, _ in audience}


def test_last_is_the_last_version_the_viewer_may_see(
    published: tuple[Database, str, dict[str, int], list[ntk.Row]],
) -> None:
    database, collection, ids, _ = published
    versioned = ntk.stix_id("intrusion-set", "versioned")
    v1, v2 = "2026-01-01T00:00:00.000000Z", "2026-01-02T00:00:00.000000Z"
    with database.reading() as conn:
        for code, last in ((ntk.READER, v1), (ntk.TO, v1), (ntk.OWNER, v2), (None, v2)):
            rows = find_objects(conn, collection, viewer(code, ids), ObjectQuery(ids=(versioned,)))
            assert [(r.version, r.tlp) for r in rows] == [(last, "green" if last == v1 else "red")]
        every = find_objects(
            conn,
            collection,
            viewer(ntk.READER, ids),
            ObjectQuery(ids=(versioned,), versions=("all",)),
        )
        assert [r.version for r in every] == [v1]
        exact = find_objects(
            conn, collection, viewer(ntk.READER, ids), ObjectQuery(ids=(versioned,), versions=(v2,))
        )
        assert exact == []


@pytest.mark.parametrize("code", [ntk.OWNER, ntk.TO, ntk.READER, None])
def test_granular_red_property(
    published: tuple[Database, str, dict[str, int], list[ntk.Row]], code: str | None
) -> None:
    database, collection, ids, rows = published
    granular = ntk.stix_id("intrusion-set", "granular")
    row = next(r for r in rows if r.stix_id == granular)
    with database.reading() as conn:
        (got,) = find_objects(conn, collection, viewer(code, ids), ObjectQuery(ids=(granular,)))
    assert got.body == ntk.body_seen(code, row)
    assert ("description" in got.body) == (code != ntk.READER)
    assert ("granular_markings" in got.body) == (code != ntk.READER)


def test_support_rows_only_beside_a_visible_object_needing_them(
    published: tuple[Database, str, dict[str, int], list[ntk.Row]],
) -> None:
    database, collection, ids, _ = published
    h3 = ntk.handling_mark("H3")
    foreign = ntk.stix_id("marking-definition", "foreign")
    strict = TLP_MARKING_IDS["amber+strict"]
    red = TLP_MARKING_IDS["red"]
    with database.reading() as conn:
        seen = {
            code: {
                r.stix_id for r in find_objects(conn, collection, viewer(code, ids), ObjectQuery())
            }
            for code in (ntk.OWNER, ntk.TO, ntk.READER)
        }
    # the H3 text travels with the objects it marks, to everyone who sees one of them
    assert h3["id"] in seen[ntk.READER]
    # the foreign marking is needed only by the restricted object: owner only
    assert foreign in seen[ntk.OWNER] and foreign not in seen[ntk.TO] | seen[ntk.READER]
    # AMBER+STRICT's definition only beside an AMBER+STRICT object: owner only
    assert strict in seen[ntk.OWNER] and strict not in seen[ntk.TO] | seen[ntk.READER]
    # RED's definition: beside RED objects shared with TO, not for READER
    assert red in seen[ntk.TO] and red not in seen[ntk.READER]
    assert ntk.stix_id("intrusion-set", "restricted") in seen[ntk.OWNER] - seen[ntk.READER]


def test_empty_sharing_group_means_nobody(
    published: tuple[Database, str, dict[str, int], list[ntk.Row]],
) -> None:
    database, collection, ids, _ = published
    with database.transaction() as conn:
        other = ntk.make_collection(conn, "nobody reads", ids)
        set_rights(conn, other, {})
        for code in ntk.AGENCIES:
            assert rights_of(conn, other, viewer(code, ids)) == (False, False)
        conn.rollback()
