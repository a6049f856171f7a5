"""Re-publishing an object an agency received (issue 12): ``exchange publish --object ID
--from COLLECTION``.

The last version of the object that the publishing agency may see in ``from_collection``
is copied unchanged (only its creator may make new versions of it) into the target
collection, with the support objects it needs (its markings, its creator's identity,
extension definitions, as the agency sees them in the collection it comes from), under an
effective TLP of the request's level, after
:func:`leaktrace.services.exchange_rules.refusal_of`: never looser than it was received
(its own markings, or the stricter level of the row it came as), and an H2 object only with
the owner's recorded permission. A new handling code cannot be set (the object is copied
unchanged). The copied rows belong to the publishing agency, with the origin
``republished from <collection>``; RED narrows to ``to`` as for any publication
(:func:`leaktrace.services.exchange_publish.red_audience`). One transaction, audited as
``exchange.republish``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, NotFoundError, SharingRefusedError
from leaktrace.exchange.classify import check_object, classify
from leaktrace.exchange.markings import strictest
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import collection_for, no_such_collection, store_batch
from leaktrace.services.exchange_publish import (
    PublishRequest,
    publication_notes,
    publishing_agency,
    red_audience,
    writable_collection,
)
from leaktrace.services.exchange_rules import refusal_of
from leaktrace.services.exchange_views import PublicationView
from leaktrace.store.exchange_collections import rights_of
from leaktrace.store.exchange_objects import ObjectQuery, find_objects, visible_definitions
from leaktrace.store.exchange_visibility import Viewer

__all__ = ["republish"]


def republish(ctx: AppContext, actor: Actor, request: PublishRequest) -> PublicationView:
    """Re-publish ``request.source.object_id`` from ``request.source.from_collection`` into
    ``request.collection`` (see the module docstring)."""
    actor.require(Permission.write_exchange)
    source = request.source
    if source.chosen() != "object" or source.object_id is None or not source.from_collection:
        raise InputError("re-publication takes --object ID --from COLLECTION", field="--object")
    marking = request.marking
    if request.to and marking.tlp != "red":
        raise InputError("--to narrows a TLP:RED publication: use it with --tlp red", field="--to")
    if marking.handling is not None:
        raise InputError(
            "a re-published object is copied unchanged: --handling cannot be set",
            field="--handling",
        )
    now = datetime.now(UTC)
    stix_id = source.object_id.strip()
    with ctx.database.transaction() as conn:
        agency_id, agency = publishing_agency(conn, actor, request.agency, None)
        origin = collection_for(conn, actor, source.from_collection.strip())
        viewer = Viewer(agency_id)
        if not rights_of(conn, origin.id, viewer)[0]:
            raise no_such_collection(source.from_collection)
        found = find_objects(conn, origin.id, viewer, ObjectQuery(ids=(stix_id,)))
        if not found:
            raise NotFoundError(
                f"no object {stix_id} in {origin.title!r} for {agency.code}",
                kind="object",
                key=stix_id,
            )
        row = found[-1]
        record = writable_collection(conn, actor, request.collection, agency_id, agency.code)
        if record.id == origin.id:
            raise InputError(
                "--collection and --from are the same collection", field="--collection"
            )
        audience = red_audience(conn, record, marking.tlp, request.to)
        body = check_object(row.body, "object")
        support = _support_of(conn, body, origin.id, viewer)
        batch = [*(check_object(each, "support") for each in support), body]
        item = classify(batch)[-1]
        # the row's effective level: its own markings, or stricter if it came so
        item = replace(item, tlp=strictest([lvl for lvl in (item.tlp, row.tlp) if lvl]))
        refused = refusal_of(conn, agency_id, item, tlp=marking.tlp)
        if refused is not None:
            raise SharingRefusedError(refused.reason, stix_id=stix_id, rule=refused.rule)
        outcomes = store_batch(
            conn,
            record.id,
            batch,
            owner_agency_id=agency_id,
            origin=f"republished from {origin.title}",
            audience=audience.values(),
            tlp_floor=marking.tlp,
        )
        audit.record(
            conn,
            actor,
            "exchange.republish",
            f"{stix_id} {origin.title} -> {record.title}",
            f"as {agency.code}; TLP:{marking.tlp.upper()}; version {row.version}"
            + (f"; to {', '.join(sorted(audience))}" if audience else ""),
        )
    return PublicationView(
        collection=record.title,
        collection_id=record.id,
        agency=agency.code,
        source=source.label(),
        tlp=marking.tlp,
        handling=row.handling,
        audience=sorted(audience),
        objects=len(batch),
        added=sum(o.added for o in outcomes),
        stix_ids=[b["id"] for b in batch],
        published_at=now,
        notes=publication_notes(marking, audience, agency.code),
    )


def _support_of(
    conn: Connection, body: dict[str, Any], collection_id: str, viewer: Viewer
) -> list[dict[str, Any]]:
    """The support objects ``body`` needs (markings, creator, extension definitions), and
    theirs in turn, as ``viewer`` sees them in the collection it comes from."""
    found: dict[str, dict[str, Any]] = {}
    wanted = set(classify([body])[0].needs)
    while wanted - set(found):
        fresh = visible_definitions(conn, wanted - set(found), collection_id, viewer)
        if not fresh:
            break
        found.update(fresh)
        wanted |= set(classify([body, *found.values()], found)[0].needs)
    return list(found.values())
