"""The one way a batch of STIX objects enters a collection: classified against what is stored
already (markings sent before), then added. Every writer uses :func:`store_batch`:
publication, TAXII POST, pull, file import, re-publication, the watcher's ``taxii`` source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.exchange.classify import classify, marking_refs_of
from leaktrace.exchange.markings import TlpLevel
from leaktrace.exchange.stix_extension import PIRACY_EXTENSION_ID
from leaktrace.store.exchange_objects import AddOutcome, add_objects, known_definitions

__all__ = ["store_batch"]


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
        refs, granular = marking_refs_of(body)
        wanted.update(refs)
        wanted.update(granular)
        creator = body.get("created_by_ref")
        if isinstance(creator, str):
            wanted.add(creator)
    known = known_definitions(conn, wanted, collection_id, owner_agency_id)
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
