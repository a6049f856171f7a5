"""The re-publication rules: an agency's own objects pass; a received object never goes out
looser than it came (its own marking or the stricter level it is held under); an H2 object
only with its owner's recorded permission for that agency; definitions always pass."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from leaktrace.config import load_settings
from leaktrace.exchange.classify import Classified, classify
from leaktrace.exchange.facts import AgencyFacts, GroupFacts
from leaktrace.exchange.markings import handling_marking, tlp_marking
from leaktrace.exchange.stix_objects import identity_of, intrusion_set_of
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.exchange_access import store_batch
from leaktrace.services.exchange_collections import add_collection, permit
from leaktrace.services.exchange_rules import agency_identity_id, refusal, refusal_of
from leaktrace.store.exchange_collections import collection_by_name
from leaktrace.store.exchange_visibility import Viewer
from tests.services.test_exchange_collections import add_agencies
from tests.services.test_leaks import agency_actor

WHEN = datetime(2025, 3, 1, tzinfo=UTC)
PARTNER = AgencyFacts("BE-FCCU", "Federal Computer Crime Unit", "BE", "police")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(tmp_path / "x.db"))) as context:
        add_agencies(context)
        add_collection(context, local_operator(), "Inbox", read=["NL-POL"], write=["NL-POL"])
        yield context


def batch(creator: AgencyFacts, level: str | None, handling: str | None = None) -> list[Any]:
    who = identity_of(creator)
    markings: list[dict[str, Any]] = [tlp_marking(level)] if level else []
    if handling:
        markings.append(handling_marking(handling, created_by_ref=who.id))
    group = intrusion_set_of(GroupFacts("GECKOS", WHEN, WHEN), who.id, [m["id"] for m in markings])
    return [*markings, json.loads(who.serialize()), json.loads(group.serialize())]


def item_of(bodies: list[Any]) -> Classified:
    return classify(bodies)[-1]


def nl(ctx: AppContext) -> int:
    found = agency_actor(ctx, "NL-POL").agency_id
    assert found is not None
    return found


def test_own_objects_pass_under_any_level(ctx: AppContext) -> None:
    mine = AgencyFacts("NL-POL", "Politie", "NL", "police")
    assert identity_of(mine).id == agency_identity_id("NL-POL")
    item = item_of(batch(mine, "red", "H2"))
    with ctx.database.reading() as conn:
        assert refusal(conn, nl(ctx), item, tlp="clear") is None


@pytest.mark.parametrize(
    ("received", "wanted", "refused"),
    [
        ("amber", "green", True),
        ("amber", "clear", True),
        ("amber", "amber", False),
        ("amber", "amber+strict", False),
        ("amber", "red", False),
        ("red", "amber+strict", True),
        ("green", "clear", True),
        ("clear", "clear", False),
    ],
)
def test_received_objects_never_go_out_looser(
    ctx: AppContext, received: str, wanted: str, refused: bool
) -> None:
    item = item_of(batch(PARTNER, received))
    with ctx.database.reading() as conn:
        found = refusal_of(conn, nl(ctx), item, tlp=wanted)  # type: ignore[arg-type]
    assert (found is not None) is refused
    if found is not None:
        assert found.rule == "tlp"
        assert f"received as TLP:{received.upper()}" in found.reason
        assert f"TLP:{wanted.upper()}" in found.reason


def test_the_level_it_is_held_under_counts_too(ctx: AppContext) -> None:
    bodies = batch(PARTNER, "green")
    agency = nl(ctx)
    with ctx.database.transaction() as conn:
        inbox = collection_by_name(conn, "Inbox", Viewer(None))
        assert inbox is not None
        store_batch(
            conn, inbox.id, bodies, owner_agency_id=agency, origin="pulled", tlp_floor="red"
        )
    item = item_of(bodies)
    with ctx.database.reading() as conn:
        found = refusal_of(conn, agency, item)  # its own level: green, but held as RED
        assert found is not None and "received as TLP:RED" in found.reason
        assert refusal(conn, agency, item, tlp="red") is None


def test_unmarked_objects_and_the_default_level_pass(ctx: AppContext) -> None:
    unmarked = item_of(batch(PARTNER, None))
    marked = item_of(batch(PARTNER, "green"))
    with ctx.database.reading() as conn:
        assert refusal(conn, nl(ctx), unmarked) is None
        assert refusal(conn, nl(ctx), marked) is None
        assert refusal(conn, nl(ctx), marked, tlp="green") is None


def test_h2_needs_a_recorded_permission_for_that_agency(ctx: AppContext) -> None:
    item = item_of(batch(PARTNER, "amber", "H2"))
    assert item.handling == "H2"
    with ctx.database.reading() as conn:
        found = refusal_of(conn, nl(ctx), item)
        assert found is not None and found.rule == "h2"
        assert refusal_of(conn, None, item) is not None  # the operator has no permissions
    permit(ctx, local_operator(), item.stix_id, agency="FR-PN", granted_by="BE desk")
    with ctx.database.reading() as conn:
        assert refusal(conn, nl(ctx), item) is not None  # granted to someone else
    permit(ctx, local_operator(), item.stix_id, agency="NL-POL", granted_by="BE desk")
    with ctx.database.reading() as conn:
        assert refusal(conn, nl(ctx), item) is None
        assert refusal_of(conn, nl(ctx), item, tlp="green") is not None  # still never looser


def test_h0_h1_h3_and_definitions_pass(ctx: AppContext) -> None:
    with ctx.database.reading() as conn:
        for code in ("H0", "H1"):
            assert refusal(conn, nl(ctx), item_of(batch(PARTNER, "amber", code))) is None
        for definition in classify(batch(PARTNER, "red", "H2"))[:-1]:
            assert refusal(conn, nl(ctx), definition, tlp="clear") is None


def test_a_partner_cannot_make_its_object_ours_by_naming_us_as_creator(ctx: AppContext) -> None:
    """``created_by_ref`` is the sender's word: an object pulled or imported that names the
    receiving agency as its creator is still a received object, bound by its markings."""
    forged = item_of(batch(AgencyFacts("NL-POL", "Politie", "NL", "police"), "amber", "H2"))
    assert forged.creator == agency_identity_id("NL-POL")
    with ctx.database.transaction() as conn:
        inbox = collection_by_name(conn, "Inbox", Viewer(None))
        assert inbox is not None
        store_batch(
            conn,
            inbox.id,
            batch(AgencyFacts("NL-POL", "Politie", "NL", "police"), "amber", "H2"),
            owner_agency_id=nl(ctx),
            origin="pulled https://peer.example/taxii2/leaktrace/ 1234",
        )
    with ctx.database.reading() as conn:
        found = refusal_of(conn, nl(ctx), forged, tlp="green")
        assert found is not None and found.rule == "tlp"
        held = refusal_of(conn, nl(ctx), forged, tlp="amber")
        assert held is not None and held.rule == "h2"
