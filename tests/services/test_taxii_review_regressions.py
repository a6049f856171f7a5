"""Regressions of the need-to-know review of issue 12, through the TAXII services: each test
is one way a hidden object once showed itself, and asserts it no longer does."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leaktrace.config import load_settings
from leaktrace.errors import NotFoundError
from leaktrace.exchange.classify import check_object
from leaktrace.exchange.markings import TLP_MARKING_IDS, handling_marking, tlp_marking
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services import taxii
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.exchange_collections import add_collection
from leaktrace.services.exchange_rules import agency_identity_id
from leaktrace.services.taxii_envelopes import add_envelope
from leaktrace.services.taxii_paging import TaxiiFilters
from leaktrace.services.taxii_views import StatusView
from leaktrace.store.exchange_batches import store_batch
from tests.services.test_leaks import agency_actor, agency_id_of
from tests.web.taxii.world import TIMES, indicator

AGENCIES = ("NL-POL", "DE-BKA", "FR-GN")
NL_IDENTITY = agency_identity_id("NL-POL")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(tmp_path / "review.db"))) as context:
        for code in AGENCIES:
            agency_actor(context, code)
        add_collection(
            context, local_operator(), "Alpha", read=list(AGENCIES), write=["NL-POL", "DE-BKA"]
        )
        add_collection(context, local_operator(), "Beta", read=list(AGENCIES), write=["NL-POL"])
        yield context


def _id(ctx: AppContext, name: str) -> str:
    with ctx.database.reading() as conn:
        from leaktrace.store.exchange_collections import collection_by_name
        from leaktrace.store.exchange_visibility import Viewer

        record = collection_by_name(conn, name, Viewer(None))
        assert record is not None
        return record.id


def _publish(ctx: AppContext, collection: str, objects: list[dict[str, Any]]) -> None:
    """NL-POL's own objects, as `exchange publish` stores them (no audience: RED stays NL's)."""
    with ctx.database.transaction() as conn:
        store_batch(
            conn,
            _id(ctx, collection),
            [check_object(o) for o in objects],
            owner_agency_id=agency_id_of(conn, "NL-POL"),
            origin="published",
        )


def _seen(ctx: AppContext, actor: Actor, collection: str) -> list[dict[str, Any]]:
    filters = TaxiiFilters(limit="1000", match_version="all")
    return list(taxii.get_objects(ctx, actor, _id(ctx, collection), filters).objects)


def _post(ctx: AppContext, actor: Actor, objects: list[dict[str, Any]]) -> StatusView:
    return add_envelope(ctx, actor, _id(ctx, "Alpha"), {"objects": objects})


def _shape(status: StatusView, stix_id: str) -> str:
    """The status as the sender reads it, with the probed id and request times taken out."""
    data = status.model_dump(mode="json", exclude={"id", "request_timestamp"})
    return json.dumps(data, sort_keys=True).replace(stix_id, "ID")


def test_posting_a_version_hidden_from_the_sender_answers_as_for_a_new_object(
    ctx: AppContext,
) -> None:
    hidden = f"indicator--{uuid.uuid4()}"
    address = {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": f"ipv4-addr--{uuid.uuid4()}",
        "value": "198.51.100.7",
        "object_marking_refs": [TLP_MARKING_IDS["red"]],
    }
    _publish(ctx, "Alpha", [tlp_marking("red"), indicator(hidden, TIMES[0], "red"), address])
    de = agency_actor(ctx, "DE-BKA")
    with pytest.raises(NotFoundError):
        taxii.get_object(ctx, de, _id(ctx, "Alpha"), hidden, TaxiiFilters())
    fresh = f"indicator--{uuid.uuid4()}"
    probe = _post(ctx, de, [indicator(hidden, TIMES[0], "green")])
    control = _post(ctx, de, [indicator(fresh, TIMES[0], "green")])
    assert _shape(probe, hidden) == _shape(control, fresh)
    # the sender's own copy was stored: it reads what it sent
    (mine,) = taxii.get_object(ctx, de, _id(ctx, "Alpha"), hidden, TaxiiFilters()).objects
    assert mine["object_marking_refs"] == [TLP_MARKING_IDS["green"]]
    # an observable with the content of a hidden one: stored for the sender, no "already"
    twin = _post(ctx, de, [dict(address)])
    assert twin.success_count == 1 and not twin.successes[0].message
    # the owner, who may see both versions, is served one of them (the first added)
    nl = agency_actor(ctx, "NL-POL")
    versions = [o for o in _seen(ctx, nl, "Alpha") if o["id"] == hidden]
    assert len(versions) == 1 and versions[0]["object_marking_refs"] == [TLP_MARKING_IDS["red"]]


def test_a_granular_marking_under_a_partners_own_red_definition_hides_its_property(
    ctx: AppContext,
) -> None:
    red_definition = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": TIMES[0],
        "definition_type": "tlp",
        "definition": {"tlp": "red"},
    }
    unknown = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": TIMES[0],
        "extensions": {f"extension-definition--{uuid.uuid4()}": {"level": "secret"}},
    }
    stix_id = f"indicator--{uuid.uuid4()}"
    shared = indicator(
        stix_id,
        TIMES[0],
        "green",
        description="uploader account: secret-uploader-42",
        labels=["kept from the unknown marking"],
        granular_markings=[
            {"marking_ref": red_definition["id"], "selectors": ["description"]},
            {"marking_ref": unknown["id"], "selectors": ["labels"]},
        ],
    )
    _publish(ctx, "Alpha", [tlp_marking("green"), red_definition, unknown, shared])
    (seen,) = [o for o in _seen(ctx, agency_actor(ctx, "FR-GN"), "Alpha") if o["id"] == stix_id]
    assert "description" not in seen and "labels" not in seen
    assert "granular_markings" not in seen
    # neither definition is served to FR-GN: needing them would tell the properties existed
    ids = {o["id"] for o in _seen(ctx, agency_actor(ctx, "FR-GN"), "Alpha")}
    assert red_definition["id"] not in ids and unknown["id"] not in ids
    (own,) = [o for o in _seen(ctx, agency_actor(ctx, "NL-POL"), "Alpha") if o["id"] == stix_id]
    assert own["description"] and own["labels"]


def test_another_agency_cannot_redefine_a_marking_the_owner_received(ctx: AppContext) -> None:
    marking = f"marking-definition--{uuid.uuid4()}"
    red_definition = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": marking,
        "created": TIMES[0],
        "definition_type": "tlp",
        "definition": {"tlp": "red"},
    }
    _publish(ctx, "Alpha", [tlp_marking("green"), red_definition])
    harmless = {
        **red_definition,
        "created": TIMES[2],
        "definition_type": "statement",
        "definition": {"statement": "nothing to see"},
    }
    assert _post(ctx, agency_actor(ctx, "DE-BKA"), [harmless]).success_count == 1
    # the next page of NL's pull refers to the marking without sending it again
    secret = indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "green")
    secret["object_marking_refs"] = [marking]
    _publish(ctx, "Alpha", [secret])
    fr = {o["id"] for o in _seen(ctx, agency_actor(ctx, "FR-GN"), "Alpha")}
    assert secret["id"] not in fr


def test_a_planted_need_does_not_unlock_another_agencys_support_rows(ctx: AppContext) -> None:
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": NL_IDENTITY,
        "created": TIMES[0],
        "modified": TIMES[0],
        "name": "NL-POL undercover unit 7",
        "identity_class": "organization",
    }
    h3 = handling_marking("H3", "source inside FR-GN", created_by_ref=NL_IDENTITY)
    red = indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "red", created_by_ref=NL_IDENTITY)
    red["object_marking_refs"] = [TLP_MARKING_IDS["red"], h3["id"]]
    _publish(ctx, "Alpha", [tlp_marking("red"), identity, h3, red])
    plant = indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "green", created_by_ref=NL_IDENTITY)
    guessed = indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "green")
    guessed["object_marking_refs"] = [TLP_MARKING_IDS["green"], h3["id"]]
    status = _post(ctx, agency_actor(ctx, "DE-BKA"), [tlp_marking("green"), plant, guessed])
    assert status.success_count == 3
    fr = {o["id"] for o in _seen(ctx, agency_actor(ctx, "FR-GN"), "Alpha")}
    assert plant["id"] in fr
    # a marking DE never sent (NL's H3, guessed) is one it cannot vouch for: fail closed
    assert guessed["id"] not in fr
    assert NL_IDENTITY not in fr and h3["id"] not in fr


def test_definitions_sent_in_an_earlier_batch_stay_support_rows(ctx: AppContext) -> None:
    identity = {
        "type": "identity",
        "spec_version": "2.1",
        "id": NL_IDENTITY,
        "created": TIMES[0],
        "modified": TIMES[0],
        "name": "NL-POL undercover unit 7",
        "identity_class": "organization",
    }
    h3 = handling_marking("H3", "informant inside FR-GN", created_by_ref=NL_IDENTITY)
    red = indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "red", created_by_ref=NL_IDENTITY)
    red["object_marking_refs"] = [TLP_MARKING_IDS["red"], h3["id"]]
    _publish(ctx, "Beta", [tlp_marking("red"), h3, identity])  # page 1: the definitions
    _publish(ctx, "Beta", [red])  # page 2: what needs them
    assert _seen(ctx, agency_actor(ctx, "FR-GN"), "Beta") == []
    assert {o["id"] for o in _seen(ctx, agency_actor(ctx, "NL-POL"), "Beta")} == {
        TLP_MARKING_IDS["red"],
        h3["id"],
        NL_IDENTITY,
        red["id"],
    }


def test_dates_and_next_tokens_do_not_count_hidden_rows(ctx: AppContext) -> None:
    objects = [
        indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "red" if i % 2 else "green")
        for i in range(6)
    ]
    _publish(ctx, "Alpha", [tlp_marking("green"), tlp_marking("red"), *objects])
    fr = agency_actor(ctx, "FR-GN")
    seen = _seen(ctx, fr, "Alpha")
    manifest = taxii.get_manifest(ctx, fr, _id(ctx, "Alpha"), TaxiiFilters(limit="1000"))
    assert len({record.date_added for record in manifest.objects}) == 1  # one per batch
    page = taxii.get_objects(ctx, fr, _id(ctx, "Alpha"), TaxiiFilters(limit="1"))
    assert page.next is not None
    shown = {o["id"] for o in seen}
    from leaktrace.services.taxii_paging import read_next

    position = read_next(page.next)
    assert position is not None and position[1] in shown  # the key of a row it was shown


def test_bad_objects_are_failures_not_server_errors(ctx: AppContext) -> None:
    de = agency_actor(ctx, "DE-BKA")
    deep: Any = "bottom"
    for _ in range(200):
        deep = [deep]
    cases = [
        indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "green", description="\ud800"),
        indicator(
            f"indicator--{uuid.uuid4()}",
            TIMES[0],
            "green",
            granular_markings=[{"marking_ref": 5, "selectors": ["name"]}],
        ),
        indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "green", created_by_ref="identity--x"),
        indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "green", x_deep=deep),
    ]
    status = _post(ctx, de, cases)
    assert status.failure_count == len(cases) and status.success_count == 0
    # the collection still reads for everyone
    assert _seen(ctx, agency_actor(ctx, "FR-GN"), "Alpha") == []


def test_only_an_objects_holder_makes_new_versions_of_it_in_a_collection(ctx: AppContext) -> None:
    """Another agency cannot post a new version of an object it sees NL-POL hold (readers'
    `last` would become its text under NL-POL's id); a copy of the same version is no new
    version; an object it may not see is no answer (its own copy is stored, as for a new
    id)."""
    shared = indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "green")
    hidden = indicator(f"indicator--{uuid.uuid4()}", TIMES[0], "red")
    _publish(ctx, "Alpha", [tlp_marking("green"), tlp_marking("red"), shared, hidden])
    de = agency_actor(ctx, "DE-BKA")
    takeover = dict(shared, modified=TIMES[2], name="rewritten by another agency")
    refused = _post(ctx, de, [takeover])
    assert refused.success_count == 0 and "only its creator" in refused.failures[0].message
    assert _post(ctx, de, [dict(shared)]).success_count == 1  # the same version: no change
    fresh = indicator(f"indicator--{uuid.uuid4()}", TIMES[2], "green")
    probe = _post(
        ctx, de, [dict(hidden, modified=TIMES[2], object_marking_refs=fresh["object_marking_refs"])]
    )
    control = _post(ctx, de, [fresh])
    assert _shape(probe, hidden["id"]) == _shape(control, fresh["id"])
    fr = agency_actor(ctx, "FR-GN")
    (last,) = taxii.get_object(ctx, fr, _id(ctx, "Alpha"), shared["id"], TaxiiFilters()).objects
    assert last["name"] == shared["name"]
