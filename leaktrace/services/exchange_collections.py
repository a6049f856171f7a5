"""Administering TAXII collections (issue 12): which agencies read and write each one, and
the owners' recorded permissions to pass an H2 object on.

A collection's readers and writers are agencies; an empty list means nobody. Rights are
replaced as a whole (:func:`set_collection_rights`), so an agency taken off a list loses
access at once: the need-to-know rule (:mod:`leaktrace.store.exchange_visibility`) reads
the rights on every request. Collections are administered by the deployment's operator
(the command line); an agency's users only see the collections they have rights on.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy.engine import Connection

from leaktrace.errors import ConflictError, InputError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import collection_for, viewer_of
from leaktrace.services.exchange_views import PermissionView, SharingCollectionView
from leaktrace.store import exchange_collections as store
from leaktrace.store import identity as identity_store
from leaktrace.store.exchange_collections import CollectionRecord
from leaktrace.store.exchange_visibility import Viewer

__all__ = [
    "add_collection",
    "agency_ids",
    "list_collections",
    "permit",
    "set_collection_rights",
]

MAX_NAME = 200
MAX_DESCRIPTION = 2000
_STIX_ID = re.compile(
    r"[a-z0-9][a-z0-9-]{1,248}[a-z0-9]--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z"
)


def _operator_only(actor: Actor, what: str) -> None:
    if not actor.is_local:
        raise PermissionDeniedError(
            f"only the deployment's operator {what} (leaktrace exchange collection ...)",
            permission="operator",
        )


def _clean(
    value: str | None, field: str, limit: int, *, required: bool, lines: bool = False
) -> str | None:
    """``value`` stripped; InputError (``field``: the option or argument to fix) when empty
    but ``required``, too long, or holding control characters (``lines``: newlines and tabs
    allowed)."""
    text = (value or "").strip()
    if not text:
        if required:
            raise InputError("must not be empty", field=field)
        return None
    if len(text) > limit:
        raise InputError(f"has {len(text)} characters; at most {limit}", field=field)
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cs") and not (lines and char in "\n\t"):
            raise InputError(f"holds the control character U+{ord(char):04X}", field=field)
    return text


def agency_ids(conn: Connection, codes: Iterable[str], field: str) -> dict[str, int]:
    """Agency code -> id for each of ``codes`` (upper-cased, duplicates once);
    :class:`InputError` naming the first unknown code."""
    found: dict[str, int] = {}
    for raw in codes:
        code = raw.strip().upper()
        if not code or code in found:
            continue
        record = identity_store.agency_by_code(conn, code)
        if record is None:
            raise InputError(
                f"unknown agency {code!r} (leaktrace agency list shows them)", field=field
            )
        found[code] = record.id
    return found


def _rights(
    conn: Connection, read: Sequence[str], write: Sequence[str]
) -> tuple[dict[int, tuple[bool, bool]], list[str], list[str]]:
    readers = agency_ids(conn, read, "--read")
    writers = agency_ids(conn, write, "--write")
    rights: dict[int, tuple[bool, bool]] = {}
    for agency in {*readers.values(), *writers.values()}:
        rights[agency] = (agency in readers.values(), agency in writers.values())
    return rights, sorted(readers), sorted(writers)


def _view(record: CollectionRecord) -> SharingCollectionView:
    return SharingCollectionView(
        id=record.id,
        title=record.title,
        alias=record.alias,
        description=record.description,
        created_at=record.created_at,
        readers=list(record.readers),
        writers=list(record.writers),
    )


def _operator_view(conn: Connection, collection_id: str) -> SharingCollectionView:
    record = store.collection_by_id(conn, collection_id, Viewer(None))
    assert record is not None  # written in this transaction
    return _view(record)


def add_collection(
    ctx: AppContext,
    actor: Actor,
    name: str,
    *,
    read: Sequence[str] = (),
    write: Sequence[str] = (),
    description: str | None = None,
) -> SharingCollectionView:
    """A new collection titled (and aliased) ``name`` with a new UUID id; ``read`` and
    ``write`` are agency codes (empty: nobody). ConflictError when ``name`` is taken;
    InputError naming an unknown agency."""
    _operator_only(actor, "adds collections")
    title = _clean(name, "NAME", MAX_NAME, required=True)
    assert title is not None
    text = _clean(description, "--description", MAX_DESCRIPTION, required=False, lines=True)
    collection_id = str(uuid.uuid4())
    with ctx.database.transaction() as conn:
        if store.collection_by_name(conn, title, Viewer(None)) is not None:
            raise ConflictError(f"collection {title!r} exists already")
        rights, readers, writers = _rights(conn, read, write)
        store.create_collection(conn, collection_id, title, title, text, datetime.now(UTC))
        store.set_rights(conn, collection_id, rights)
        audit.record(
            conn,
            actor,
            "exchange.collection.add",
            title,
            f"id {collection_id}; read: {', '.join(readers) or 'nobody'}; "
            f"write: {', '.join(writers) or 'nobody'}",
        )
        return _operator_view(conn, collection_id)


def set_collection_rights(
    ctx: AppContext,
    actor: Actor,
    name: str,
    *,
    read: Sequence[str] = (),
    write: Sequence[str] = (),
) -> SharingCollectionView:
    """Replace the readers and writers of the collection ``name`` (an agency left out loses
    its access at once)."""
    _operator_only(actor, "changes collection rights")
    with ctx.database.transaction() as conn:
        record = collection_for(conn, actor, name.strip())
        rights, readers, writers = _rights(conn, read, write)
        store.set_rights(conn, record.id, rights)
        audit.record(
            conn,
            actor,
            "exchange.collection.set",
            record.title,
            f"read: {', '.join(readers) or 'nobody'}; write: {', '.join(writers) or 'nobody'} "
            f"(was read: {', '.join(record.readers) or 'nobody'}; "
            f"write: {', '.join(record.writers) or 'nobody'})",
        )
        return _operator_view(conn, record.id)


def list_collections(ctx: AppContext, actor: Actor) -> list[SharingCollectionView]:
    """The collections ``actor`` has rights on (every one for the operator), by title; the
    reader and writer lists are shown to the operator only."""
    if not actor.is_local:
        actor.require(Permission.read_exchange)
    with ctx.database.reading() as conn:
        return [_view(record) for record in store.collections_for(conn, viewer_of(actor))]


def permit(
    ctx: AppContext, actor: Actor, stix_id: str, *, agency: str, granted_by: str
) -> PermissionView:
    """Record that the owner of the H2 object ``stix_id`` let ``agency`` pass it on
    (``granted_by``: who gave the permission and how, free text); audited."""
    _operator_only(actor, "records re-publication permissions")
    wanted = stix_id.strip()
    if not _STIX_ID.match(wanted):
        raise InputError(f"not a STIX id: {stix_id!r}", field="STIX_ID")
    source = _clean(granted_by, "--granted-by", 500, required=True)
    assert source is not None
    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        found = agency_ids(conn, [agency], "--agency")
        if not found:
            raise InputError("name the agency given the permission", field="--agency")
        code, agency_id = next(iter(found.items()))
        store.record_permission(conn, wanted, agency_id, source, actor.name, now)
        audit.record(
            conn,
            actor,
            "exchange.permit",
            wanted,
            f"{code} may pass it on; granted by {source}",
        )
    return PermissionView(
        stix_id=wanted, agency=code, granted_by=source, recorded_by=actor.name, recorded_at=now
    )
