"""The TAXII 2.1 server's reads (issue 12): discovery, the API root, collections, objects,
one object, its versions, the manifest and status resources. Adding objects (POST) is in
:mod:`leaktrace.services.taxii_envelopes`.

Every object read goes through :func:`~leaktrace.store.exchange_objects.find_objects`, below
which the need-to-know rule lives: lists, single objects, versions, manifests, ``more``,
``next`` and the date headers are computed from visible rows only (a page fetches
``limit`` + 1 visible rows to learn whether more follow). A collection the asker's agency
has no rights on, an object it may not see and a status resource another agency posted
answer exactly as if they did not exist (:class:`NotFoundError`).

Object reads (objects, one object, versions, manifest) are audited, one entry per request.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy.engine import Connection

from leaktrace.errors import NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import collection_for, no_such_collection, viewer_of
from leaktrace.services.taxii_paging import TaxiiFilters, next_token, page_limit, to_query
from leaktrace.services.taxii_views import (
    TAXII_MEDIA_TYPE,
    ApiRootView,
    CollectionsView,
    CollectionView,
    DiscoveryView,
    EnvelopeView,
    ManifestRecordView,
    ManifestView,
    StatusDetailView,
    StatusView,
    VersionsView,
)
from leaktrace.store.exchange_collections import (
    CollectionRecord,
    collections_for,
    status_by_id,
)
from leaktrace.store.exchange_objects import (
    STIX_MEDIA_TYPE,
    ObjectQuery,
    StoredObject,
    find_objects,
)

__all__ = [
    "API_ROOT_PATH",
    "DISCOVERY_PATH",
    "api_root",
    "collection_of",
    "discovery",
    "get_collection",
    "get_manifest",
    "get_object",
    "get_objects",
    "get_status",
    "get_versions",
    "list_collections",
]

DISCOVERY_PATH = "/taxii2/"
API_ROOT_PATH = "/taxii2/leaktrace/"


def discovery(ctx: AppContext, actor: Actor) -> DiscoveryView:
    """The server's discovery resource: its one API root (a relative URL)."""
    actor.require(Permission.read_exchange)
    return DiscoveryView(
        title="LeakTrace TAXII 2.1 server",
        description="Pre-release leak intelligence shared between agencies on a "
        "need-to-know basis.",
        default=API_ROOT_PATH,
        api_roots=[API_ROOT_PATH],
    )


def api_root(ctx: AppContext, actor: Actor) -> ApiRootView:
    """The API root: the TAXII version served and the largest body a POST may send."""
    actor.require(Permission.read_exchange)
    return ApiRootView(
        title="LeakTrace",
        description="Collections of STIX 2.1 objects shared between agencies.",
        versions=[TAXII_MEDIA_TYPE],
        max_content_length=ctx.settings.server.max_body_bytes,
    )


def _collection_view(record: CollectionRecord) -> CollectionView:
    return CollectionView(
        id=record.id,
        title=record.title,
        description=record.description,
        alias=record.alias,
        can_read=record.can_read,
        can_write=record.can_write,
        media_types=[STIX_MEDIA_TYPE],
    )


def collection_of(
    conn: Connection,
    actor: Actor,
    collection_id: str,
    need: Literal["see", "read", "write"] = "see",
) -> CollectionRecord:
    """The collection with TAXII id ``collection_id`` as ``actor`` may use it: 404 when it
    does not exist for the actor's agency (no rights, or no such id: the same error), 403
    when it lacks the ``need``ed right. TAXII addresses collections by id only."""
    record = collection_for(conn, actor, collection_id, need)
    if record.id != collection_id:  # found by title or alias: not a TAXII address
        raise no_such_collection(collection_id)
    return record


def list_collections(ctx: AppContext, actor: Actor) -> CollectionsView:
    """The collections the actor's agency has any right on, with those rights."""
    actor.require(Permission.read_exchange)
    with ctx.database.reading() as conn:
        records = collections_for(conn, viewer_of(actor))
    return CollectionsView(collections=[_collection_view(r) for r in records])


def get_collection(ctx: AppContext, actor: Actor, collection_id: str) -> CollectionView:
    actor.require(Permission.read_exchange)
    with ctx.database.reading() as conn:
        record = collection_of(conn, actor, collection_id)
    return _collection_view(record)


def _no_such_object(object_id: str) -> NotFoundError:
    """The one error for an object that does not exist, or that the asker may not see."""
    return NotFoundError(
        f"no object {object_id!r} in this collection", kind="object", key=object_id
    )


def _page(
    conn: Connection, collection_id: str, actor: Actor, query: ObjectQuery, limit: int
) -> tuple[list[StoredObject], bool, str | None]:
    """(rows of the page, whether more follow, the next token)."""
    rows = find_objects(conn, collection_id, viewer_of(actor), query)
    more = len(rows) > limit
    shown = rows[:limit]
    token = (
        next_token(shown[-1].date_added, shown[-1].stix_id, shown[-1].version)
        if more and shown
        else None
    )
    return shown, more, token


def _dates(rows: Sequence[StoredObject]) -> dict[str, str | None]:
    if not rows:
        return {"date_added_first": None, "date_added_last": None}
    return {"date_added_first": rows[0].date_added, "date_added_last": rows[-1].date_added}


