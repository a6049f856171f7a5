"""Browsing shared intelligence (issue 12): the collections an agency has rights on, the
objects of one it may see, one object with its versions, and one object frozen as case
evidence.

Every read goes through :func:`leaktrace.services.exchange_access.collection_for` (a
collection the agency has no rights on does not exist for it) and
:func:`leaktrace.store.exchange_objects.find_objects` with the agency's
:class:`~leaktrace.store.exchange_visibility.Viewer`: nothing here decides visibility, so
the pages show exactly what TAXII serves, and an object the agency may not see gives the
same :class:`NotFoundError` as an id that does not exist.

Objects come from partners: every text here is outside text, escaped where it is shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, NotFoundError
from leaktrace.exchange.markings import handling_of
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import collection_for, viewer_of
from leaktrace.services.paging import decode_cursor, encode_cursor, page_size
from leaktrace.services.views import View
from leaktrace.store import identity as identity_store
from leaktrace.store.exchange_collections import CollectionRecord, collections_for
from leaktrace.store.exchange_objects import (
    ObjectQuery,
    StoredObject,
    count_objects,
    find_objects,
)

__all__ = [
    "HANDLING_NOTICES",
    "MARKING_TYPES",
    "CollectionList",
    "CollectionObjects",
    "CollectionSummary",
    "ObjectDetail",
    "ObjectRow",
    "ObjectVersion",
    "StixEvidenceView",
    "collection_objects",
    "exchange_collections",
    "handling_notice",
    "object_detail",
    "object_evidence",
]

MARKING_TYPES = ("marking-definition", "extension-definition")
"""Left out of listings unless asked for by type: they are markings, not intelligence (they
are still served beside the objects they mark, and shown on those objects)."""

HANDLING_NOTICES: Mapping[str, str] = {
    "H0": "H0 — use only to prevent and combat crime",
    "H1": "H1 — not for use in judicial proceedings without the provider's permission",
    "H2": "H2 — not to be passed on without permission",
    "H3": "H3 — other restrictions",
}
"""What each SIENA handling code means, as pages and case exports print it."""

_LISTING = "exchange-objects"
_MAX_TYPE = 250
_MAX_SUMMARY = 300


def handling_notice(code: str | None, text: str | None = None) -> str | None:
    """The handling code in words (H3 with its text), or None without a code."""
    if code is None:
        return None
    notice = HANDLING_NOTICES.get(code, code)
    return f"{notice}: {text}" if code == "H3" and text else notice


class CollectionSummary(View):
    id: str
    title: str
    alias: str
    description: str | None
    can_read: bool
    can_write: bool
    objects: int | None
    """How many objects (latest versions, markings left out) the agency may see; None when
    it may not read the collection (or where it is not counted: one object's page). Counted
    in the database by ``count_objects``, under the same rule as ``find_objects``."""


class CollectionList(View):
    collections: list[CollectionSummary]


class ObjectRow(View):
    stix_id: str
    type: str
    summary: str
    """The object's name, or a short description of it (a relationship's ends ...)."""
    version: str
    date_added: str
    spec_version: str
    tlp: str | None
    handling: str | None
    handling_text: str | None
    """The H3 restriction's text (from the handling marking served with the object)."""
    handling_notice: str | None
    origin: str
    creator_agency: str | None
    """The code of the agency that created the object, when its identity says."""
    owner_agency: str | None
    """The local agency the row belongs to (published, posted or received it)."""


class CollectionObjects(View):
    collection: CollectionSummary
    type: str | None
    objects: list[ObjectRow]
    next_cursor: str | None = None


class ObjectVersion(View):
    version: str
    date_added: str
    tlp: str | None
    handling: str | None


class ObjectDetail(View):
    collection: CollectionSummary
    object: ObjectRow
    body: dict[str, Any]
    """The latest version the agency may see, as it may see it (granular markings applied)."""
    pretty: str
    """``body`` as indented JSON text (outside text: escape it when shown)."""
    versions: list[ObjectVersion]


class StixEvidenceView(View):
    """A shared object frozen as case evidence: its JSON as the agency saw it (the latest
    version it may see), where it came from and how it is marked."""

    collection_id: str
    collection_title: str
    stix_id: str
    type: str
    summary: str
    version: str
    date_added: str
    origin: str
    creator_agency: str | None
    owner_agency: str | None
    tlp: str | None
    handling: str | None
    handling_text: str | None
    handling_notice: str | None
    object: dict[str, Any]


