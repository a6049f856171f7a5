"""TAXII 2.1 "Add Objects": an envelope POSTed to a collection, and its status resource.

In one transaction: the collection as the actor's agency may write it (404 / 403), the
envelope's shape (not an envelope: :class:`InputError`, HTTP 422), then each object in
turn: :func:`~leaktrace.exchange.classify.check_object` (a bad object becomes a failure of
the status resource, named by its index and field), the re-publication rules
(:func:`~leaktrace.services.exchange_rules.refusal`: a refused object is a failure too), and
the rest stored by :func:`~leaktrace.services.exchange_access.store_batch`, owned by the
actor's agency with origin ``posted``. The status (always ``complete``: the work is done
before the answer) is stored, so that the agency may read it again, and the POST audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError
from leaktrace.exchange.classify import Classified, check_object, classify, marking_refs_of
from leaktrace.exchange.timestamps import stamp
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import store_batch
from leaktrace.services.exchange_rules import refusals_of
from leaktrace.services.taxii import collection_of
from leaktrace.services.taxii_views import StatusDetailView, StatusView
from leaktrace.store.exchange_collections import StatusRecord, insert_status
from leaktrace.store.exchange_lookup import visible_versions_of
from leaktrace.store.exchange_objects import known_definitions
from leaktrace.store.exchange_visibility import Viewer

__all__ = ["POSTED", "add_envelope", "objects_of"]

POSTED = "posted"
"""The origin of rows an agency POSTed."""


def objects_of(envelope: object) -> list[object]:
    """The ``objects`` of a TAXII envelope (an envelope without objects: none);
    :class:`InputError` when ``envelope`` is not an envelope."""
    if not isinstance(envelope, Mapping):
        raise InputError("the body is not a TAXII envelope (a JSON object)", field="body")
    objects = envelope.get("objects", [])
    if not isinstance(objects, list):
        raise InputError("must be a list of STIX objects", field="objects")
    return list(objects)


def _text(value: object) -> str:
    return value[:300] if isinstance(value, str) else ""


def _failure(item: object, message: str) -> StatusDetailView:
    """A failure naming the object as far as it names itself."""
    body: Mapping[Any, Any] = item if isinstance(item, Mapping) else {}
    version = body.get("modified", body.get("created"))
    return StatusDetailView(id=_text(body.get("id")), version=_text(version), message=message)


def _classified(
    conn: Connection, checked: Sequence[dict[str, Any]], collection_id: str, owner: int | None
) -> list[Classified]:
    """The batch classified as :func:`store_batch` will (with the markings stored before),
    for the re-publication rules."""
    wanted: set[str] = set()
    for body in checked:
        refs, granular = marking_refs_of(body)
        wanted.update(refs)
        wanted.update(granular)
        creator = body.get("created_by_ref")
        if isinstance(creator, str):
            wanted.add(creator)
    return classify(checked, known_definitions(conn, wanted, collection_id, owner))


def _held_by_others(
    conn: Connection, collection_id: str, agency_id: int | None, items: Sequence[Classified]
) -> dict[str, set[str]]:
    """The versions, by id, of ``items`` that another agency holds in the collection and the
    sender may see (what it may not see is no answer to give: its own copy is stored)."""
    if agency_id is None:
        return {}
    seen = visible_versions_of(conn, [item.stix_id for item in items], Viewer(agency_id))
    held: dict[str, set[str]] = {}
    for stix_id, rows in seen.items():
        for row in rows:
            if row.collection_id == collection_id and row.owner_agency_id != agency_id:
                held.setdefault(stix_id, set()).add(row.version)
    return held


def add_envelope(ctx: AppContext, actor: Actor, collection_id: str, envelope: object) -> StatusView:
    """Add the envelope's objects to the collection; the status resource of the request."""
    actor.require(Permission.write_exchange)
    requested = stamp(datetime.now(UTC))
    with ctx.database.transaction() as conn:
        collection = collection_of(conn, actor, collection_id, "write")
        objects = objects_of(envelope)
        failures: list[StatusDetailView] = []
        checked: list[dict[str, Any]] = []
        for index, item in enumerate(objects):
            try:
                checked.append(check_object(item, f"objects[{index}]"))
            except InputError as exc:
                failures.append(_failure(item, str(exc)))
        accepted: list[dict[str, Any]] = []
        items = _classified(conn, checked, collection.id, actor.agency_id)
        foreign = _held_by_others(conn, collection.id, actor.agency_id, items)
        for classified, refused in zip(
            items, refusals_of(conn, actor.agency_id, items), strict=True
        ):
            if refused is not None:
                failures.append(_failure(classified.body, f"refused: {refused.reason}"))
            elif (
                classified.version is not None  # an observable has no versions to take over
                and classified.stix_id in foreign
                and classified.version not in foreign[classified.stix_id]
            ):
                failures.append(
                    _failure(
                        classified.body,
                        "refused: another agency holds this object in the collection; only "
                        "its creator may make a new version of it",
                    )
                )
            else:
                accepted.append(classified.body)
        outcomes = store_batch(
            conn, collection.id, accepted, owner_agency_id=actor.agency_id, origin=POSTED
        )
        successes = [
            StatusDetailView(
                id=outcome.stix_id,
                version=outcome.version,
                message=None if outcome.added else "this version was in the collection already",
            )
            for outcome in outcomes
        ]
        status = StatusView(
            id=str(uuid.uuid4()),
            status="complete",
            request_timestamp=requested,
            total_count=len(objects),
            success_count=len(successes),
            successes=successes,
            failure_count=len(failures),
            failures=failures,
            pending_count=0,
        )
        insert_status(
            conn,
            StatusRecord(
                id=status.id,
                collection_id=collection.id,
                agency_id=actor.agency_id,
                request_timestamp=requested,
                status=status.status,
                total_count=status.total_count,
                details={
                    "successes": [d.to_json() for d in successes],
                    "failures": [d.to_json() for d in failures],
                    "pendings": [],
                },
            ),
        )
        audit.record(
            conn,
            actor,
            "taxii.add",
            f"collection {collection.id}",
            f"status {status.id}: {len(objects)} objects, {len(successes)} stored, "
            f"{len(failures)} failed",
        )
    return status
