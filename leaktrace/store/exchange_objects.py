"""Shared STIX objects in their collections: adding a batch, and the one filtered read.

:func:`add_objects` stores classified objects (:mod:`leaktrace.exchange.classify`) with a
``date_added`` unique and increasing within the collection, their audience and what they
need served beside them. :func:`find_objects` is the read every TAXII endpoint, page and
export uses: TAXII's filters, keyset paging, and the need-to-know rule of
:mod:`leaktrace.store.exchange_visibility` (``match[version]=last`` is the last version the
viewer may see); bodies come back with the granular markings applied
(:func:`leaktrace.exchange.redaction.redact`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    tuple_,
)

from leaktrace.exchange.classify import SUPPORT_TYPES, Classified
from leaktrace.exchange.markings import TlpLevel, strictest
from leaktrace.exchange.redaction import redact
from leaktrace.exchange.timestamps import parse_timestamp, stamp
from leaktrace.store.exchange_visibility import (
    AUDIENCE,
    NEEDS,
    OBJECTS,
    Viewer,
    in_audience,
    is_owner,
    visible,
)
from leaktrace.store.schema_exchange import EXCHANGE_COLLECTIONS as COLLECTIONS

__all__ = [
    "STIX_MEDIA_TYPE",
    "AddOutcome",
    "ObjectQuery",
    "StoredObject",
    "add_objects",
    "count_objects",
    "find_objects",
    "known_definitions",
    "visible_definitions",
]

STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


@dataclass(frozen=True)
class AddOutcome:
    stix_id: str
    version: str
    date_added: str
    added: bool
    """False: that version was in the collection already (left as it was)."""


@dataclass(frozen=True)
class ObjectQuery:
    """TAXII's filters and the keyset position (see the TAXII 2.1 specification, 3.4)."""

    added_after: str | None = None
    """Normalised text (:func:`leaktrace.exchange.timestamps.stamp`)."""
    ids: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    versions: tuple[str, ...] = ("last",)
    """``first``, ``last``, ``all`` or normalised version times; any of them matches."""
    spec_versions: tuple[str, ...] = ()
    after: tuple[str, str, str] | None = None
    """Rows after this (date_added, stix_id, version): where the previous page ended (the
    key of the last row shown: nothing a reader did not see)."""
    limit: int | None = None
    """At most this many rows (ask one more than a page holds to learn whether more follow)."""
    types_excluded: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class StoredObject:
    row_id: int
    stix_id: str
    stix_type: str
    spec_version: str
    version: str
    date_added: str
    media_type: str
    body: dict[str, Any]
    """As the viewer may see it (granular markings applied)."""
    tlp: str | None
    handling: str | None
    origin: str
    origin_agency: str | None
    owner_agency_id: int | None


def _next_stamp(conn: Connection, collection_id: str) -> datetime:
    """The collection's next ``date_added``: now, or 1 µs after its newest (never equal)."""
    newest = conn.execute(
        select(func.max(OBJECTS.c.date_added)).where(OBJECTS.c.collection_id == collection_id)
    ).scalar_one_or_none()
    now = datetime.now(UTC)
    if newest is not None:
        last = parse_timestamp(newest, "date_added")
        if now <= last:
            now = last + timedelta(microseconds=1)
    return now


