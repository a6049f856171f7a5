"""Shared STIX objects as case evidence (issue 12): frozen as the agency sees them, with
provenance and markings; H1 items marked "not for use in judicial proceedings without the
provider's permission" and H2 items "not to be passed on without permission" in the case,
its log and every export; never added to a case a member agency may not see them in."""

from __future__ import annotations

import json
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaktrace.config import load_settings
from leaktrace.errors import InputError, NotFoundError, SharingRefusedError
from leaktrace.exchange.classify import check_object
from leaktrace.exchange.markings import TLP_MARKING_IDS, tlp_marking
from leaktrace.services import case_export, case_items, cases, exchange_browse
from leaktrace.services.case_shared import BODY_DIGEST, frozen_body_digest
from leaktrace.services.case_views import STIX_RESTRICTIONS
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.evidence import verify_bundle_file
from leaktrace.store import cases as case_store
from leaktrace.store.exchange_batches import store_batch
from leaktrace.store.schema_cases import CASE_ITEMS
from tests.services.exchange_world import H3_TEXT, HOSTILE_NAME, ExchangeWorld, exchange_world
from tests.services.test_leaks import agency_actor

H1 = "H1 — not for use in judicial proceedings without the provider's permission"
H2 = "H2 — not to be passed on without permission"


@pytest.fixture
def world(tmp_path: Path) -> Iterator[tuple[AppContext, ExchangeWorld]]:
    with build_context(load_settings(db=str(tmp_path / "stix-case.db"))) as context:
        yield context, exchange_world(context)


def _items(ctx: AppContext) -> int:
    with ctx.database.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(CASE_ITEMS)).scalar_one())


def test_h1_and_h2_objects_are_marked_in_the_case_and_its_export(
    world: tuple[AppContext, ExchangeWorld], tmp_path: Path
) -> None:
    ctx, w = world
    nl, de = agency_actor(ctx, "NL-POL"), agency_actor(ctx, "DE-BKA")
    case_id = cases.open_case(ctx, nl, "Operation Amber").id
    cases.add_member(ctx, nl, case_id, "DE-BKA", "member")
    assert STIX_RESTRICTIONS["H1"] == H1 and STIX_RESTRICTIONS["H2"] == H2
    amber = case_items.add_finding(
        ctx, de, case_id, "stix", f"{w.ids['amber']} Partners", reason="the crew's profile"
    )
    quiet = case_items.add_finding(ctx, de, case_id, "stix", f"{w.ids['h2']} partners")
    hostile = case_items.add_finding(ctx, nl, case_id, "stix", f"{w.ids['hostile']} {w.partners}")
    assert amber.kind == "stix" and amber.reference == f"{w.ids['amber']} {w.partners}"
    assert amber.label.startswith(f"[{H1}] intrusion-set Amber Crew (TLP:AMBER, H1)")
    assert (amber.restriction, quiet.restriction) == (H1, H2)
    assert hostile.restriction == STIX_RESTRICTIONS["H3"]
    _, content = case_items.item_content(ctx, de, case_id, amber.id)
    frozen = json.loads(content)
    assert frozen["kind"] == "stix"
    view = frozen["view"]
    assert view["object"]["id"] == w.ids["amber"] and view["object"]["name"] == "Amber Crew"
    assert view["object"]["modified"].startswith("2026-06-01")  # the latest visible version
    assert (view["collection_title"], view["owner_agency"], view["origin"]) == (
        "Partners",
        "NL-POL",
        "published",
    )
    assert (view["tlp"], view["handling"], view["handling_notice"]) == ("amber", "H1", H1)
    _, hostile_content = case_items.item_content(ctx, nl, case_id, hostile.id)
    assert json.loads(hostile_content)["view"]["handling_text"] == H3_TEXT

    shown = cases.show_case(ctx, de, case_id)
    assert [i.restriction for i in shown.evidence] == [H1, H2, STIX_RESTRICTIONS["H3"]]

    out = tmp_path / "case.zip"
    case_export.export_case(ctx, nl, case_id, out)
    assert verify_bundle_file(out).ok
    with zipfile.ZipFile(out) as archive:
        index = archive.read("index.html").decode()
        entries = [json.loads(line) for line in archive.read("entries.jsonl").splitlines()]
    # the signed log: each item.added entry carries the object's provenance and markings
    added = [e["data"] for e in entries if e["event"] == "item.added"]
    assert [d["markings"]["restriction"] for d in added] == [H1, H2, STIX_RESTRICTIONS["H3"]]
    assert added[0]["markings"]["collection"] == w.partners
    assert added[0]["markings"]["owner_agency"] == "NL-POL"
    assert added[2]["markings"]["handling_text"] == H3_TEXT
    # the page for a judge: a banner and a mark on each item, partner text escaped
    h1_html = H1.replace("'", "&#39;")
    assert index.count(h1_html) >= 2 and index.count(H2) >= 2
    assert 'id="handling-restrictions"' in index
    assert "<script>alert" not in index and "&lt;script&gt;alert" in index