def _summary_of(record: CollectionRecord, objects: int | None) -> CollectionSummary:
    return CollectionSummary(
        id=record.id,
        title=record.title,
        alias=record.alias,
        description=record.description,
        can_read=record.can_read,
        can_write=record.can_write,
        objects=objects,
    )


def _count(conn: Connection, actor: Actor, record: CollectionRecord) -> int | None:
    if not record.can_read:
        return None
    query = ObjectQuery(types_excluded=MARKING_TYPES)
    return count_objects(conn, record.id, viewer_of(actor), query)


def exchange_collections(ctx: AppContext, actor: Actor) -> CollectionList:
    """The collections ``actor``'s agency has any right on, with what it may do there."""
    actor.require(Permission.read_exchange)
    with ctx.database.reading() as conn:
        records = collections_for(conn, viewer_of(actor))
        found = [_summary_of(r, _count(conn, actor, r)) for r in records]
    return CollectionList(collections=found)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _summary(body: Mapping[str, Any]) -> str:
    """A one-line description of an object, from its own fields."""
    kind = _text(body.get("type"))
    for key in ("name", "value", "abstract", "path", "pattern"):
        text = _text(body.get(key))
        if text:
            return text[:_MAX_SUMMARY]
    if kind == "relationship":
        text = " ".join(
            _text(body.get(k)) for k in ("source_ref", "relationship_type", "target_ref")
        )
        return text[:_MAX_SUMMARY]
    if kind == "sighting":
        return f"sighting of {_text(body.get('sighting_of_ref'))}"[:_MAX_SUMMARY]
    if kind == "note":
        return _text(body.get("content"))[:_MAX_SUMMARY]
    return _text(body.get("id"))[:_MAX_SUMMARY]


def _handling_texts(
    conn: Connection, actor: Actor, collection_id: str, objects: Iterable[StoredObject]
) -> dict[str, str]:
    """marking-definition id -> H3 text, for the H3 markings ``objects`` refer to (read as
    the agency may see them: a marking is served beside an object that needs it)."""
    refs: set[str] = set()
    for one in objects:
        if one.handling == "H3":
            marking_refs = one.body.get("object_marking_refs") or []
            refs.update(r for r in marking_refs if isinstance(r, str))
    if not refs:
        return {}
    query = ObjectQuery(ids=tuple(sorted(refs)), types=("marking-definition",))
    texts: dict[str, str] = {}
    for marking in find_objects(conn, collection_id, viewer_of(actor), query):
        try:
            content = handling_of(marking.body)
        except InputError:
            continue  # a malformed handling marking: no text to show (the row is H3 still)
        if content and isinstance(content.get("handling_text"), str):
            texts[marking.stix_id] = content["handling_text"]
    return texts


def _agency_codes(conn: Connection) -> dict[int, str]:
    return {agency.id: agency.code for agency in identity_store.agencies(conn)}


def _row(one: StoredObject, texts: Mapping[str, str], codes: Mapping[int, str]) -> ObjectRow:
    text = None
    if one.handling == "H3":
        refs = one.body.get("object_marking_refs") or []
        text = next((texts[r] for r in refs if isinstance(r, str) and r in texts), None)
    return ObjectRow(
        stix_id=one.stix_id,
        type=one.stix_type,
        summary=_summary(one.body),
        version=one.version,
        date_added=one.date_added,
        spec_version=one.spec_version,
        tlp=one.tlp,
        handling=one.handling,
        handling_text=text,
        handling_notice=handling_notice(one.handling, text),
        origin=one.origin,
        creator_agency=one.origin_agency,
        owner_agency=None if one.owner_agency_id is None else codes.get(one.owner_agency_id),
    )


def _rows(
    conn: Connection, actor: Actor, collection_id: str, found: Sequence[StoredObject]
) -> list[ObjectRow]:
    texts = _handling_texts(conn, actor, collection_id, found)
    codes = _agency_codes(conn)
    return [_row(one, texts, codes) for one in found]


