"""The TAXII services without HTTP: the re-publication rules on a POST, auditing (one entry
per request), permissions, and that a page never shows or counts a row the reader may not
see."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.config import load_settings
from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.exchange.classify import check_object
from leaktrace.exchange.markings import tlp_marking
from leaktrace.identity.actor import local_operator
from leaktrace.services import taxii
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.exchange_collections import add_collection
from leaktrace.services.taxii_envelopes import add_envelope
from leaktrace.services.taxii_paging import TaxiiFilters
from leaktrace.store.exchange_batches import store_batch
from tests.services.test_leaks import agency_actor, agency_id_of
from tests.web.taxii.world import TIMES, indicator


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(tmp_path / "taxii.db"))) as context:
        yield context


def _collection(ctx: AppContext) -> str:
    for code in ("NL-POL", "DE-BKA"):
        agency_actor(ctx, code)
    return add_collection(
        ctx, local_operator(), "Shared", read=["NL-POL", "DE-BKA"], write=["NL-POL", "DE-BKA"]
    ).id


def test_a_received_amber_object_cannot_be_posted_again_as_green(ctx: AppContext) -> None:
    collection = _collection(ctx)
    nl = agency_actor(ctx, "NL-POL")
    stix_id = f"indicator--{uuid.uuid4()}"
    with ctx.database.transaction() as conn:
        received = [
            check_object(tlp_marking("amber")),
            check_object(indicator(stix_id, TIMES[0], "amber")),
        ]
        store_batch(
            conn,
            collection,
            received,
            owner_agency_id=agency_id_of(conn, "NL-POL"),
            origin="pulled https://peer.example/taxii2/api/ x",
        )
    looser = indicator(stix_id, TIMES[1], "green")
    fine = indicator(f"indicator--{uuid.uuid4()}", TIMES[1], "green")
    status = add_envelope(ctx, nl, collection, {"objects": [tlp_marking("green"), looser, fine]})
    assert [f.id for f in status.failures] == [stix_id]
    assert status.failures[0].message is not None and "AMBER" in status.failures[0].message
    assert sorted(s.id for s in status.successes) == sorted(
        [tlp_marking("green")["id"], fine["id"]]
    )
    versions = taxii.get_versions(ctx, nl, collection, stix_id, TaxiiFilters())
    assert versions.versions == ["2026-01-01T00:00:00.000000Z"]  # the GREEN version was not stored


def test_reads_and_posts_are_audited_once_per_request(ctx: AppContext) -> None:
    collection = _collection(ctx)
    de = agency_actor(ctx, "DE-BKA")
    add_envelope(
        ctx, de, collection, {"objects": [indicator(f"indicator--{uuid.uuid4()}", TIMES[0])]}
    )
    taxii.get_objects(ctx, de, collection, TaxiiFilters(limit="1"))
    taxii.get_manifest(ctx, de, collection, TaxiiFilters())
    actions = [
        e.action for e in list_audit(ctx, local_operator()).items if e.action.startswith("taxii.")
    ]
    assert actions == ["taxii.manifest", "taxii.objects", "taxii.add"]


def test_viewers_may_not_use_taxii(ctx: AppContext) -> None:
    collection = _collection(ctx)
    viewer = agency_actor(ctx, "NL-POL", "viewer")
    with pytest.raises(PermissionDeniedError):
        taxii.get_objects(ctx, viewer, collection, TaxiiFilters())
    with pytest.raises(PermissionDeniedError):
        add_envelope(ctx, viewer, collection, {"objects": []})
    with pytest.raises(PermissionDeniedError):
        taxii.discovery(ctx, viewer)


def test_an_envelope_must_be_an_envelope(ctx: AppContext) -> None:
    collection = _collection(ctx)
    nl = agency_actor(ctx, "NL-POL")
    bads: list[object] = [[], "x", {"objects": "x"}, {"objects": {}}]
    for bad in bads:
        with pytest.raises(InputError):
            add_envelope(ctx, nl, collection, bad)
    assert add_envelope(ctx, nl, collection, {}).total_count == 0


def test_hidden_rows_are_neither_shown_nor_counted(ctx: AppContext) -> None:
    collection = _collection(ctx)
    nl, de = agency_actor(ctx, "NL-POL"), agency_actor(ctx, "DE-BKA")
    red = [indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "red") for _ in range(3)]
    green = indicator(f"indicator--{uuid.uuid4()}", TIMES[0])
    add_envelope(
        ctx, nl, collection, {"objects": [tlp_marking("red"), *red, tlp_marking("green"), green]}
    )
    page = taxii.get_objects(ctx, de, collection, TaxiiFilters(limit="1"))
    assert len(page.objects) == 1 and page.more
    rest = taxii.get_objects(ctx, de, collection, TaxiiFilters(limit="5", next=page.next))
    assert len(rest.objects) == 1 and not rest.more
    shown = {o["id"] for o in [*page.objects, *rest.objects]}
    assert shown == {tlp_marking("green")["id"], green["id"]}
    for hidden in (red[0]["id"], tlp_marking("red")["id"]):
        with pytest.raises(NotFoundError):
            taxii.get_object(ctx, de, collection, hidden, TaxiiFilters())
    assert len(taxii.get_objects(ctx, nl, collection, TaxiiFilters()).objects) == 6
