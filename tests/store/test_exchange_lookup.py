"""visible_versions_everywhere: the rows of one STIX id a viewer may see across collections
(only collections it may read, only rows the need-to-know rule shows it; the local operator
sees them all), on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Connection

from leaktrace.exchange.classify import check_object
from leaktrace.exchange.markings import TLP_MARKING_IDS, handling_marking, tlp_marking
from leaktrace.store.database import Database
from leaktrace.store.exchange_batches import store_batch
from leaktrace.store.exchange_collections import create_collection, set_rights
from leaktrace.store.exchange_lookup import VisibleVersion, visible_versions_everywhere
from leaktrace.store.exchange_visibility import Viewer
from tests.exchange import need_to_know as ntk
from tests.services.test_leaks import agency_id_of

NOW = datetime(2026, 12, 5, tzinfo=UTC)
H2 = handling_marking("H2")
ID = f"indicator--{uuid.uuid4()}"
OTHER = f"indicator--{uuid.uuid4()}"


def version(n: int) -> str:
    return f"2026-01-0{n}T00:00:00.000Z"


def stored(n: int) -> str:
    """:func:`version` as the store keeps it (normalised to microseconds)."""
    return f"2026-01-0{n}T00:00:00.000000Z"


def indicator(stix_id: str, n: int, refs: list[str]) -> dict[str, Any]:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id,
        "created": version(1),
        "modified": version(n),
        "name": "leak",
        "pattern": "[domain-name:value = 'leak.example']",
        "pattern_type": "stix",
        "valid_from": version(1),
        "object_marking_refs": refs,
    }


@dataclass
class World:
    database: Database
    ids: dict[str, int]
    shared: str
    private: str
    drop: str


def _collection(conn: Connection, name: str, rights: dict[int, tuple[bool, bool]]) -> str:
    collection_id = str(uuid.uuid4())
    create_collection(conn, collection_id, name, name, None, NOW)
    set_rights(conn, collection_id, rights)
    return collection_id


def _store(
    conn: Connection,
    collection: str,
    owner: int,
    objects: list[dict[str, Any]],
    *,
    origin: str = "published",
    audience: tuple[int, ...] = (),
) -> None:
    store_batch(
        conn,
        collection,
        [check_object(o) for o in objects],
        owner_agency_id=owner,
        origin=origin,
        audience=audience,
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """``ID`` stored in three collections. "Shared": OWNER and READER read (OWNER writes);
    "Private": OWNER alone; "Drop": READER writes but may not read. STRANGER has no right."""
    for database in ntk.backend_database(request, tmp_path_factory.mktemp("lookup")):
        with database.transaction() as conn:
            ids = {code: agency_id_of(conn, code) for code in ("OWNER", "READER", "STRANGER")}
            owner, reader = ids["OWNER"], ids["READER"]
            shared = _collection(conn, "Shared", {owner: (True, True), reader: (True, True)})
            private = _collection(conn, "Private", {owner: (True, True)})
            drop = _collection(conn, "Drop", {reader: (False, True)})
            green, red = TLP_MARKING_IDS["green"], TLP_MARKING_IDS["red"]
            strict = TLP_MARKING_IDS["amber+strict"]
            unknown = f"marking-definition--{uuid.uuid4()}"
            _store(
                conn, shared, owner, [tlp_marking("green"), H2, indicator(ID, 1, [green, H2["id"]])]
            )
            _store(conn, shared, owner, [tlp_marking("red"), indicator(ID, 2, [red])])  # no --to
            _store(conn, shared, owner, [indicator(ID, 3, [red])], audience=(reader,))
            _store(conn, shared, owner, [tlp_marking("amber+strict"), indicator(ID, 4, [strict])])
            _store(conn, shared, owner, [indicator(ID, 5, [green, unknown])])  # restricted
            _store(conn, shared, reader, [indicator(ID, 6, [strict])], origin="posted")
            _store(conn, shared, owner, [indicator(OTHER, 1, [green])])
            _store(conn, private, owner, [indicator(ID, 7, [green])])
            _store(conn, drop, reader, [indicator(ID, 8, [green])], origin="posted")
        yield World(database, ids, shared, private, drop)


def seen(world: World, who: str | None) -> list[VisibleVersion]:
    viewer = Viewer(None if who is None else world.ids[who])
    with world.database.reading() as conn:
        return visible_versions_everywhere(conn, ID, viewer)


def test_a_reader_sees_only_the_rows_the_rule_shows_it_in_collections_it_reads(
    world: World,
) -> None:
    reader, owner = world.ids["READER"], world.ids["OWNER"]
    assert seen(world, "READER") == [
        VisibleVersion(world.shared, stored(1), "green", "H2", "published", owner),
        VisibleVersion(world.shared, stored(3), "red", None, "published", owner),
        VisibleVersion(world.shared, stored(6), "amber+strict", None, "posted", reader),
    ]  # not: RED without it in the audience, AMBER+STRICT of another, restricted, other
    # collections, its own row in a collection it may only write to


def test_the_owner_sees_its_rows_in_every_collection_it_reads(world: World) -> None:
    got = {(row.collection_id, row.version) for row in seen(world, "OWNER")}
    # not READER's AMBER+STRICT row (owner only), not "Drop" (no right there)
    assert got == {*((world.shared, stored(n)) for n in range(1, 6)), (world.private, stored(7))}
    restricted = next(row for row in seen(world, "OWNER") if row.version == stored(5))
    assert restricted.owner_agency_id == world.ids["OWNER"]


def test_an_agency_without_rights_sees_nothing_and_the_operator_everything(
    world: World,
) -> None:
    assert seen(world, "STRANGER") == []
    everything = seen(world, None)
    assert {(row.collection_id, row.version) for row in everything} == {
        *((world.shared, stored(n)) for n in range(1, 7)),
        (world.private, stored(7)),
        (world.drop, stored(8)),
    }
    with world.database.reading() as conn:
        assert visible_versions_everywhere(conn, f"indicator--{uuid.uuid4()}", Viewer(None)) == []
