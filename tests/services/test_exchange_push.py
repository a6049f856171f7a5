"""``exchange push`` to a real OASIS medallion (memory back end) on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from leaktrace.errors import InputError, NotFoundError
from leaktrace.exchange.markings import TLP_MARKING_IDS, handling_marking
from leaktrace.formats.source_errors import SourceError
from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_import import import_bundle
from leaktrace.services.exchange_push import envelopes, push
from leaktrace.services.exchange_rules import agency_identity_id
from tests.medallion_server import MedallionServer, start_medallion
from tests.services.inbound_data import H3_TEXT, UNKNOWN_ID, by_name, group, partner_objects
from tests.services.inbound_fixtures import RECEIVER, make_context

USER, PASSWORD = "partner", "partner-secret"
MAX_CONTENT = 6000
BUNDLE_ID = "bundle--11111111-1111-4111-8111-111111111111"


def _with_h2() -> list[dict[str, Any]]:
    objects = partner_objects()
    identity = objects[0]
    h2 = handling_marking("H2", created_by_ref=identity["id"])
    return [
        *objects,
        h2,
        group("H2GRP", [TLP_MARKING_IDS["green"], h2["id"]], identity["id"]),
        # a partner's object claiming to be ours (created_by_ref is the sender's word)
        group("SPOOFED", [TLP_MARKING_IDS["green"], h2["id"]], agency_identity_id(RECEIVER)),
    ]


@pytest.fixture(scope="module")
def medallion() -> Iterator[MedallionServer]:
    with start_medallion(("outbox",), {USER: PASSWORD}, max_content_length=MAX_CONTENT) as m:
        yield m


@pytest.fixture(scope="module")
def ctx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    folder = tmp_path_factory.mktemp("push")
    for context in make_context(folder, ("outgoing",)):
        bundle = folder / "partner.json"
        bundle.write_text(
            json.dumps({"type": "bundle", "id": BUNDLE_ID, "objects": _with_h2()}),
            encoding="utf-8",
        )
        import_bundle(context, local_operator(), bundle, into="outgoing", agency=RECEIVER)
        yield context


def test_push_sends_what_may_leave_in_envelopes_under_the_limit(
    ctx: AppContext, medallion: MedallionServer
) -> None:
    envelopes_done: list[tuple[int, int]] = []
    view = push(
        ctx,
        local_operator(),
        url=medallion.api_root,
        collection=medallion.collection_ids["outbox"],
        source="outgoing",
        user=USER,
        password=PASSWORD,
        agency=RECEIVER,
        progress=lambda done, total: envelopes_done.append((done, total)),
    )
    assert view.envelopes > 1 and envelopes_done[-1] == (view.envelopes, view.envelopes)
    assert view.accepted == view.sent and view.failed == 0 and view.pending == 0
    there = medallion.objects("outbox")
    names = set(by_name(there))
    # RED and AMBER+STRICT never leave; H2 without the owner's permission does not either
    assert names == {"GREENGRP", "AMBERH3", "GRANULAR"}
    skipped = {s.stix_id: s.reason for s in view.skips}
    sent = by_name(_with_h2())
    assert "never pushed" in skipped[sent["REDGRP"]["id"]]
    assert "never pushed" in skipped[sent["STRICTGRP"]["id"]]
    assert "H2" in skipped[sent["H2GRP"]["id"]]
    assert "H2" in skipped[sent["SPOOFED"]["id"]]
    # support: the H2 marking and the RED and AMBER+STRICT TLP definitions (nothing sent
    # needs them)
    assert view.skipped_by_rule == {"red": 1, "amber+strict": 1, "h2": 2, "support": 3}
    # the H2 marking went with nothing, so it stays home; the H3 text travels with AMBERH3
    assert not any('"H2"' in json.dumps(o) for o in there if o["type"] == "marking-definition")
    assert any(H3_TEXT in json.dumps(o) for o in there)
    # extension definitions, unknown types and extensions go as they are
    types = {o["type"] for o in there}
    assert {"extension-definition", "identity", "x-partner-lead"} <= types
    assert any(o["id"] == UNKNOWN_ID for o in there)
    # the RED granular property stays home
    assert "aliases" not in by_name(there)["GRANULAR"]
    assert "granular_markings" not in by_name(there)["GRANULAR"]
    # what was sent fits the peer's envelopes
    assert all(len(json.dumps(o).encode()) < MAX_CONTENT for o in there)
    # one audit entry for the run (review M4)
    entries = list_audit(ctx, local_operator(), action="exchange.push").items
    assert len(entries) == 1 and entries[0].outcome == "ok"
    peer = medallion.collection_ids["outbox"]
    assert entries[0].subject == f"outgoing -> {medallion.api_root} {peer}"
    assert entries[0].detail.startswith(f"as {RECEIVER}: {view.sent} sent in {view.envelopes}")
    assert "(amber+strict 1, h2 2, red 1, support 3)" in entries[0].detail


def test_a_failed_push_is_audited_as_failed_without_the_password(
    ctx: AppContext, medallion: MedallionServer
) -> None:
    with pytest.raises(SourceError, match="HTTP 401"):
        push(
            ctx,
            local_operator(),
            url=medallion.api_root,
            collection=medallion.collection_ids["outbox"],
            source="outgoing",
            user=USER,
            password="wrong-password",
            agency=RECEIVER,
        )
    newest = list_audit(ctx, local_operator(), action="exchange.push").items[0]
    assert newest.outcome == "failed" and "0 sent" in newest.detail
    assert "wrong-password" not in newest.detail + newest.subject


def test_push_needs_an_agency_and_a_readable_collection(
    ctx: AppContext, medallion: MedallionServer
) -> None:
    common: dict[str, Any] = {
        "url": medallion.api_root,
        "collection": medallion.collection_ids["outbox"],
        "user": USER,
        "password": PASSWORD,
    }
    with pytest.raises(InputError, match="--agency") as caught:
        push(ctx, local_operator(), source="outgoing", **common)
    assert caught.value.field == "agency"
    with pytest.raises(NotFoundError):
        push(ctx, local_operator(), source="nothing-here", agency=RECEIVER, **common)


def test_envelopes_pack_in_order_under_the_limit() -> None:
    objects = [{"id": f"x--{i}", "pad": "p" * 100} for i in range(10)]
    packed, too_big = envelopes([*objects, {"id": "big", "pad": "p" * 1000}], 600)
    assert [o for envelope in packed for o in envelope] == objects
    assert too_big == [{"id": "big", "pad": "p" * 1000}]
    assert all(len(json.dumps({"objects": e}).encode()) <= 600 for e in packed)
