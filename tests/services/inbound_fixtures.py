"""Shared set-up of the inbound tests: a migrated SQLite context with agencies and local
collections, and the rows a given agency sees."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services import identity
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.exchange_collections import add_collection
from leaktrace.store.exchange_collections import collection_by_name
from leaktrace.store.exchange_objects import ObjectQuery, find_objects
from leaktrace.store.exchange_visibility import Viewer
from leaktrace.store.identity import agency_by_code

RECEIVER, OTHER = "NL-POL", "DE-BKA"


def make_context(folder: Path, collections: tuple[str, ...] = ("inbox",)) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(folder / "inbound.db"))) as ctx:
        operator = local_operator()
        for code in (RECEIVER, OTHER):
            identity.add_agency(
                ctx, operator, code=code, name=f"Test {code}", country=code[:2], kind="police"
            )
        for name in collections:
            add_collection(ctx, operator, name, read=[RECEIVER, OTHER], write=[RECEIVER])
        yield ctx


def agency_id(ctx: AppContext, code: str) -> int:
    with ctx.database.reading() as conn:
        record = agency_by_code(conn, code)
        assert record is not None
        return int(record.id)


def seen(ctx: AppContext, collection: str, code: str | None) -> dict[str, dict[str, Any]]:
    """id -> newest body of what agency ``code`` (None: the operator) sees in the collection."""
    with ctx.database.reading() as conn:
        viewer = Viewer(agency_id(ctx, code) if code else None)
        record = collection_by_name(conn, collection, Viewer(None))
        assert record is not None
        rows = find_objects(conn, record.id, viewer, ObjectQuery())
    return {row.stix_id: row.body for row in rows}


def stored(ctx: AppContext, collection: str) -> list[Any]:
    """Every stored row (all versions) of the collection, as the operator sees them."""
    with ctx.database.reading() as conn:
        record = collection_by_name(conn, collection, Viewer(None))
        assert record is not None
        return list(find_objects(conn, record.id, Viewer(None), ObjectQuery(versions=("all",))))