def test_a_case_member_that_may_not_see_the_object_blocks_it(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    ctx, w = world
    nl, de = agency_actor(ctx, "NL-POL"), agency_actor(ctx, "DE-BKA")
    red = f"{w.ids['red']} Partners"
    # NL-POL (owner) and DE-BKA (named for RED): fine
    ok_case = cases.open_case(ctx, nl, "Red, need to know").id
    cases.add_member(ctx, nl, ok_case, "DE-BKA", "member")
    item = case_items.add_finding(ctx, de, ok_case, "stix", red)
    assert item.label == "intrusion-set Red Crew (TLP:RED) from Partners"
    # FR-GN reads Partners but is not named for RED; NO-NONE has no rights on Partners
    for outsider in ("FR-GN", "NO-NONE"):
        case_id = cases.open_case(ctx, nl, f"With {outsider}").id
        cases.add_member(ctx, nl, case_id, outsider, "observer")
        before = _items(ctx)
        with pytest.raises(SharingRefusedError) as refused:
            case_items.add_finding(ctx, nl, case_id, "stix", red)
        assert refused.value.rule == "case-members" and outsider in str(refused.value)
        assert _items(ctx) == before  # nothing written
    # AMBER is for every reader of the collection, not for an agency without rights
    nobody = cases.open_case(ctx, nl, "With an agency outside the collection").id
    cases.add_member(ctx, nl, nobody, "NO-NONE", "member")
    with pytest.raises(SharingRefusedError):
        case_items.add_finding(ctx, nl, nobody, "stix", f"{w.ids['amber']} Partners")
    with ctx.database.reading() as conn:
        assert case_store.items_of(conn, nobody) == []


def test_an_object_the_agency_may_not_see_does_not_exist_for_it(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    ctx, w = world
    fr = agency_actor(ctx, "FR-GN")
    case_id = cases.open_case(ctx, fr, "French case").id
    red = w.ids["red"]
    fake = red[:-4] + "ffff"
    messages = []
    for stix_id in (red, fake):
        with pytest.raises(NotFoundError) as missing:
            case_items.add_finding(ctx, fr, case_id, "stix", f"{stix_id} Partners")
        messages.append(str(missing.value).replace(stix_id, "ID"))
    assert messages[0] == messages[1]
    with pytest.raises(NotFoundError) as hidden_collection:
        case_items.add_finding(ctx, fr, case_id, "stix", f"{w.ids['secret']} Secret")
    assert hidden_collection.value.kind == "collection"
    for bad in (w.ids["amber"], "Partners", f"not-an-id {w.partners}"):
        with pytest.raises(InputError):
            case_items.add_finding(ctx, fr, case_id, "stix", bad)
    assert HOSTILE_NAME  # (the hostile object is addable by FR-GN: GREEN)
    item = case_items.add_finding(ctx, fr, case_id, "stix", f"{w.ids['hostile']} partners")
    assert HOSTILE_NAME in item.label


def test_an_agency_that_may_not_see_a_shared_item_cannot_join_the_case(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    ctx, w = world
    nl = agency_actor(ctx, "NL-POL")
    case_id = cases.open_case(ctx, nl, "Red evidence first").id
    case_items.add_finding(ctx, nl, case_id, "stix", f"{w.ids['red']} Partners")
    # FR-GN reads the collection but was not named for the RED object: it may not join
    with pytest.raises(SharingRefusedError) as refused:
        cases.add_member(ctx, nl, case_id, "FR-GN", "observer")
    assert refused.value.rule == "case-members" and "FR-GN" in str(refused.value)
    # DE-BKA was named (--to): it joins
    assert cases.add_member(ctx, nl, case_id, "DE-BKA", "member").agency == "DE-BKA"
    with ctx.database.reading() as conn:
        assert {m.agency for m in case_store.members_of(conn, case_id)} == {"NL-POL", "DE-BKA"}


SECRET_PROPERTY = "uploader account: secret-uploader-42"


def _granular_red(ctx: AppContext, w: ExchangeWorld) -> str:
    """A GREEN intrusion set owned by NL-POL in Partners whose description is under a
    granular TLP:RED marking for DE-BKA only (FR-GN sees the object, not the description)."""
    stix_id = f"intrusion-set--{uuid.uuid4()}"
    body = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": stix_id,
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        "name": "Granular Crew",
        "description": SECRET_PROPERTY,
        "object_marking_refs": [TLP_MARKING_IDS["green"]],
        "granular_markings": [
            {"marking_ref": TLP_MARKING_IDS["red"], "selectors": ["description"]}
        ],
    }
    objects = [check_object(tlp_marking("green")), check_object(tlp_marking("red"))]
    with ctx.database.transaction() as conn:
        store_batch(
            conn,
            w.partners,
            [*objects, check_object(body)],
            owner_agency_id=w.agencies["NL-POL"],
            origin="published",
            audience=[w.agencies["DE-BKA"]],
        )
    return stix_id


def _description(ctx: AppContext, code: str, w: ExchangeWorld, stix_id: str) -> object:
    detail = exchange_browse.object_detail(ctx, agency_actor(ctx, code), w.partners, stix_id)
    return detail.body.get("description")


def test_a_member_that_would_read_a_hidden_property_blocks_the_object(
    world: tuple[AppContext, ExchangeWorld],
) -> None:
    """The security review's case: FR-GN sees the object but not its RED property, so the
    owner's frozen view (property included) may not go into a case FR-GN reads."""
    ctx, w = world
    stix_id = _granular_red(ctx, w)
    assert _description(ctx, "NL-POL", w, stix_id) == SECRET_PROPERTY
    assert _description(ctx, "DE-BKA", w, stix_id) == SECRET_PROPERTY
    assert _description(ctx, "FR-GN", w, stix_id) is None  # the row is visible, not the property
    nl = agency_actor(ctx, "NL-POL")
    case_id = cases.open_case(ctx, nl, "Op Granular").id
    cases.add_member(ctx, nl, case_id, "FR-GN", "member")
    before = _items(ctx)
    with pytest.raises(SharingRefusedError) as refused:
        case_items.add_finding(ctx, nl, case_id, "stix", f"{stix_id} Partners")
    assert refused.value.rule == "case-members" and refused.value.stix_id == stix_id
    assert "FR-GN" in str(refused.value) and "NL-POL" not in str(refused.value)
    assert _items(ctx) == before  # nothing written
    with ctx.database.reading() as conn:
        assert case_store.items_of(conn, case_id) == []
    # fail closed, both ways: FR-GN's own view (no description) differs from the body NL-POL
    # sees, so FR-GN may not freeze it into this case either
    fr = agency_actor(ctx, "FR-GN")
    with pytest.raises(SharingRefusedError) as partial:
        case_items.add_finding(ctx, fr, case_id, "stix", f"{stix_id} Partners")
    assert "NL-POL" in str(partial.value) and _items(ctx) == before
    # the same object frozen with the property is fine when every member may read it
    ok_case = cases.open_case(ctx, nl, "Op Granular, need to know").id
    cases.add_member(ctx, nl, ok_case, "DE-BKA", "member")
    held = case_items.add_finding(ctx, nl, ok_case, "stix", f"{stix_id} Partners")
    _, held_content = case_items.item_content(ctx, nl, ok_case, held.id)
    assert json.loads(held_content)["view"]["object"]["description"] == SECRET_PROPERTY


def test_an_agency_that_would_read_a_hidden_property_cannot_join_the_case(
    world: tuple[AppContext, ExchangeWorld], tmp_path: Path
) -> None:
    ctx, w = world
    stix_id = _granular_red(ctx, w)
    nl = agency_actor(ctx, "NL-POL")
    case_id = cases.open_case(ctx, nl, "Granular evidence first").id
    cases.add_member(ctx, nl, case_id, "DE-BKA", "member")
    item = case_items.add_finding(ctx, nl, case_id, "stix", f"{stix_id} Partners")
    with pytest.raises(SharingRefusedError) as refused:
        cases.add_member(ctx, nl, case_id, "FR-GN", "observer")
    assert refused.value.rule == "case-members" and "FR-GN" in str(refused.value)
    with ctx.database.reading() as conn:
        assert {m.agency for m in case_store.members_of(conn, case_id)} == {"NL-POL", "DE-BKA"}
    # the item's log entry records the digest of the frozen body; the export stays whole
    out = tmp_path / "granular.zip"
    case_export.export_case(ctx, nl, case_id, out)
    with zipfile.ZipFile(out) as archive:
        entries = [json.loads(line) for line in archive.read("entries.jsonl").splitlines()]
    added = [e["data"] for e in entries if e["event"] == "item.added"]
    _, content = case_items.item_content(ctx, nl, case_id, item.id)
    assert added[0]["markings"][BODY_DIGEST] == frozen_body_digest(content)
    # an agency seeing the same body (a GREEN object without hidden parts) still joins
    plain = cases.open_case(ctx, nl, "Plain GREEN").id
    case_items.add_finding(ctx, nl, plain, "stix", f"{w.ids['h2']} Partners")
    assert cases.add_member(ctx, nl, plain, "FR-GN", "member").agency == "FR-GN"
