"""The gates every sharing service goes through (issue 12), and the one way a batch of STIX
objects enters a collection.

* :func:`viewer_of`: whose eyes a service reads with (an actor's agency; the command line's
  local operator sees everything).
* :func:`collection_for`: the collection, or :class:`NotFoundError` (kind ``collection``)
  when it does not exist *for the actor*: an agency without rights on it gets exactly the
  error a missing collection gives. ``need="read"`` / ``"write"``: without that right, a
  collection the agency can see otherwise raises :class:`PermissionDeniedError` (TAXII: 403).
* :func:`store_batch`: classify checked objects against what is stored already, and add
  them; every writer (publication, TAXII POST, pull, file import, re-publication) uses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from sqlalchemy.engine import Connection

from leaktrace.errors import NotFoundError, PermissionDeniedError
from leaktrace.exchange.classify import classify
from leaktrace.exchange.markings import TlpLevel
from leaktrace.exchange.stix_extension import PIRACY_EXTENSION_ID
from leaktrace.identity.actor import Actor
from leaktrace.store.exchange_collections import CollectionRecord, collection_by_name
from leaktrace.store.exchange_objects import AddOutcome, add_objects, known_definitions
from leaktrace.store.exchange_visibility import Viewer

__all__ = ["collection_for", "no_such_collection", "store_batch", "viewer_of"]


def viewer_of(actor: Actor) -> Viewer:
    return Viewer(actor.agency_id)


def no_such_collection(key: str) -> NotFoundError:
    """The one error for a collection that does not exist for the asker."""
    return NotFoundError(f"no collection {key!r}", kind="collection", key=key)


def collection_for(
    conn: Connection, actor: Actor, key: str, need: Literal["see", "read", "write"] = "see"
) -> CollectionRecord:
    """The collection named ``key`` (id, title or alias) as ``actor`` may use it."""
    record = collection_by_name(conn, key, viewer_of(actor))
    if record is None:
        raise no_such_collection(key)
    if need == "read" and not record.can_read:
        raise PermissionDeniedError(
            "your agency may not read this collection", permission="collection:read"
        )
    if need == "write" and not record.can_write:
        raise PermissionDeniedError(
            "your agency may not write to this collection", permission="collection:write"
        )
    return record


def _agency_codes(bodies: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """identity id -> agency code, for identities carrying LeakTrace's piracy extension."""
    codes: dict[str, str] = {}
    for body in bodies:
        if body.get("type") != "identity":
            continue
        extension = (body.get("extensions") or {}).get(PIRACY_EXTENSION_ID)
        code = extension.get("agency_code") if isinstance(extension, Mapping) else None
        if isinstance(code, str) and code:
            codes[str(body["id"])] = code[:64]
    return codes


def store_batch(
    conn: Connection,
    collection_id: str,
    objects: Sequence[Mapping[str, Any]],
    *,
    owner_agency_id: int | None,
    origin: str,
    audience: Iterable[int] = (),
    tlp_floor: TlpLevel | None = None,
) -> list[AddOutcome]:
    """Classify ``objects`` (each already passed :func:`~leaktrace.exchange.classify.
    check_object`) with the definitions stored before, and add them to the collection, in
    the caller's transaction. One outcome per object, in order."""
    wanted: set[str] = set()
    for body in objects:
        wanted.update(body.get("object_marking_refs", []) or [])
        wanted.update(
            g.get("marking_ref", "")
            for g in body.get("granular_markings", []) or []
            if isinstance(g, Mapping)
        )
        creator = body.get("created_by_ref")
        if isinstance(creator, str):
            wanted.add(creator)
    known = known_definitions(conn, wanted)
    items = classify(objects, known)
    codes = _agency_codes([*known.values(), *objects])
    return add_objects(
        conn,
        collection_id,
        items,
        owner_agency_id=owner_agency_id,
        origin=origin,
        audience=audience,
        tlp_floor=tlp_floor,
        origin_agency=codes,
    )
