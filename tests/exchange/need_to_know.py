"""The need-to-know rule of issue 12, written a second time for the tests: a generator of
objects for every TLP level and handling code, and an oracle saying who must see which of
them, computed from the generated data alone (never from the store or the server).

The store tests (tests/store/test_exchange_*.py) and the matrix over HTTP
(tests/web/taxii/test_need_to_know_matrix.py) both use it.

Agencies (codes): ``OWNER`` publishes everything; ``TO`` is named in ``--to`` for the RED
objects published "with --to"; ``READER`` reads the collection; ``WRITER`` may only write;
``NOBODY`` has no rights at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, insert, select

from leaktrace.exchange.classify import check_object
from leaktrace.exchange.markings import (
    HANDLING_EXTENSION_DEFINITION,
    HANDLING_EXTENSION_ID,
    LEAKTRACE_IDENTITY,
    TLP_EXTENSION_DEFINITION,
    TLP_MARKING_IDS,
    handling_marking,
    tlp_marking,
)
from leaktrace.services.exchange_rules import agency_identity_id
from leaktrace.store.database import Database
from leaktrace.store.exchange_batches import store_batch
from leaktrace.store.exchange_collections import create_collection, set_rights
from leaktrace.store.schema_access import AGENCIES as AGENCY_TABLE

OWNER, TO, READER, WRITER, NOBODY = "NL-OWN", "BE-TO", "DE-READ", "FR-WRITE", "ES-NONE"
AGENCIES = (OWNER, TO, READER, WRITER, NOBODY)
RIGHTS: dict[str, tuple[bool, bool]] = {
    OWNER: (True, True),
    TO: (True, False),
    READER: (True, False),
    WRITER: (False, True),
}
"""Agency -> (read, write) on the collection; NOBODY has no row."""

TLP_CASES = ("none", "clear", "green", "amber", "amber+strict", "red-to", "red")
"""Every TLP case: no TLP marking, the five levels, RED with and without ``--to``."""
HANDLING_CASES = ("none", "H0", "H1", "H2", "H3")
H3_TEXT = "Only for the Operation Nightjar team; ask NL-OWN before any arrest"

NAMESPACE = uuid.UUID("5b0f6f4c-8b53-4a53-9f0e-0a8f6c0d4e11")
CREATED = "2026-01-01T00:00:00.000Z"
FOREIGN_EXTENSION = "extension-definition--" + str(uuid.uuid5(NAMESPACE, "foreign-marking"))


def stix_id(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(NAMESPACE, name)}"


def identity_of(agency: str) -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": agency_identity_id(agency),  # as LeakTrace names an agency: its own objects
        "created": CREATED,
        "modified": CREATED,
        "name": f"Agency {agency}",
        "identity_class": "organization",
    }


@dataclass
class Generated:
    """One publication's objects in order, and what the oracle knows of each (by STIX id)."""

    objects: list[dict[str, Any]] = field(default_factory=list)
    audience: tuple[str, ...] = ()
    """Agency codes given as ``--to`` (applies to the whole publication)."""
    owner: str = OWNER
    """The agency publishing (posting) it."""


@dataclass(frozen=True)
class Row:
    """What the oracle knows of one stored version."""

    stix_id: str
    version: str
    tlp: str | None
    support: bool
    restricted: bool
    owner: str
    audience: frozenset[str]
    needs: frozenset[str]
    body: Mapping[str, Any]


def _support_objects(handling: Iterable[str]) -> list[dict[str, Any]]:
    owner_identity = identity_of(OWNER)
    found: list[dict[str, Any]] = [
        owner_identity,
        dict(LEAKTRACE_IDENTITY),
        dict(TLP_EXTENSION_DEFINITION),
        dict(HANDLING_EXTENSION_DEFINITION),
    ]
    found.extend(tlp_marking(level) for level in TLP_MARKING_IDS)
    for code in handling:
        found.append(handling_mark(code))
    return found


def handling_mark(code: str) -> dict[str, Any]:
    text = H3_TEXT if code == "H3" else None
    return handling_marking(code, text, created_by_ref=identity_of(OWNER)["id"])


