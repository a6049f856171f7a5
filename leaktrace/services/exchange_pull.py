"""``exchange pull``: a partner's TAXII 2.1 collection into a local collection.

Pages are read from the peer (:class:`~leaktrace.sources.taxii_client.TaxiiClient`: ``next``
followed while the peer says ``more``; ``added_after`` only between runs) starting from the
checkpoint of this (peer API root, peer collection, local collection): the
``X-TAXII-Date-Added-Last`` header of the last page stored (1 µs before it while the peer
says ``more``: see :meth:`~leaktrace.sources.taxii_client.Page.resume_point`), never an
object's ``modified`` (a partner may add an old object late). Each page is checked object by object
(:func:`~leaktrace.exchange.classify.check_object`: a bad one is counted and reported, never
stored) and stored with :func:`store_batch` in ONE transaction with the new checkpoint, so a
crash or a failed page loses nothing and doubles nothing: the next run starts after the
last page committed, and a version stored already is recognised.

Received objects are owned by the receiving agency (``--agency``): that is what lets it see
the RED and AMBER+STRICT objects it received. Without an agency they are owned by nobody,
so those objects are visible to nobody (the local operator excepted): the report says so.
Markings, unknown types and unknown extensions are kept as received.

A run reads at most ``max_pages`` pages (``--max-pages``, :data:`DEFAULT_MAX_PAGES`; the
next run goes on from the checkpoint); a peer sending the same page with the same ``next``
token again ends the run with a :class:`SourceError`. The API root may hold no user name or
password (``--user`` / ``--password-env``); the origin and checkpoint names are built
without credentials or secret query values. Each committed page is audited
(``exchange.pull``, in the page's transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.exchange.markings import tlp_of
from leaktrace.formats.source_errors import SourceError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import collection_for, store_batch
from leaktrace.services.exchange_inbound_views import PullView, Refused
from leaktrace.sources.taxii_client import (
    TaxiiClient,
    normalise_api_root,
    pulled_origin,
    shown_url,
)
from leaktrace.sources.taxii_client import checked_objects as check_page_objects
from leaktrace.store.exchange_collections import CollectionRecord
from leaktrace.store.exchange_receiving import receiving_target
from leaktrace.store.identity import agency_by_code
from leaktrace.store.source_state import load_checkpoint, record_success

__all__ = [
    "DEFAULT_MAX_PAGES",
    "MAX_REFUSALS",
    "PULL_KIND",
    "StoredCounts",
    "checkpoint_name",
    "checked_objects",
    "hidden_count",
    "pull",
    "receiving_agency",
    "receiving_collection",
]

PULL_KIND = "taxii-pull"
DEFAULT_MAX_PAGES = 1000
"""Pages read in one ``exchange pull`` at most (the next pull goes on from the checkpoint)."""
MAX_REFUSALS = 50
HIDING_LEVELS = frozenset({"red", "amber+strict"})


def checkpoint_name(into: str, url: str, collection: str) -> str:
    """The source-state name of a pull's checkpoint (no credentials in it: it is shown)."""
    return f"{PULL_KIND}:{into}:{shown_url(url)}#{collection}"


def receiving_agency(
    conn: Connection, actor: Actor, code: str | None
) -> tuple[int | None, str | None]:
    """(id, code) of the agency ``--agency`` names (default: the actor's own); an agency
    user may act only for its own agency."""
    if code is None:
        return actor.agency_id, actor.agency_code
    record = agency_by_code(conn, code.strip())
    if record is None:
        raise NotFoundError(f"no agency {code!r}", kind="agency", key=code)
    if actor.agency_id is not None and record.id != actor.agency_id:
        raise PermissionDeniedError("you may act only for your own agency")
    return int(record.id), str(record.code)


def receiving_collection(
    conn: Connection, actor: Actor, into: str, owner: int | None, code: str | None
) -> CollectionRecord:
    """The local collection ``into`` as the actor may write it; with a receiving agency,
    that agency must have the read and write rights on it too
    (:func:`~leaktrace.store.exchange_receiving.receiving_target`, the one rule)."""
    local = collection_for(conn, actor, into, need="write")
    if owner is not None:
        receiving_target(conn, code, local.id)
    return local


def checked_objects(
    objects: Sequence[Any], where: str = ""
) -> tuple[list[dict[str, Any]], list[Refused]]:
    """The objects that pass :func:`check_object`, and one :class:`Refused` per other
    (:func:`leaktrace.sources.taxii_client.checked_objects`, as the watch source checks)."""
    good, rejected = check_page_objects(objects, where)
    return good, [Refused(where=r.where, stix_id=r.stix_id, reason=r.reason) for r in rejected]


def hidden_count(objects: Sequence[Mapping[str, Any]]) -> int:
    """How many objects are TLP:RED or AMBER+STRICT (seen only by their owner or audience)."""
    count = 0
    for body in objects:
        refs = body.get("object_marking_refs") or []
        if tlp_of([r for r in refs if isinstance(r, str)]) in HIDING_LEVELS:
            count += 1
    return count


