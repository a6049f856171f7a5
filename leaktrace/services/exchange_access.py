"""The gates every sharing service goes through (issue 12), and the one way a batch of STIX
objects enters a collection.

* :func:`viewer_of`: whose eyes a service reads with (an actor's agency; the command line's
  local operator sees everything).
* :func:`collection_for`: the collection, or :class:`NotFoundError` (kind ``collection``)
  when it does not exist *for the actor*: an agency without rights on it gets exactly the
  error a missing collection gives. ``need="read"`` / ``"write"``: without that right, a
  collection the agency can see otherwise raises :class:`PermissionDeniedError` (TAXII: 403).
* :func:`store_batch` (re-exported from :mod:`leaktrace.store.exchange_batches`): classify
  checked objects against what is stored already, and add them; every writer uses it.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy.engine import Connection

from leaktrace.errors import NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.store.exchange_batches import store_batch
from leaktrace.store.exchange_collections import CollectionRecord, collection_by_name
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
