"""store_batch (leaktrace/store/exchange_batches.py), the one way in, on SQLite and
PostgreSQL: a batch is classified against the definitions stored before, the agency code of
a LeakTrace identity is kept as the rows' origin agency, a stricter floor is applied and the
audience reaches RED rows only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from leaktrace.exchange.classify import check_object
from leaktrace.exchange.markings import TLP_MARKING_IDS
from leaktrace.exchange.stix_extension import PIRACY_EXTENSION_ID
from leaktrace.store.database import Database
from leaktrace.store.exchange_batches import store_batch
from leaktrace.store.exchange_objects import ObjectQuery, find_objects
from leaktrace.store.exchange_visibility import Viewer
from tests.exchange import need_to_know as ntk


@pytest.fixture(params=["sqlite", "postgresql"])
def store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, dict[str, int], str]]:
    for database in ntk.backend_database(request, tmp_path_factory.mktemp("batches")):
        with database.transaction() as conn:
            ids = ntk.agency_ids(conn)
            collection = ntk.make_collection(conn, "batches", ids)
        yield database, ids, collection


def put(
    database: Database,
    collection: str,
    objects: list[dict[str, Any]],
    owner: int,
    **options: Any,
) -> None:
    with database.transaction() as conn:
        store_batch(
            conn,
            collection,
            [check_object(o) for o in objects],
            owner_agency_id=owner,
            origin="posted",
            **options,
        )


def seen(database: Database, collection: str, agency: int | None) -> dict[str, Any]:
    with database.reading() as conn:
        return {
            row.stix_id: row
            for row in find_objects(conn, collection, Viewer(agency), ObjectQuery())
        }


def test_a_marking_sent_before_classifies_a_later_batch(
    store: tuple[Database, dict[str, int], str],
) -> None:
    database, ids, collection = store
    marking = ntk.handling_mark("H3")
    identity = ntk.identity_of(ntk.OWNER)
    put(database, collection, [identity, marking], ids[ntk.OWNER])
    later = ntk.matrix_object("green", "H3")
    put(database, collection, [later], ids[ntk.OWNER])
    reader = seen(database, collection, ids[ntk.READER])
    assert reader[later["id"]].handling == "H3" and reader[later["id"]].tlp == "green"
    # sent alone, the marking and identity needed nothing: ordinary rows; the reader sees them
    assert marking["id"] in reader and identity["id"] in reader


def test_an_unknown_marking_ref_restricts_to_the_owner(
    store: tuple[Database, dict[str, int], str],
) -> None:
    database, ids, collection = store
    item = ntk.matrix_object("clear", "none")
    item["object_marking_refs"].append(ntk.stix_id("marking-definition", "never sent"))
    put(database, collection, [item], ids[ntk.OWNER])
    assert item["id"] in seen(database, collection, ids[ntk.OWNER])
    assert item["id"] not in seen(database, collection, ids[ntk.READER])


def test_origin_agency_comes_from_a_leaktrace_identity(
    store: tuple[Database, dict[str, int], str],
) -> None:
    database, ids, collection = store
    identity = ntk.identity_of("BE-FCCU")
    identity["extensions"] = {
        PIRACY_EXTENSION_ID: {"extension_type": "property-extension", "agency_code": "BE-FCCU"}
    }
    item = ntk.matrix_object("green", "none")
    item["created_by_ref"] = identity["id"]
    put(database, collection, [identity], ids[ntk.OWNER])
    put(database, collection, [item], ids[ntk.OWNER])  # the identity is known from before
    row = seen(database, collection, None)[item["id"]]
    assert row.origin_agency == "BE-FCCU" and row.origin == "posted"


def test_a_floor_makes_rows_stricter_never_looser(
    store: tuple[Database, dict[str, int], str],
) -> None:
    database, ids, collection = store
    green = ntk.matrix_object("green", "none")
    red = ntk.matrix_object("red", "none")
    bare = ntk.matrix_object("none", "none")
    put(database, collection, [green, red, bare], ids[ntk.OWNER], tlp_floor="amber+strict")
    rows = seen(database, collection, ids[ntk.OWNER])
    assert rows[green["id"]].tlp == "amber+strict"
    assert rows[bare["id"]].tlp == "amber+strict"
    assert rows[red["id"]].tlp == "red"
    assert not {green["id"], red["id"], bare["id"]} & set(seen(database, collection, ids[ntk.TO]))
    # the body keeps the object's own markings: the floor is the store's
    assert rows[green["id"]].body["object_marking_refs"] == [TLP_MARKING_IDS["green"]]


def test_the_audience_reaches_red_rows_and_red_properties(
    store: tuple[Database, dict[str, int], str],
) -> None:
    database, ids, collection = store
    red = ntk.matrix_object("red-to", "H1")
    strict = ntk.matrix_object("amber+strict", "none")
    put(
        database,
        collection,
        [ntk.handling_mark("H1"), ntk.identity_of(ntk.OWNER), red, strict],
        ids[ntk.OWNER],
        audience=[ids[ntk.TO]],
    )
    to = seen(database, collection, ids[ntk.TO])
    reader = seen(database, collection, ids[ntk.READER])
    assert red["id"] in to and red["id"] not in reader
    assert strict["id"] not in to  # AMBER+STRICT: an audience does not open it
    # the H1 marking and the owner's identity are needed only by objects READER cannot see
    assert ntk.handling_mark("H1")["id"] in to and ntk.handling_mark("H1")["id"] not in reader
    assert ntk.identity_of(ntk.OWNER)["id"] not in reader