def _stix_type(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    text = value.strip()
    if len(text) > _MAX_TYPE or not all(c.isascii() and (c.isalnum() or c == "-") for c in text):
        raise InputError("a STIX type holds letters, digits and hyphens", field="type")
    return text.lower()


def collection_objects(
    ctx: AppContext,
    actor: Actor,
    collection_id: str,
    *,
    stix_type: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> CollectionObjects:
    """The latest version of each object of the collection the agency may see, by date
    added, a page at a time (keyset). ``stix_type`` keeps one type (marking and extension
    definitions are listed only when asked for by type)."""
    actor.require(Permission.read_exchange)
    wanted = _stix_type(stix_type)
    size = page_size(limit)
    after: tuple[str, str, str] | None = None
    if cursor:
        added, stix_id, version = decode_cursor(_LISTING, cursor, 3)
        if not all(isinstance(value, str) for value in (added, stix_id, version)):
            raise InputError(f"not a cursor of this {_LISTING} listing", field="cursor")
        after = (added, stix_id, version)
    with ctx.database.reading() as conn:
        record = collection_for(conn, actor, collection_id, need="read")
        query = ObjectQuery(
            types=(wanted,) if wanted else (),
            types_excluded=() if wanted else MARKING_TYPES,
            after=after,
            limit=size + 1,
        )
        found = find_objects(conn, record.id, viewer_of(actor), query)
        shown = found[:size]
        rows = _rows(conn, actor, record.id, shown)
        summary = _summary_of(record, _count(conn, actor, record))
    more = len(found) > size
    last = shown[-1] if shown else None
    return CollectionObjects(
        collection=summary,
        type=wanted,
        objects=rows,
        next_cursor=encode_cursor(_LISTING, [last.date_added, last.stix_id, last.version])
        if more and last
        else None,
    )


def _no_such_object(stix_id: str) -> NotFoundError:
    """The one error for an object that does not exist for the asker (hidden or absent)."""
    return NotFoundError(f"no object {stix_id!r} in this collection", kind="object", key=stix_id)


def _versions(
    conn: Connection, actor: Actor, collection_id: str, stix_id: str
) -> list[StoredObject]:
    if not stix_id or len(stix_id) > 200:
        raise _no_such_object(stix_id[:200])
    query = ObjectQuery(ids=(stix_id,), versions=("all",))
    found = find_objects(conn, collection_id, viewer_of(actor), query)
    if not found:
        raise _no_such_object(stix_id)
    return sorted(found, key=lambda one: (one.version, one.date_added))


def _pretty(body: Mapping[str, Any]) -> str:
    return json.dumps(body, indent=2, ensure_ascii=False, sort_keys=True)


def object_detail(ctx: AppContext, actor: Actor, collection_id: str, stix_id: str) -> ObjectDetail:
    """One object as the agency may see it: its latest visible version and every version it
    may see. NotFoundError (kind ``object``) alike for a hidden and a missing object."""
    actor.require(Permission.read_exchange)
    with ctx.database.reading() as conn:
        record = collection_for(conn, actor, collection_id, need="read")
        versions = _versions(conn, actor, record.id, stix_id)
        latest = versions[-1]
        row = _rows(conn, actor, record.id, [latest])[0]
        summary = _summary_of(record, None)  # not shown on an object's page: not counted
    return ObjectDetail(
        collection=summary,
        object=row,
        body=latest.body,
        pretty=_pretty(latest.body),
        versions=[
            ObjectVersion(
                version=v.version, date_added=v.date_added, tlp=v.tlp, handling=v.handling
            )
            for v in reversed(versions)
        ],
    )


def object_evidence(
    ctx: AppContext, actor: Actor, collection: str, stix_id: str
) -> StixEvidenceView:
    """The object ``stix_id`` of ``collection`` (id, title or alias) frozen as evidence: the
    latest version the agency may see, with its provenance and markings."""
    actor.require(Permission.read_exchange)
    with ctx.database.reading() as conn:
        record = collection_for(conn, actor, collection, need="read")
        latest = _versions(conn, actor, record.id, stix_id)[-1]
        row = _rows(conn, actor, record.id, [latest])[0]
    return StixEvidenceView(
        collection_id=record.id,
        collection_title=record.title,
        stix_id=row.stix_id,
        type=row.type,
        summary=row.summary,
        version=row.version,
        date_added=row.date_added,
        origin=row.origin,
        creator_agency=row.creator_agency,
        owner_agency=row.owner_agency,
        tlp=row.tlp,
        handling=row.handling,
        handling_text=row.handling_text,
        handling_notice=row.handling_notice,
        object=latest.body,
    )