class StoredCounts:
    """Running totals of a transfer into a local collection."""

    def __init__(self) -> None:
        self.received = 0
        self.stored = 0
        self.already = 0
        self.hidden = 0
        self.refusals: list[Refused] = []
        self.refused = 0

    def refuse(self, items: Sequence[Refused]) -> None:
        self.refused += len(items)
        room = MAX_REFUSALS - len(self.refusals)
        if room > 0:
            self.refusals.extend(items[:room])

    def store(
        self,
        conn: Connection,
        collection_id: str,
        objects: Sequence[Mapping[str, Any]],
        *,
        owner: int | None,
        origin: str,
    ) -> None:
        outcomes = store_batch(conn, collection_id, objects, owner_agency_id=owner, origin=origin)
        added = sum(1 for outcome in outcomes if outcome.added)
        self.stored += added
        self.already += len(outcomes) - added
        if owner is None:
            self.hidden += hidden_count(
                [body for body, outcome in zip(objects, outcomes, strict=True) if outcome.added]
            )


def pull(
    ctx: AppContext,
    actor: Actor,
    *,
    url: str,
    collection: str,
    into: str,
    user: str | None = None,
    password: str | None = None,
    agency: str | None = None,
    limit: int | None = None,
    max_pages: int = DEFAULT_MAX_PAGES,
    progress: Callable[[int, int], None] | None = None,
    client: TaxiiClient | None = None,
) -> PullView:
    """Pull the peer collection into ``into`` (see the module docs), at most ``max_pages``
    pages. ``progress(pages, objects)`` is called after each committed page; each committed
    page is audited (``exchange.pull``) in its transaction."""
    actor.require(Permission.write_exchange)
    if limit is not None and limit < 1:
        raise InputError("must be at least 1", field="limit")
    if max_pages < 1:
        raise InputError("must be at least 1", field="max-pages")
    api_root = normalise_api_root(url)
    with ctx.database.reading() as conn:
        owner, owner_code = receiving_agency(conn, actor, agency)
        local = receiving_collection(conn, actor, into, owner, owner_code)
        name = checkpoint_name(local.title, api_root, collection)
        saved = load_checkpoint(conn, name) or {}
    start = saved.get("added_after") if isinstance(saved.get("added_after"), str) else None
    origin = pulled_origin(api_root, collection)
    shown = shown_url(api_root)
    counts = StoredCounts()
    warnings: list[str] = []
    checkpoint = start
    pages = 0
    taxii = client or TaxiiClient(api_root, user=user, password=password, source=name)
    try:
        for page in taxii.pages(collection, added_after=start, limit=limit):
            pages += 1
            last = page.resume_point()
            good, bad = checked_objects(page.objects, f"page {pages}, ")
            counts.received += len(page.objects)
            counts.refuse(bad)
            if page.objects and last is None and not warnings:
                warnings.append(
                    f"{api_root}: the peer sent no X-TAXII-Date-Added-Last header: the "
                    "checkpoint did not move (the next pull reads these objects again and "
                    "recognises them)"
                )
            with ctx.database.transaction() as conn:
                stored_before, already_before = counts.stored, counts.already
                counts.store(conn, local.id, good, owner=owner, origin=origin)
                audit.record(
                    conn,
                    actor,
                    "exchange.pull",
                    f"{shown} {collection} -> {local.title}",
                    f"page {pages}: {len(page.objects)} received, "
                    f"{counts.stored - stored_before} stored, "
                    f"{counts.already - already_before} already present, {len(bad)} refused"
                    + (f"; for {owner_code}" if owner_code else "; owned by no agency"),
                )
                record_success(
                    conn,
                    name,
                    PULL_KIND,
                    checkpoint={"added_after": last} if last is not None else None,
                    items=len(good),
                    quarantined=[],
                    newest=None,
                )
            if last is not None:
                checkpoint = last
            if progress is not None:
                progress(pages, counts.received)
            if pages >= max_pages and page.more:
                warnings.append(
                    f"stopped after {max_pages} page(s) (--max-pages): the peer has more; the "
                    "next pull goes on from the checkpoint"
                )
                break
    except SourceError as exc:
        if pages:
            note = (
                f" ({pages} page(s) before this one were stored; the next pull resumes after them)"
            )
            exc.reason += note
            exc.args = (exc.reason,)
        raise
    finally:
        if client is None:
            taxii.close()
    if owner is None and counts.hidden:
        warnings.append(
            f"{counts.hidden} TLP:RED / AMBER+STRICT object(s) were stored owned by no agency: "
            "no agency can see them (pull with --agency CODE, the receiving agency)"
        )
    return PullView(
        url=shown,
        collection=collection,
        into=local.title,
        agency=owner_code,
        added_after_from=start,
        checkpoint=checkpoint,
        pages=pages,
        received=counts.received,
        stored=counts.stored,
        already_present=counts.already,
        refused=counts.refused,
        refusals=counts.refusals,
        hidden_without_agency=counts.hidden if owner is None else 0,
        warnings=warnings,
    )