def add_objects(
    conn: Connection,
    collection_id: str,
    items: Sequence[Classified],
    *,
    owner_agency_id: int | None,
    origin: str,
    audience: Iterable[int] = (),
    tlp_floor: TlpLevel | None = None,
    origin_agency: Mapping[str, str] | None = None,
) -> list[AddOutcome]:
    """Store ``items`` in the collection (one transaction: the caller's ``conn``).

    ``owner_agency_id`` owns the new rows; ``audience`` names the agencies a RED row (or a
    RED property) is shared with; ``tlp_floor`` makes every row at least that strict (a
    re-publication under a stricter level). ``origin_agency`` maps a creator identity id to
    its agency code. A version already in the collection is left as it was.
    """
    # one writer per collection at a time, so date_added only ever increases
    conn.execute(
        select(COLLECTIONS.c.id).where(COLLECTIONS.c.id == collection_id).with_for_update()
    )
    # one date_added for the whole batch (TAXII allows equal ones; rows are then ordered by
    # id and version): distinct dates would let a reader count rows hidden from it
    added_text = stamp(_next_stamp(conn, collection_id))
    listeners = sorted(set(audience))
    outcomes: list[AddOutcome] = []
    creators = origin_agency or {}
    present = _present(conn, collection_id, [item.stix_id for item in items], owner_agency_id)
    for item in items:
        if item.version is None:
            # no created/modified (a cyber-observable): its version is when it was added, so
            # the same object sent again (a resumed pull, a re-import) is found by content
            same = next(
                (
                    (version, date_added)
                    for version, date_added, body in present.get(item.stix_id, [])
                    if body == item.body
                ),
                None,
            )
            if same is not None:
                outcomes.append(AddOutcome(item.stix_id, same[0], same[1], added=False))
                continue
        version = item.version or added_text
        # only a version the sender may see counts as present: one hidden from it is no
        # answer to give (the sender's own copy is stored, as for a new object)
        existing = next(
            (added for held, added, _ in present.get(item.stix_id, []) if held == version),
            None,
        )
        if existing is not None:
            outcomes.append(AddOutcome(item.stix_id, version, existing, added=False))
            continue
        present.setdefault(item.stix_id, []).append((version, added_text, item.body))
        level = strictest([lvl for lvl in (item.tlp, tlp_floor) if lvl is not None])
        row_id = conn.execute(
            insert(OBJECTS)
            .values(
                collection_id=collection_id,
                stix_id=item.stix_id,
                stix_type=item.stix_type,
                spec_version=item.spec_version,
                version=version,
                date_added=added_text,
                media_type=STIX_MEDIA_TYPE,
                body=json.dumps(item.body, ensure_ascii=False, separators=(",", ":")),
                tlp=level,
                handling=item.handling,
                restricted=item.restricted,
                granular=json.dumps(item.hiding, sort_keys=True) if item.hiding else None,
                support=item.support,
                owner_agency_id=owner_agency_id,
                origin=origin[:600],
                origin_agency=creators.get(item.creator or ""),
            )
            .returning(OBJECTS.c.id)
        ).scalar_one()
        if listeners:
            conn.execute(
                insert(AUDIENCE), [{"object_id": row_id, "agency_id": a} for a in listeners]
            )
        if not item.support and item.needs:
            conn.execute(
                insert(NEEDS), [{"object_id": row_id, "stix_id": need} for need in item.needs]
            )
        outcomes.append(AddOutcome(item.stix_id, version, added_text, added=True))
    return outcomes


def _present(
    conn: Connection, collection_id: str, stix_ids: Sequence[str], owner_agency_id: int | None
) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """(version, date_added, body) of each stored row of ``stix_ids`` in the collection that
    the sender (``owner_agency_id``) may see or owns, by id: one query per 500 ids."""
    wanted = sorted(set(stix_ids))
    mine = or_(
        visible(Viewer(owner_agency_id)),
        OBJECTS.c.owner_agency_id.is_not_distinct_from(owner_agency_id),
    )
    found: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            select(OBJECTS.c.stix_id, OBJECTS.c.version, OBJECTS.c.date_added, OBJECTS.c.body)
            .where(
                OBJECTS.c.collection_id == collection_id,
                OBJECTS.c.stix_id.in_(wanted[start : start + 500]),
                mine,
            )
            .order_by(OBJECTS.c.id)
        )
        for stix_id, version, date_added, body in rows:
            found.setdefault(str(stix_id), []).append(
                (str(version), str(date_added), json.loads(body))
            )
    return found


def known_definitions(
    conn: Connection, ids: Iterable[str], collection_id: str, owner_agency_id: int | None
) -> dict[str, dict[str, Any]]:
    """The stored body of each support object (marking definition, extension definition,
    identity) among ``ids`` that the same owner stored in the same collection: to classify a
    batch whose objects refer to definitions sent before (the next page of a pull). Another
    agency's copy under the same id never counts (it could redefine what a marking means).
    A marking definition cannot change: its first stored body is the one; of the others,
    the newest version."""
    mine = OBJECTS.c.owner_agency_id.is_not_distinct_from(owner_agency_id)
    return _definitions(conn, ids, collection_id, mine)


def visible_definitions(
    conn: Connection, ids: Iterable[str], collection_id: str, viewer: Viewer
) -> dict[str, dict[str, Any]]:
    """As :func:`known_definitions`, among the rows of the collection ``viewer`` may see:
    to classify what goes out (a push, a re-publication) as that agency sees it."""
    return _definitions(conn, ids, collection_id, visible(viewer))


def _definitions(
    conn: Connection, ids: Iterable[str], collection_id: str, allowed: ColumnElement[bool]
) -> dict[str, dict[str, Any]]:
    wanted = sorted({i for i in ids if i.split("--", 1)[0] in SUPPORT_TYPES})
    found: dict[str, tuple[str, dict[str, Any]]] = {}
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            select(OBJECTS.c.stix_id, OBJECTS.c.version, OBJECTS.c.body)
            .where(
                OBJECTS.c.collection_id == collection_id,
                allowed,
                OBJECTS.c.stix_id.in_(wanted[start : start + 500]),
            )
            .order_by(OBJECTS.c.date_added, OBJECTS.c.id)
        )
        for stix_id, version, body in rows:
            if stix_id not in found:
                found[stix_id] = (version, json.loads(body))
            elif not stix_id.startswith("marking-definition--") and version > found[stix_id][0]:
                found[stix_id] = (version, json.loads(body))
    return {stix_id: body for stix_id, (_, body) in found.items()}


