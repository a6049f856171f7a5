"""THE rule for storing received STIX objects: the receiving agency must be able to read
and write the local collection (what it receives there is its own, and it reads it there).

Used by ``exchange pull`` / ``exchange import`` (services) and by the watcher's ``taxii``
source kind, so the rule and its messages are written once.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

from leaktrace.errors import NotFoundError, PermissionDeniedError
from leaktrace.store.exchange_collections import collection_by_name
from leaktrace.store.exchange_visibility import Viewer
from leaktrace.store.identity import agency_by_code

__all__ = ["receiving_target"]


def receiving_target(
    conn: Connection, agency: str | None, collection: str
) -> tuple[str, int | None]:
    """(local collection id, receiving agency id or None) for storing received objects in
    ``collection`` (title, alias or id) for the agency whose code is ``agency`` (None:
    owned by no agency). :class:`NotFoundError` for an unknown collection or agency,
    :class:`PermissionDeniedError` when that agency may not both read and write it."""
    local = collection_by_name(conn, collection, Viewer(None))
    if local is None:
        raise NotFoundError(
            f"no local exchange collection {collection!r} (exchange collection add)",
            kind="collection",
            key=collection,
        )
    if agency is None:
        return local.id, None
    record = agency_by_code(conn, agency.strip())
    if record is None:
        raise NotFoundError(f"no agency {agency!r}", kind="agency", key=agency)
    rights = collection_by_name(conn, collection, Viewer(int(record.id)))
    if rights is None or not (rights.can_read and rights.can_write):
        raise PermissionDeniedError(
            f"agency {record.code} may not read and write collection {local.title!r}: give it "
            "both rights (exchange collection set) before receiving into it",
            permission="collection:write",
        )
    return local.id, int(record.id)