def level_of(case: str) -> str | None:
    if case == "none":
        return None
    return "red" if case.startswith("red") else case


def matrix_object(tlp_case: str, handling: str, version: int = 1) -> dict[str, Any]:
    """An intrusion set marked with ``tlp_case`` and ``handling`` (``version``: 1, 2, ...)."""
    name = f"matrix {tlp_case} {handling}"
    refs: list[str] = []
    level = level_of(tlp_case)
    if level is not None:
        refs.append(TLP_MARKING_IDS[level])  # type: ignore[index]
    if handling != "none":
        refs.append(handling_mark(handling)["id"])
    body: dict[str, Any] = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": stix_id("intrusion-set", name),
        "created": CREATED,
        "modified": f"2026-01-0{version}T00:00:00.000Z",
        "name": name,
        "created_by_ref": identity_of(OWNER)["id"],
    }
    if refs:
        body["object_marking_refs"] = refs
    return body


def publications() -> list[Generated]:
    """Every (TLP case, handling) object, plus the special cases:

    * ``versioned``: v1 GREEN, v2 RED without ``--to`` (a reader's ``last`` is v1);
    * ``granular``: GREEN with its ``description`` RED (granular), shared ``--to`` TO;
    * ``restricted``: GREEN plus a marking of a foreign extension (owner only);
    * a TLP 1.0 RED object and one marked both GREEN and AMBER (strictest: AMBER).

    * an identity nothing needs (its owner's alone).

    Three publications: OWNER's without ``--to``, OWNER's with ``--to TO``, and WRITER's
    (:func:`writer_publication`).
    """
    without = Generated()
    with_to = Generated(audience=(TO,))
    without.objects.extend(_support_objects(("H0", "H1", "H2", "H3")))
    with_to.objects.extend(_support_objects(("H0", "H1", "H2", "H3")))
    for tlp_case in TLP_CASES:
        for handling in HANDLING_CASES:
            target = with_to if tlp_case == "red-to" else without
            target.objects.append(matrix_object(tlp_case, handling))
    versioned = matrix_object("green", "none")
    versioned.update(id=stix_id("intrusion-set", "versioned"), name="versioned")
    later = dict(versioned, modified="2026-01-02T00:00:00.000Z")
    later["object_marking_refs"] = [TLP_MARKING_IDS["red"]]
    without.objects.extend([versioned, later])
    granular = matrix_object("green", "none")
    granular.update(
        id=stix_id("intrusion-set", "granular"),
        name="granular",
        description="the uploader's account",
        granular_markings=[{"marking_ref": TLP_MARKING_IDS["red"], "selectors": ["description"]}],
    )
    with_to.objects.append(granular)
    foreign = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": stix_id("marking-definition", "foreign"),
        "created": CREATED,
        "name": "someone else's marking",
        "extensions": {FOREIGN_EXTENSION: {"extension_type": "property-extension", "x": 1}},
    }
    restricted = matrix_object("green", "none")
    restricted.update(id=stix_id("intrusion-set", "restricted"), name="restricted")
    restricted["object_marking_refs"] = [TLP_MARKING_IDS["green"], foreign["id"]]
    tlp1_red = matrix_object("none", "none")
    tlp1_red.update(id=stix_id("intrusion-set", "tlp1-red"), name="tlp1-red")
    tlp1_red["object_marking_refs"] = ["marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"]
    two = matrix_object("none", "none")
    two.update(id=stix_id("intrusion-set", "green-and-amber"), name="green-and-amber")
    two["object_marking_refs"] = [TLP_MARKING_IDS["green"], TLP_MARKING_IDS["amber"]]
    lonely = identity_of("lonely")  # an identity nothing needs: its owner's alone
    without.objects.extend([foreign, restricted, tlp1_red, two, lonely])
    return [without, with_to, writer_publication()]


def writer_publication() -> Generated:
    """What the writer-only agency posts: its identity, a GREEN object it created (readers
    see both) and a RED one without audience (nobody but the writer, who may not read)."""
    writer = identity_of(WRITER)
    found = Generated(owner=WRITER)
    found.objects.append(writer)
    for level in ("green", "red"):
        item = matrix_object(level, "none")
        item.update(
            id=stix_id("intrusion-set", f"writer {level}"),
            name=f"writer {level}",
            created_by_ref=writer["id"],
        )
        found.objects.append(item)
    return found