def _version_condition(viewer: Viewer, versions: Sequence[str]) -> ColumnElement[bool]:
    if not versions or "all" in versions:
        return true()
    others = OBJECTS.alias("other_versions")
    same = and_(
        others.c.collection_id == OBJECTS.c.collection_id,
        others.c.stix_id == OBJECTS.c.stix_id,
        visible(viewer, others),
    )
    conditions: list[ColumnElement[bool]] = []
    if "last" in versions:
        newest = select(func.max(others.c.version)).where(same).scalar_subquery()
        conditions.append(OBJECTS.c.version == newest)
    if "first" in versions:
        oldest = select(func.min(others.c.version)).where(same).scalar_subquery()
        conditions.append(OBJECTS.c.version == oldest)
    exact = [v for v in versions if v not in ("first", "last")]
    if exact:
        conditions.append(OBJECTS.c.version.in_(exact))
    return or_(*conditions)


def _filtered(statement: Select[Any], viewer: Viewer, query: ObjectQuery) -> Select[Any]:
    """``statement`` narrowed to the rows ``viewer`` may see that match ``query``."""
    statement = statement.where(visible(viewer))
    if query.added_after is not None:
        statement = statement.where(OBJECTS.c.date_added > query.added_after)
    if query.ids:
        statement = statement.where(OBJECTS.c.stix_id.in_(query.ids))
    if query.types:
        statement = statement.where(OBJECTS.c.stix_type.in_(query.types))
    if query.types_excluded:
        statement = statement.where(OBJECTS.c.stix_type.not_in(query.types_excluded))
    if query.spec_versions:
        statement = statement.where(OBJECTS.c.spec_version.in_(query.spec_versions))
    if query.after is not None:
        # a row-value comparison: PostgreSQL (and SQLite) walk the index from the position
        added, stix_id, version = query.after
        statement = statement.where(
            OBJECTS.c.date_added >= added,
            tuple_(OBJECTS.c.date_added, OBJECTS.c.stix_id, OBJECTS.c.version)
            > tuple_(literal(added), literal(stix_id), literal(version)),
        )
    # one version held by several owners: the reader gets the first added it may see
    twin = OBJECTS.alias("twin")
    statement = statement.where(
        ~exists(
            select(twin.c.id).where(
                twin.c.collection_id == OBJECTS.c.collection_id,
                twin.c.stix_id == OBJECTS.c.stix_id,
                twin.c.version == OBJECTS.c.version,
                twin.c.id < OBJECTS.c.id,
                visible(viewer, twin),
            )
        )
    )
    return statement.where(_version_condition(viewer, query.versions))


def count_objects(conn: Connection, collection_id: str, viewer: Viewer, query: ObjectQuery) -> int:
    """How many rows :func:`find_objects` would return without ``limit`` (the same rule)."""
    statement = _filtered(
        select(func.count()).select_from(OBJECTS).where(OBJECTS.c.collection_id == collection_id),
        viewer,
        query,
    )
    return int(conn.execute(statement).scalar_one())


def find_objects(
    conn: Connection, collection_id: str, viewer: Viewer, query: ObjectQuery
) -> list[StoredObject]:
    """The rows of the collection ``viewer`` may see that match ``query``, by
    (``date_added``, ``stix_id``, ``version``). The caller checks the viewer's read right
    first."""
    statement: Select[Any] = select(
        OBJECTS.c.id,
        OBJECTS.c.stix_id,
        OBJECTS.c.stix_type,
        OBJECTS.c.spec_version,
        OBJECTS.c.version,
        OBJECTS.c.date_added,
        OBJECTS.c.media_type,
        OBJECTS.c.body,
        OBJECTS.c.tlp,
        OBJECTS.c.handling,
        OBJECTS.c.origin,
        OBJECTS.c.origin_agency,
        OBJECTS.c.owner_agency_id,
        OBJECTS.c.granular,
        is_owner(viewer).label("owner"),
        in_audience(viewer).label("audience"),
    ).where(OBJECTS.c.collection_id == collection_id)
    statement = _filtered(statement, viewer, query)
    statement = statement.order_by(OBJECTS.c.date_added, OBJECTS.c.stix_id, OBJECTS.c.version)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    found: list[StoredObject] = []
    for row in conn.execute(statement):
        body = json.loads(row.body)
        found.append(
            StoredObject(
                row_id=row.id,
                stix_id=row.stix_id,
                stix_type=row.stix_type,
                spec_version=row.spec_version,
                version=row.version,
                date_added=row.date_added,
                media_type=row.media_type,
                body=redact(
                    body,
                    owner=bool(row.owner),
                    audience=bool(row.audience),
                    hiding=json.loads(row.granular) if row.granular else None,
                ),
                tlp=row.tlp,
                handling=row.handling,
                origin=row.origin,
                origin_agency=row.origin_agency,
                owner_agency_id=row.owner_agency_id,
            )
        )
    return found
