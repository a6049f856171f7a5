"""``exchange push``: a local collection's objects onto a partner's TAXII 2.1 collection.

What is pushed is what the pushing agency (``--agency``; the local operator must name one,
since it sees everything) may see in the local collection: :func:`find_objects` with that
agency's :class:`Viewer`, every version, bodies as that agency sees them (granular markings
applied). Then, failing closed, an object is *skipped* (reported, never sent) when it is
TLP:RED or TLP:AMBER+STRICT (they are never passed on to another server), when its markings
could not be understood (``restricted``), or when the re-publication rules
(:func:`leaktrace.services.exchange_rules.refusal_of`: H2 without the owner's permission, a
received object under a looser TLP) refuse it. Marking definitions, extension definitions
and identities go only with an object sent that needs them (an H3 text never travels for a
skipped object), first, so the peer reads the markings before the objects they mark.
Properties under a RED or AMBER+STRICT *granular* marking are taken out of what is sent
(as for any reader outside the owner and the audience).

Objects go in envelopes under the peer API root's ``max_content_length``; each POST's status
resource is followed until it is no longer ``pending``. Each run is audited once
(``exchange.push``: peer API root without secrets, peer collection, agency, how many sent,
skipped per rule; outcome ``failed`` when the run stopped on an error).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from leaktrace.errors import InputError, PermissionDeniedError
from leaktrace.exchange.classify import SUPPORT_TYPES, Classified, classify
from leaktrace.exchange.redaction import redact
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import no_such_collection
from leaktrace.services.exchange_inbound_views import PushView, Refused
from leaktrace.services.exchange_pull import HIDING_LEVELS, receiving_agency
from leaktrace.services.exchange_rules import refusal_of
from leaktrace.sources.taxii_client import TaxiiClient, normalise_api_root, shown_url
from leaktrace.store.exchange_collections import collection_by_name
from leaktrace.store.exchange_objects import (
    ObjectQuery,
    StoredObject,
    find_objects,
    visible_definitions,
)
from leaktrace.store.exchange_visibility import Viewer

__all__ = ["ENVELOPE_OVERHEAD", "envelopes", "push"]

ENVELOPE_OVERHEAD = 64
"""Bytes kept free in each envelope for ``{"objects":[...]}`` and commas."""
MAX_SKIPS = 50


def envelopes(
    objects: list[dict[str, Any]], max_bytes: int
) -> tuple[list[list[dict[str, Any]]], list[dict[str, Any]]]:
    """``objects`` packed in order into envelopes whose JSON stays under ``max_bytes``; and
    the objects too large to go in any envelope."""
    budget = max_bytes - ENVELOPE_OVERHEAD
    packed: list[list[dict[str, Any]]] = []
    too_big: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for body in objects:
        length = len(json.dumps(body, ensure_ascii=False).encode()) + 2
        if length > budget:
            too_big.append(body)
            continue
        if current and size + length > budget:
            packed.append(current)
            current, size = [], 0
        current.append(body)
        size += length
    if current:
        packed.append(current)
    return packed, too_big


def _refs(rows: list[StoredObject]) -> set[str]:
    wanted: set[str] = set()
    for row in rows:
        body = row.body
        wanted.update(r for r in body.get("object_marking_refs", []) or [] if isinstance(r, str))
        for granular in body.get("granular_markings", []) or []:
            if isinstance(granular, dict) and isinstance(granular.get("marking_ref"), str):
                wanted.add(granular["marking_ref"])
        if isinstance(body.get("created_by_ref"), str):
            wanted.add(body["created_by_ref"])
    return wanted


def push(
    ctx: AppContext,
    actor: Actor,
    *,
    url: str,
    collection: str,
    source: str,
    user: str | None = None,
    password: str | None = None,
    agency: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    client: TaxiiClient | None = None,
) -> PushView:
    """Push what ``agency`` may see of local collection ``source`` (see the module docs).
    ``progress(envelopes sent, envelopes in all)`` after each envelope."""
    actor.require(Permission.read_exchange)
    actor.require(Permission.write_exchange)
    if agency is None and actor.agency_id is None:
        raise InputError(
            "say which agency pushes (--agency CODE): what is sent is what that agency may "
            "see, and the local operator sees everything",
            field="agency",
        )
    api_root = normalise_api_root(url)
    skips: list[Refused] = []
    skipped = 0

    rules: dict[str, int] = {}

    def skip(stix_id: str, reason: str, rule: str) -> None:
        nonlocal skipped
        skipped += 1
        rules[rule] = rules.get(rule, 0) + 1
        if len(skips) < MAX_SKIPS:
            skips.append(Refused(where=stix_id, stix_id=stix_id, reason=reason))

    with ctx.database.reading() as conn:
        owner, owner_code = receiving_agency(conn, actor, agency)
        viewer = Viewer(owner)
        local = collection_by_name(conn, source, viewer)
        if local is None:
            raise no_such_collection(source)
        if not local.can_read:
            raise PermissionDeniedError(
                f"agency {owner_code} may not read collection {source!r}",
                permission="collection:read",
            )
        rows = find_objects(conn, local.id, viewer, ObjectQuery(versions=("all",)))
        known = visible_definitions(conn, _refs(rows), local.id, viewer)
        items = classify([row.body for row in rows], known)
        candidates: list[tuple[StoredObject, Classified]] = []
        for row, item in zip(rows, items, strict=True):
            if row.tlp in HIDING_LEVELS:
                skip(
                    row.stix_id,
                    f"TLP:{row.tlp.upper()} objects are never pushed to another server",
                    row.tlp,
                )
            elif item.restricted:
                skip(
                    row.stix_id,
                    "its markings are not understood here: kept for its owner only",
                    "restricted",
                )
            else:
                why = refusal_of(conn, owner, item)
                if why is not None:
                    skip(row.stix_id, why.reason, why.rule)
                else:
                    candidates.append((row, item))
        blocked_needs = {
            need
            for row, item in zip(rows, items, strict=True)
            if item.stix_type not in SUPPORT_TYPES
            for need in item.needs
        }
    sent_needs = {
        need
        for _row, item in candidates
        if item.stix_type not in SUPPORT_TYPES
        for need in item.needs
    }
    support: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for row, item in candidates:
        if item.stix_type in SUPPORT_TYPES:
            if item.stix_id in sent_needs or item.stix_id not in blocked_needs:
                support.append(_outgoing(row))
            else:
                skip(row.stix_id, "needed only by objects that are not pushed", "support")
        else:
            others.append(_outgoing(row))
    warnings: list[str] = []
    taxii = client or TaxiiClient(api_root, user=user, password=password)
    accepted = failed = pending = sent = 0
    status_ids: list[str] = []
    outcome = "failed"
    try:
        packed, too_big = envelopes(support + others, taxii.max_content_length())
        for body in too_big:
            skip(str(body.get("id")), "larger than the peer's max_content_length", "too-large")
        for number, envelope in enumerate(packed, start=1):
            status = taxii.wait_status(taxii.add_objects(collection, envelope))
            sent += len(envelope)
            status_ids.append(str(status.get("id")))
            accepted += _count(status, "success_count")
            failed += _count(status, "failure_count")
            pending += _count(status, "pending_count")
            if progress is not None:
                progress(number, len(packed))
        outcome = "ok"
    finally:
        if client is None:
            taxii.close()
        with ctx.database.transaction() as conn:
            by_rule = ", ".join(f"{rule} {count}" for rule, count in sorted(rules.items()))
            audit.record(
                conn,
                actor,
                "exchange.push",
                f"{local.title} -> {shown_url(api_root)} {collection}",
                f"as {owner_code}: {sent} sent in {len(status_ids)} envelope(s) ({accepted} "
                f"accepted, {failed} failed, {pending} pending), {skipped} skipped"
                + (f" ({by_rule})" if by_rule else ""),
                outcome=outcome,
            )
    if failed:
        warnings.append(
            f"the peer did not take {failed} object(s) (see its status resources; a version it "
            "holds already counts as a failure on some servers)"
        )
    if pending:
        warnings.append(f"{pending} object(s) were still pending when we stopped following")
    return PushView(
        url=shown_url(api_root),
        collection=collection,
        source=local.title,
        agency=str(owner_code),
        envelopes=len(status_ids),
        candidates=len(rows),
        sent=sent,
        accepted=accepted,
        failed=failed,
        pending=pending,
        skipped=skipped,
        skips=skips,
        skipped_by_rule=rules,
        status_ids=status_ids,
        warnings=warnings,
    )


def _outgoing(row: StoredObject) -> dict[str, Any]:
    """The body as it leaves: properties under a RED or AMBER+STRICT granular marking taken
    out (with their markings), whoever pushes: those never go to another server."""
    return redact(row.body, owner=False, audience=False)


def _count(status: dict[str, Any], key: str) -> int:
    value = status.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0