# --- the oracle ------------------------------------------------------------------------------

_TLP_BY_ID = {ref: level for level, ref in TLP_MARKING_IDS.items()} | {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": "clear",
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": "green",
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": "amber",
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": "red",
}
_ORDER = ("clear", "green", "amber", "amber+strict", "red")
_SUPPORT = ("marking-definition", "extension-definition", "identity")
_UNDERSTOOD_EXTENSIONS = {HANDLING_EXTENSION_ID}


def _direct(body: Mapping[str, Any]) -> set[str]:
    needs = set(body.get("object_marking_refs", []))
    for marking in body.get("granular_markings", []):
        if marking["marking_ref"] not in (TLP_MARKING_IDS["red"], TLP_MARKING_IDS["amber+strict"]):
            needs.add(marking["marking_ref"])
    if "created_by_ref" in body:
        needs.add(body["created_by_ref"])
    needs.update(k for k in body.get("extensions", {}) if k.startswith("extension-definition--"))
    return needs


def rows_of(pubs: list[Generated]) -> list[Row]:
    """The rows the store must hold after ``pubs`` (in order): the first copy of each
    (id, version) an owner sends wins, as the store leaves a duplicate version as it is.
    A batch is classified with its own definitions and those its owner sent before."""
    rows: dict[tuple[str, str, str], Row] = {}
    known: dict[str, dict[str, dict[str, Any]]] = {}
    for pub in pubs:
        earlier = known.setdefault(pub.owner, {})
        by_id = {**earlier, **{str(o["id"]): o for o in pub.objects}}
        closures: list[set[str]] = []
        for body in pub.objects:
            seen: set[str] = set()
            todo = list(_direct(body))
            while todo:
                ref = todo.pop()
                if ref not in seen:
                    seen.add(ref)
                    if ref in by_id:
                        todo.extend(_direct(by_id[ref]))
            closures.append(seen)
        for body, closure in zip(pub.objects, closures, strict=True):
            refs = list(body.get("object_marking_refs", []))
            levels = [_TLP_BY_ID[r] for r in refs if r in _TLP_BY_ID]
            restricted = False
            for ref in refs:
                if ref in _TLP_BY_ID:
                    continue
                definition = by_id.get(ref)
                extensions = set((definition or {}).get("extensions", {}))
                restricted |= not (extensions and extensions <= _UNDERSTOOD_EXTENSIONS)
            version = normal(body.get("modified", body.get("created")))
            key = (str(body["id"]), version, pub.owner)
            if key in rows:
                continue
            support = body["type"] in _SUPPORT
            rows[key] = Row(
                stix_id=str(body["id"]),
                version=version,
                tlp=max(levels, key=_ORDER.index) if levels else None,
                support=support,
                restricted=restricted,
                owner=pub.owner,
                audience=frozenset(pub.audience),
                needs=frozenset() if support else frozenset(closure),
                body=body,
            )
        for body in pub.objects:
            earlier.setdefault(str(body["id"]), body)
    return list(rows.values())


def normal(text: object) -> str:
    """A STIX timestamp in the store's text form (six fraction digits)."""
    assert isinstance(text, str)
    moment = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def may_read(agency: str | None) -> bool:
    return agency is None or RIGHTS.get(agency, (False, False))[0]


def _own(agency: str, row: Row) -> bool:
    if agency == row.owner:
        return True
    if row.restricted:
        return False
    if row.tlp in (None, "clear", "green", "amber"):
        return True
    return row.tlp == "red" and agency in row.audience


def sees(agency: str | None, row: Row, rows: list[Row]) -> bool:
    """Whether ``agency`` (None: the local operator) sees ``row``: the rule of issue 12,
    for an agency that may read the collection."""
    if agency is None:
        return True
    if not _own(agency, row):
        return False
    if not row.support or agency == row.owner:
        return True  # its owner sees every row it owns
    # a definition or identity: only beside a row of the same owner that the agency sees
    # and that needs it (so nobody's marking text or identity reveals a hidden object)
    return any(
        not other.support
        and other.owner == row.owner
        and row.stix_id in other.needs
        and _own(agency, other)
        for other in rows
    )


