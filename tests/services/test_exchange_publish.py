"""Publishing findings as STIX into a collection: the rows each agency sees (need-to-know),
validator-clean objects with their markings and creator, RED narrowed by --to, refusals,
all or nothing, new versions on re-publishing, a case's report, every leak. The
re-publication of received objects: tests/services/test_exchange_republish.py."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import stix2  # type: ignore[import-untyped]
from stix2validator import ValidationOptions, validate_instance  # type: ignore[import-untyped]

from leaktrace.errors import (
    InputError,
    NotFoundError,
    PermissionDeniedError,
    SharingRefusedError,
)
from leaktrace.exchange.facts import AgencyFacts, GroupFacts
from leaktrace.exchange.markings import TLP_MARKING_IDS, handling_marking, tlp_marking
from leaktrace.exchange.stix_objects import identity_of, intrusion_set_of
from leaktrace.identity.actor import local_operator
from leaktrace.services import audit as audit_service
from leaktrace.services import case_items, cases, hosts, leaks
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_access import store_batch
from leaktrace.services.exchange_collections import add_collection
from leaktrace.services.exchange_publish import Marking, PublishRequest, Source, publish
from leaktrace.services.exchange_rules import agency_identity_id
from leaktrace.store.exchange_collections import collection_by_name
from leaktrace.store.exchange_objects import ObjectQuery, StoredObject, find_objects
from leaktrace.store.exchange_visibility import Viewer
from tests.exchange.test_markings import oasis_tlp_errors
from tests.services.demo_world import demo_context
from tests.services.test_exchange_collections import add_agencies
from tests.services.test_leaks import agency_actor

OPTIONS = ValidationOptions(version="2.1")
GROUP = "EMBERS"
COUNTRY = "FR"


def publication_world(tmp_path: Path) -> Iterator[AppContext]:
    """The demo with agencies FR-PN, NL-POL, DE-BKA, ES-PN and the collection Europe (all
    three read it; FR-PN and NL-POL write it)."""
    for context in demo_context(tmp_path):
        add_agencies(context)
        add_collection(
            context,
            local_operator(),
            "Europe",
            read=["FR-PN", "NL-POL", "DE-BKA"],
            write=["FR-PN", "NL-POL"],
        )
        yield context


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[AppContext]:
    yield from publication_world(tmp_path)


def agency_id(ctx: AppContext, code: str) -> int:
    found = agency_actor(ctx, code).agency_id
    assert found is not None
    return found


def rows_for(ctx: AppContext, code: str | None, collection: str = "Europe") -> list[StoredObject]:
    with ctx.database.reading() as conn:
        record = collection_by_name(conn, collection, Viewer(None))
        assert record is not None
        viewer = Viewer(None if code is None else agency_id(ctx, code))
        return find_objects(conn, record.id, viewer, ObjectQuery())


def findings(rows: list[StoredObject]) -> set[str]:
    """Ids of the non-support rows (the findings themselves)."""
    support = {"identity", "marking-definition", "extension-definition"}
    return {row.stix_id for row in rows if row.stix_type not in support}


def assert_clean(body: dict[str, Any]) -> None:
    result = validate_instance(body, OPTIONS)
    assert result.is_valid and not result.errors, [str(e) for e in result.errors]
    if body["type"] == "marking-definition" and body["id"] in TLP_MARKING_IDS.values():
        assert oasis_tlp_errors(body) == []


def request(what: Source, tlp: str = "amber", **more: Any) -> PublishRequest:
    marking = Marking.of(
        tlp,
        more.pop("handling", None),
        more.pop("handling_text", None),
        more.pop("reliability", None),
        more.pop("accuracy", None),
    )
    return PublishRequest(what, more.pop("collection", "Europe"), marking, **more)


def test_group_as_red_to_one_reader(demo: AppContext) -> None:
    view = publish(
        demo,
        local_operator(),
        request(
            Source(group=GROUP),
            "red",
            handling="H3",
            handling_text="no arrests before 1 March",
            reliability="B",
            accuracy=2,
            to=("nl-pol",),
            agency="FR-PN",
        ),
    )
    assert view.agency == "FR-PN" and view.audience == ["NL-POL"] and view.notes == []
    assert view.objects == view.added > 10
    everything = rows_for(demo, None)
    assert {row.stix_id for row in everything} == set(view.stix_ids)
    types = {row.stix_type for row in everything}
    assert {"intrusion-set", "infrastructure", "relationship", "ipv4-addr"} <= types
    assert {"identity", "marking-definition", "extension-definition"} <= types
    by_id = {row.stix_id: row.body for row in everything}
    me = agency_identity_id("FR-PN")
    assert by_id[me]["name"] == "Agency FR-PN"
    handling = next(
        b for b in by_id.values() if b["type"] == "marking-definition" and "SIENA" in b["name"]
    )
    assert handling["created_by_ref"] == me
    related = [b for b in by_id.values() if b.get("relationship_type") == "related-to"]
    assert related, "the group's links travel as related-to"
    for row in everything:
        assert_clean(row.body)
        if row.stix_type in ("intrusion-set", "infrastructure", "relationship"):
            assert row.body["created_by_ref"] == me
            assert row.body["object_marking_refs"] == [TLP_MARKING_IDS["red"], handling["id"]]
            assert row.tlp == "red" and row.handling == "H3"
            published = datetime.fromisoformat(row.body["modified"].replace("Z", "+00:00"))
            assert published == view.published_at  # modified: the publication time, exactly
    # need-to-know: the publisher and the named reader see everything, another reader
    # nothing (not even the support objects), an agency without rights no collection
    assert findings(rows_for(demo, "FR-PN")) == findings(everything)
    assert findings(rows_for(demo, "NL-POL")) == findings(everything)
    assert rows_for(demo, "DE-BKA") == []


@pytest.mark.parametrize(
    ("tlp", "seen_by"),
    [
        ("clear", {"FR-PN", "NL-POL", "DE-BKA"}),
        ("green", {"FR-PN", "NL-POL", "DE-BKA"}),
        ("amber", {"FR-PN", "NL-POL", "DE-BKA"}),
        ("amber+strict", {"FR-PN"}),
        ("red", {"FR-PN"}),
    ],
)
def test_each_level_reaches_exactly_its_readers(
    demo: AppContext, tlp: str, seen_by: set[str]
) -> None:
    view = publish(demo, local_operator(), request(Source(targets=COUNTRY), tlp, agency="FR-PN"))
    mine = findings(rows_for(demo, None))
    assert mine and {row.body["type"] for row in rows_for(demo, None)} >= {"infrastructure"}
    for code in ("FR-PN", "NL-POL", "DE-BKA"):
        assert findings(rows_for(demo, code)) == (mine if code in seen_by else set()), code
    if tlp == "red":
        assert view.notes == ["TLP:RED without --to: visible to the publisher (FR-PN) only"]
    notes = {h.notes for h in hosts.host_list(demo, country=COUNTRY).hosts if h.notes}
    assert notes  # the analysts' free-text notes on these servers stay home
    text = json.dumps([row.body for row in rows_for(demo, None)])
    assert not any(note in text for note in notes)
    for row in rows_for(demo, None):
        assert_clean(row.body)


def test_refusals_add_nothing(demo: AppContext) -> None:
    operator = local_operator()
    with pytest.raises(InputError) as caught:
        publish(
            demo, operator, request(Source(group=GROUP), "amber", to=("NL-POL",), agency="FR-PN")
        )
    assert caught.value.field == "--to"
    add_agencies(demo, ("IT-GDF",))
    with pytest.raises(SharingRefusedError) as refused:
        publish(demo, operator, request(Source(group=GROUP), "red", to=("IT-GDF",), agency="FR-PN"))
    assert refused.value.rule == "red" and "IT-GDF" in str(refused.value)
    with pytest.raises(PermissionDeniedError) as denied:
        publish(demo, operator, request(Source(group=GROUP), agency="DE-BKA"))
    assert "DE-BKA may not write" in str(denied.value)
    with pytest.raises(InputError) as no_agency:
        publish(demo, operator, request(Source(group=GROUP)))
    assert no_agency.value.field == "--agency"
    with pytest.raises(InputError):
        publish(demo, operator, request(Source(group=GROUP, targets="FR"), agency="FR-PN"))
    with pytest.raises(InputError):
        publish(demo, operator, request(Source(group=GROUP), "purple", agency="FR-PN"))
    with pytest.raises(NotFoundError):
        publish(demo, operator, request(Source(group="NO-SUCH-GROUP"), agency="FR-PN"))
    assert rows_for(demo, None) == []


@pytest.mark.parametrize(
    ("arguments", "option"),
    [
        (("purple",), "--tlp"),
        (("amber", "H9"), "--handling"),
        (("amber", "H3"), "--handling-text"),
        (("amber", "H1", "not for court"), "--handling-text"),
        (("amber", "H3", "x" * 5000), "--handling-text"),
        (("amber", "H0", None, "Q"), "--source"),
        (("amber", "H0", None, "A", 7), "--accuracy"),
        (("amber", None, "a text"), "--handling"),
    ],
)
def test_marking_errors_name_the_option_to_fix(arguments: tuple[Any, ...], option: str) -> None:
    with pytest.raises(InputError) as caught:
        Marking.of(*arguments)
    assert caught.value.field == option, str(caught.value)
    assert str(caught.value).startswith(f"field '{option}': ")


def test_source_errors_name_the_options_to_fix(demo: AppContext) -> None:
    operator = local_operator()
    wrong = {
        Source(group=GROUP, targets="FR"): "--group, --targets",
        Source(): "--case, --group, --targets, --all-leaks, --object",
        Source(collection="Europe"): "--collection",
        Source(targets="XYZ"): "--targets",
        Source(group=GROUP, from_collection="Europe"): "--from",
    }
    for source, option in wrong.items():
        with pytest.raises(InputError) as caught:
            publish(demo, operator, request(source, agency="FR-PN"))
        assert caught.value.field == option, (source, str(caught.value))
    assert rows_for(demo, None) == []


def test_users_publish_only_as_their_agency_and_with_write_exchange(demo: AppContext) -> None:
    nl = agency_actor(demo, "NL-POL")
    with pytest.raises(PermissionDeniedError):
        publish(demo, nl, request(Source(targets=COUNTRY), agency="FR-PN"))
    with pytest.raises(PermissionDeniedError):
        publish(demo, agency_actor(demo, "NL-POL", "viewer"), request(Source(targets=COUNTRY)))
    view = publish(demo, nl, request(Source(targets=COUNTRY), agency="NL-POL"))
    assert view.agency == "NL-POL"
    with pytest.raises(PermissionDeniedError):  # DE-BKA reads the collection, may not write
        publish(demo, agency_actor(demo, "DE-BKA"), request(Source(targets=COUNTRY)))
    es = agency_actor(demo, "ES-PN")
    with pytest.raises(NotFoundError):  # no rights: the collection does not exist for it
        publish(demo, es, request(Source(targets=COUNTRY), agency="ES-PN"))


def test_all_or_nothing_when_a_step_fails_midway(
    demo: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_service, "record", broken)
    with pytest.raises(RuntimeError):
        publish(demo, local_operator(), request(Source(group=GROUP), agency="FR-PN"))
    assert rows_for(demo, None) == []


def test_republishing_makes_new_versions_of_the_same_ids(demo: AppContext) -> None:
    first = publish(demo, local_operator(), request(Source(targets=COUNTRY), agency="FR-PN"))
    second = publish(demo, local_operator(), request(Source(targets=COUNTRY), agency="FR-PN"))
    assert first.stix_ids == second.stix_ids
    with demo.database.reading() as conn:
        record = collection_by_name(conn, "Europe", Viewer(None))
        assert record is not None
        every = find_objects(conn, record.id, Viewer(None), ObjectQuery(versions=("all",)))
    infra = [row for row in every if row.stix_type == "infrastructure"]
    ids = {row.stix_id for row in infra}
    assert len(infra) == 2 * len(ids)
    last = [row for row in rows_for(demo, None) if row.stix_type == "infrastructure"]
    assert {row.version for row in last} == {
        max(row.version for row in infra if row.stix_id == stix_id) for stix_id in ids
    }
    audited = list_audit(demo, local_operator(), action="exchange.publish").items
    assert len(audited) == 2 and "as FR-PN" in audited[0].detail


def test_all_leaks_publishes_one_sighting_per_leak(demo: AppContext) -> None:
    total = leaks.list_leaks(demo, local_operator(), leaks.LeakQuery(with_total=True)).total
    publish(demo, local_operator(), request(Source(all_leaks=True), "green", agency="FR-PN"))
    sightings = [row for row in rows_for(demo, "DE-BKA") if row.stix_type == "sighting"]
    assert total and len(sightings) == total
    assert all(row.body["where_sighted_refs"] == [agency_identity_id("FR-PN")] for row in sightings)
    sample = sightings[:40]
    for row in sample:
        assert_clean(row.body)


def test_case_becomes_a_report_of_its_findings_by_its_owner(demo: AppContext) -> None:
    operator = local_operator()
    case = cases.open_case(demo, operator, "Operation Ember", agency="FR-PN").id
    leak = leaks.list_leaks(demo, operator, leaks.LeakQuery(group=GROUP, limit=1)).items[0]
    case_items.add_items(
        demo,
        operator,
        case,
        [
            case_items.AddRequest("group", GROUP),
            case_items.AddRequest("leak", str(leak.id)),
            case_items.AddRequest("supply-rank"),
            case_items.AddRequest("impact"),
        ],
        reason="test",
    )
    view = publish(demo, operator, request(Source(case=case), "amber", handling="H1"))
    assert view.agency == "FR-PN"
    assert "1 impact item(s) not shared (no STIX form)" in view.notes
    rows = rows_for(demo, "NL-POL")
    report = next(row.body for row in rows if row.stix_type == "report")
    assert report["name"] == f"Case {case}: Operation Ember"
    present = {row.stix_id for row in rows}
    assert set(report["object_refs"]) <= present
    kinds = {ref.split("--")[0] for ref in report["object_refs"]}
    assert {"intrusion-set", "sighting"} <= kinds
    # the supply ranking's likeliest account (personal data): a note on the group, audited
    notes = [row.body for row in rows if row.stix_type == "note"]
    assert len(notes) == 1 and "Cobalt Lane Media" in notes[0]["abstract"]
    group = next(
        row.stix_id
        for row in rows
        if row.stix_type == "intrusion-set" and row.body["name"] == GROUP
    )
    assert group in notes[0]["object_refs"]
    assert list_audit(demo, operator, action="exchange.publish.personal").items
    for row in rows:
        assert_clean(row.body)


# --- received objects (re-publication: tests/services/test_exchange_republish.py) -----------


PARTNER = AgencyFacts("BE-FCCU", "Federal Computer Crime Unit", "BE", "police")
WHEN = datetime(2025, 3, 1, tzinfo=UTC)


def receive(
    ctx: AppContext, code: str, level: str, handling: str | None = None, collection: str = "Inbox"
) -> str:
    """A partner's intrusion-set received by ``code`` (pulled) under ``level``: its id."""
    partner = identity_of(PARTNER)
    markings: list[dict[str, Any]] = [tlp_marking(level)]
    if handling:
        markings.append(handling_marking(handling, created_by_ref=partner.id))
    group = intrusion_set_of(
        GroupFacts("GECKOS", WHEN, WHEN), partner.id, [m["id"] for m in markings]
    )
    bodies = [*markings, json.loads(partner.serialize()), json.loads(group.serialize())]
    owner = agency_id(ctx, code)
    with ctx.database.reading() as conn:
        exists = collection_by_name(conn, collection, Viewer(None)) is not None
    if not exists:
        add_collection(ctx, local_operator(), collection, read=[code], write=[code])
    with ctx.database.transaction() as conn:
        record = collection_by_name(conn, collection, Viewer(None))
        assert record is not None
        store_batch(
            conn,
            record.id,
            bodies,
            owner_agency_id=owner,
            origin="pulled:https://partner.example/taxii2/api/",
        )
    return str(group.id)


