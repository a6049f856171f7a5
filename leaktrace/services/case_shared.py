"""Shared objects (STIX, issue 12) held as case evidence: every member agency of a case
reads its evidence, so a shared object may be in a case only while every member agency
sees exactly what was frozen. :func:`refuse_blind_members` is checked when such an object
is added (``case_items``) and when an agency joins a case holding one (``cases.add_member``).

"Sees" is not enough: an object may be visible to an agency with some of its properties
hidden (a granular TLP:RED or AMBER+STRICT marking whose audience it is not in). The frozen
body is the adding agency's view, so a member is refused unless the body it gets itself
from :func:`~leaktrace.store.exchange_objects.find_objects` for that id and version is the
same JSON (compared by the SHA-256 of its RFC 8785 canonical form): fail closed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import SharingRefusedError
from leaktrace.evidence.canonical import canonical_json
from leaktrace.store import cases as store
from leaktrace.store import evidence_log as log_store
from leaktrace.store.exchange_collections import rights_of
from leaktrace.store.exchange_objects import ObjectQuery, find_objects
from leaktrace.store.exchange_visibility import Viewer

__all__ = [
    "BODY_DIGEST",
    "agencies_not_seeing_body",
    "body_digest",
    "frozen_body_digest",
    "refuse_blind_members",
    "shared_markings",
]

BODY_DIGEST = "body_sha256"
"""The key, in a shared object's markings, of the SHA-256 of the frozen object body."""


def body_digest(body: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of the RFC 8785 canonical JSON of an object body."""
    return hashlib.sha256(canonical_json(dict(body))).hexdigest()


def frozen_body_digest(content: bytes) -> str | None:
    """The :func:`body_digest` of the object frozen in a ``stix`` snapshot's bytes (its
    ``view.object``); None when the bytes hold no object (never trusted: refused)."""
    try:
        frozen = json.loads(content)
    except ValueError:
        return None
    view = frozen.get("view") if isinstance(frozen, dict) else None
    body = view.get("object") if isinstance(view, dict) else None
    return body_digest(body) if isinstance(body, dict) else None


def shared_markings(conn: Connection, case_id: int) -> list[dict[str, Any]]:
    """The provenance and markings of every shared object (kind ``stix``) of the case, as
    their ``item.added`` entries recorded them (collection, stix_id, version ...), with
    :data:`BODY_DIGEST` taken from the item's frozen bytes (what members read)."""
    found: list[dict[str, Any]] = []
    for item in store.items_of(conn, case_id):
        if item.kind != "stix":
            continue
        content = store.blob_content(conn, item.sha256)
        digest = None if content is None else frozen_body_digest(content)
        for entry in log_store.entries(conn, case_id, item.entry_seq, item.entry_seq + 1):
            marks = json.loads(entry.entry).get("data", {}).get("markings")
            if isinstance(marks, dict):
                found.append({**marks, BODY_DIGEST: digest})
    return found


def agencies_not_seeing_body(
    conn: Connection,
    collection_id: str,
    stix_id: str,
    version: str,
    digest: str | None,
    agencies: Iterable[int],
) -> list[int]:
    """Those of ``agencies`` that do not see version ``version`` of the object with exactly
    the body whose :func:`body_digest` is ``digest`` (no read right on the collection, the
    row hidden from them, or a property hidden from them by a granular marking). Every
    agency when ``digest`` is None. In the caller's transaction."""
    query = ObjectQuery(ids=(stix_id,), versions=(version,))
    blind: list[int] = []
    for agency in agencies:
        viewer = Viewer(agency)
        readable, _ = rights_of(conn, collection_id, viewer)
        same = (
            digest is not None
            and readable
            and any(
                body_digest(one.body) == digest
                for one in find_objects(conn, collection_id, viewer, query)
            )
        )
        if not same:
            blind.append(agency)
    return blind


def refuse_blind_members(
    conn: Connection, agencies: Sequence[tuple[int, str]], shared: Sequence[Mapping[str, Any]]
) -> None:
    """Refuse (SharingRefusedError, rule ``case-members``) when one of ``agencies`` (id,
    code) does not see one of the ``shared`` objects exactly as it was frozen (its
    :data:`BODY_DIGEST`): every member reads a case's evidence, so nothing goes further
    than its owner allowed. Nothing is written by the caller then."""
    for marks in shared:
        digest = marks.get(BODY_DIGEST)
        blind = agencies_not_seeing_body(
            conn,
            str(marks["collection"]),
            str(marks["stix_id"]),
            str(marks["version"]),
            digest if isinstance(digest, str) else None,
            [agency_id for agency_id, _ in agencies],
        )
        if blind:
            codes = ", ".join(code for agency_id, code in agencies if agency_id in blind)
            raise SharingRefusedError(
                f"{marks['stix_id']} (a shared object in this case) may not be seen as "
                f"frozen by {codes}: every member agency of a case must see its evidence "
                "whole (no property hidden from it by a marking)",
                stix_id=str(marks["stix_id"]),
                rule="case-members",
            )