def visible_rows(agency: str | None, rows: list[Row]) -> list[Row]:
    if not may_read(agency):
        return []
    return [row for row in rows if sees(agency, row, rows)]


def expected(agency: str | None, rows: list[Row], versions: str = "last") -> set[tuple[str, str]]:
    """(id, version) pairs ``agency`` must get for ``match[version]`` = last / first / all."""
    seen = visible_rows(agency, rows)
    if versions == "all":
        return {(r.stix_id, r.version) for r in seen}
    chosen: dict[str, str] = {}
    for row in seen:
        current = chosen.get(row.stix_id)
        better = current is None or (
            row.version > current if versions == "last" else row.version < current
        )
        if better:
            chosen[row.stix_id] = row.version
    return set(chosen.items())


def body_seen(agency: str | None, row: Row) -> dict[str, Any]:
    """The body ``agency`` must get: a RED granular property only for owner and audience."""
    body = dict(row.body)
    if agency is None or agency == row.owner or agency in row.audience:
        return body
    markings = body.get("granular_markings", [])
    red = [m for m in markings if m["marking_ref"] == TLP_MARKING_IDS["red"]]
    for marking in red:
        for selector in marking["selectors"]:
            body.pop(selector, None)
    kept = [m for m in markings if m not in red]
    if kept:
        body["granular_markings"] = kept
    else:
        body.pop("granular_markings", None)
    return body


# --- setting it up in a database (the store tests) ------------------------------------------


def agency_ids(conn: Connection) -> dict[str, int]:
    """Every agency of :data:`AGENCIES`, made if need be: code -> id."""
    found: dict[str, int] = {}
    for code in AGENCIES:
        known = conn.execute(select(AGENCY_TABLE.c.id).where(AGENCY_TABLE.c.code == code)).scalar()
        if known is None:
            known = conn.execute(
                insert(AGENCY_TABLE)
                .values(code=code, name=code, country=code[:2], kind="police", created_at=NOW)
                .returning(AGENCY_TABLE.c.id)
            ).scalar_one()
        found[code] = int(known)
    return found


def make_collection(conn: Connection, name: str, ids: Mapping[str, int]) -> str:
    """A collection ``name`` with :data:`RIGHTS`; its id."""
    collection_id = str(uuid.uuid5(NAMESPACE, "collection/" + name))
    create_collection(conn, collection_id, name, name, None, NOW)
    set_rights(conn, collection_id, {ids[code]: rw for code, rw in RIGHTS.items()})
    return collection_id


def publish(
    conn: Connection, collection_id: str, pubs: list[Generated], ids: Mapping[str, int]
) -> None:
    """Each publication as its owner's, through store_batch (the one way in)."""
    for pub in pubs:
        store_batch(
            conn,
            collection_id,
            [check_object(o) for o in pub.objects],
            owner_agency_id=ids[pub.owner],
            origin="published",
            audience=[ids[code] for code in pub.audience],
        )


NOW = datetime(2026, 12, 5, tzinfo=UTC)


def open_database(kind: str, folder: Path, postgres_url: str | None) -> Iterator[Database]:
    """A fresh migrated database: SQLite in ``folder``, or a new database on the session's
    PostgreSQL server (dropped afterwards)."""
    if kind == "sqlite":
        database = Database(str(folder / "exchange.db"))
        try:
            yield database
        finally:
            database.close()
        return
    import psycopg

    assert postgres_url is not None
    name = f"lt_x_{uuid.uuid4().hex[:10]}"
    admin = postgres_url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database = Database(postgres_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield database
    finally:
        database.close()
        with psycopg.connect(f"{admin}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def backend_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[Database]:
    """For a fixture parametrised with ``sqlite`` / ``postgresql``."""
    kind = str(request.param)
    url = str(request.getfixturevalue("postgres_url")) if kind == "postgresql" else None
    yield from open_database(kind, folder, url)