def test_publication_is_parseable_by_stix2(demo: AppContext) -> None:
    publish(demo, local_operator(), request(Source(targets=COUNTRY), agency="FR-PN"))
    bundle = stix2.v21.Bundle(objects=[r.body for r in rows_for(demo, None)], allow_custom=True)
    parsed = stix2.parse(bundle.serialize(), allow_custom=True)
    assert len(parsed.objects) == len(rows_for(demo, None))


def test_a_cases_shared_stix_items_are_not_passed_on(demo: AppContext) -> None:
    operator = local_operator()
    received = receive(demo, "FR-PN", "amber+strict")
    case = cases.open_case(demo, operator, "Operation Gecko", agency="FR-PN").id
    case_items.add_items(
        demo,
        operator,
        case,
        [
            case_items.AddRequest("stix", f"{received} Inbox"),
            case_items.AddRequest("targets", COUNTRY),
        ],
        reason="test",
    )
    view = publish(demo, operator, request(Source(case=case), "green"))
    assert received not in view.stix_ids
    assert received not in {row.stix_id for row in rows_for(demo, None)}
    assert any("not re-published" in note for note in view.notes)
    report = next(r.body for r in rows_for(demo, "DE-BKA") if r.stix_type == "report")
    assert received not in report["object_refs"]