def _exists(conn: Connection, collection_id: str, actor: Actor, object_id: str) -> bool:
    """Whether the actor may see any version of the object."""
    query = ObjectQuery(ids=(object_id,), versions=("all",), limit=1)
    return bool(find_objects(conn, collection_id, viewer_of(actor), query))


def _audit_read(
    conn: Connection, actor: Actor, what: str, collection_id: str, rows: Sequence[StoredObject]
) -> None:
    ids = list(dict.fromkeys(row.stix_id for row in rows))
    listed = ", ".join(ids[:20]) + (f" and {len(ids) - 20} more" if len(ids) > 20 else "")
    audit.record(
        conn, actor, f"taxii.{what}", f"collection {collection_id}", f"{len(rows)} rows: {listed}"
    )


def _read(
    ctx: AppContext,
    actor: Actor,
    collection_id: str,
    filters: TaxiiFilters,
    what: str,
    *,
    object_id: str | None = None,
) -> tuple[list[StoredObject], bool, str | None]:
    """One page of what the actor may see, as every read endpoint serves it: (rows, whether
    more follow, the next token), audited as ``taxii.<what>``. With ``object_id``: that
    object's rows (``versions``: all of them), 404 when the actor may see no version of it."""
    actor.require(Permission.read_exchange)
    limit = page_limit(filters.limit)
    if object_id is None:
        query = to_query(filters, limit=limit)
    elif what == "versions":
        query = to_query(filters, limit=limit, ids=(object_id,), types=False, versions=("all",))
    else:
        query = to_query(filters, limit=limit, ids=(object_id,), types=False)
    with ctx.database.transaction() as conn:
        collection = collection_of(conn, actor, collection_id, "read")
        rows, more, token = _page(conn, collection.id, actor, query, limit)
        if (
            object_id is not None
            and not rows
            and not _exists(conn, collection.id, actor, object_id)
        ):
            raise _no_such_object(object_id)
        _audit_read(conn, actor, what, collection.id, rows)
    return rows, more, token


def get_objects(
    ctx: AppContext, actor: Actor, collection_id: str, filters: TaxiiFilters
) -> EnvelopeView:
    """A page of the objects the actor may see (TAXII 2.1 "Get Objects")."""
    rows, more, token = _read(ctx, actor, collection_id, filters, "objects")
    return EnvelopeView(more=more, next=token, objects=[row.body for row in rows], **_dates(rows))


def get_object(
    ctx: AppContext, actor: Actor, collection_id: str, object_id: str, filters: TaxiiFilters
) -> EnvelopeView:
    """The versions of one object that match ``match[version]`` (default ``last``) and
    ``match[spec_version]`` (TAXII 2.1 "Get an Object"); 404 when the actor may see no
    version of it."""
    rows, more, token = _read(ctx, actor, collection_id, filters, "object", object_id=object_id)
    return EnvelopeView(more=more, next=token, objects=[row.body for row in rows], **_dates(rows))


def get_versions(
    ctx: AppContext, actor: Actor, collection_id: str, object_id: str, filters: TaxiiFilters
) -> VersionsView:
    """The versions of one object the actor may see, by ``date_added`` (TAXII 2.1 "Get
    Object Versions": ``match[spec_version]``, ``added_after``, ``limit``, ``next``)."""
    rows, more, token = _read(ctx, actor, collection_id, filters, "versions", object_id=object_id)
    return VersionsView(
        more=more, next=token, versions=[row.version for row in rows], **_dates(rows)
    )


def get_manifest(
    ctx: AppContext, actor: Actor, collection_id: str, filters: TaxiiFilters
) -> ManifestView:
    """A page of the manifest: what "Get Objects" would list, without the objects."""
    rows, more, token = _read(ctx, actor, collection_id, filters, "manifest")
    records = [
        ManifestRecordView(
            id=row.stix_id,
            date_added=row.date_added,
            version=row.version,
            media_type=row.media_type,
        )
        for row in rows
    ]
    return ManifestView(more=more, next=token, objects=records, **_dates(rows))


def _details(items: object) -> list[StatusDetailView]:
    if not isinstance(items, list):
        return []
    return [StatusDetailView.model_validate(item) for item in items if isinstance(item, dict)]


def get_status(ctx: AppContext, actor: Actor, status_id: str) -> StatusView:
    """A status resource the actor's agency posted (another agency's: 404, as a missing
    one)."""
    actor.require(Permission.read_exchange)
    with ctx.database.reading() as conn:
        record = status_by_id(conn, status_id, viewer_of(actor))
    if record is None:
        raise NotFoundError(f"no status {status_id!r}", kind="status", key=status_id)
    successes = _details(record.details.get("successes"))
    failures = _details(record.details.get("failures"))
    pendings = _details(record.details.get("pendings"))
    return StatusView(
        id=record.id,
        status=record.status,
        request_timestamp=record.request_timestamp,
        total_count=record.total_count,
        success_count=len(successes),
        successes=successes,
        failure_count=len(failures),
        failures=failures,
        pending_count=len(pendings),
        pendings=pendings,
    )
