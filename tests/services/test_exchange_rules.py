"""The re-publication rules: an agency's own objects pass; a received object never goes out
looser than it came (its own marking or the stricter level it is held under); an H2 object
only with its owner's recorded permission for that agency; definitions always pass."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from leaktrace.config import load_settings
from leaktrace.errors import NotFoundError, SharingRefusedError
from leaktrace.exchange.classify import Classified, classify
from leaktrace.exchange.facts import AgencyFacts, GroupFacts
from leaktrace.exchange.markings import TLP_LEVELS, TLP_MARKING_IDS, handling_marking, tlp_marking
from leaktrace.exchange.stix_objects import identity_of, intrusion_set_of
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.exchange_access import store_batch
from leaktrace.services.exchange_collections import add_collection, permit
from leaktrace.services.exchange_publish import Marking, PublishRequest, Source, publish
from leaktrace.services.exchange_rules import agency_identity_id, refusal, refusal_of
from leaktrace.services.taxii import get_object
from leaktrace.services.taxii_envelopes import add_envelope
from leaktrace.services.taxii_paging import TaxiiFilters
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


# --- Regression: the rules look only at rows the agency may see (security review, 2026-12) ---
#
# (2) The rules once looked at every row of a STIX id in the whole database, so an agency
# could POST an object with an id another agency uses (LeakTrace ids are derived from names)
# and learn from the refusal ("is marked H2") whether that id existed, even in a collection
# it has no rights on. (7) They once looked only at the rows the agency OWNED, so an agency
# that merely read another agency's AMBER+H2 object could POST it again as CLEAR without H2.

HIDINGS = ("no-rights", "red-not-to-it", "amber+strict", "restricted")
PROBES = ("own-h2", "own-clear", "partner-clear", "unmarked")
DE_WHO = agency_identity_id("DE-BKA")
NL_WHO = agency_identity_id("NL-POL")


@dataclass
class Sharing:
    ctx: AppContext
    alpha: str
    """NL-POL and DE-BKA read and write."""
    open: str
    """Every agency reads; DE-BKA writes."""
    hidden: dict[tuple[str, str], str]
    """(hiding, probe) -> the id of an NL-POL object DE-BKA may not see, hidden that way."""
    seen_h2: str
    """An NL-POL GREEN+H2 object in Alpha that DE-BKA sees."""


def nl_group(name: str, refs: list[str]) -> dict[str, Any]:
    group = intrusion_set_of(GroupFacts(name, WHEN, WHEN), NL_WHO, refs)
    body: dict[str, Any] = json.loads(group.serialize())
    return body


@pytest.fixture(scope="module")
def sharing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sharing]:
    folder = tmp_path_factory.mktemp("sharing")
    with build_context(load_settings(db=str(folder / "x.db"))) as context:
        add_agencies(context)
        operator = local_operator()
        both = ["NL-POL", "DE-BKA"]
        alpha = add_collection(context, operator, "Alpha", read=both, write=both).id
        secret = add_collection(context, operator, "Secret", read=["NL-POL"], write=["NL-POL"]).id
        everyone = ["FR-PN", "NL-POL", "DE-BKA", "ES-PN"]
        open_ = add_collection(context, operator, "Open", read=everyone, write=["DE-BKA"]).id
        h2 = handling_marking("H2", created_by_ref=NL_WHO)
        green, red = TLP_MARKING_IDS["green"], TLP_MARKING_IDS["red"]
        strict = TLP_MARKING_IDS["amber+strict"]
        unknown = f"marking-definition--{uuid.uuid4()}"
        where = {"no-rights": secret}
        refs = {
            "no-rights": [green, h2["id"]],
            "red-not-to-it": [red, h2["id"]],  # no --to: NL-POL alone
            "amber+strict": [strict, h2["id"]],
            "restricted": [green, unknown, h2["id"]],  # a marking nobody here knows
        }
        hidden: dict[tuple[str, str], str] = {}
        nl_id = nl(context)
        definitions = [tlp_marking(level) for level in ("green", "red", "amber+strict")]
        for hiding in HIDINGS:
            for probe in PROBES:
                body = nl_group(f"SPARKS {hiding} {probe}", refs[hiding])
                hidden[hiding, probe] = body["id"]
                with context.database.transaction() as conn:
                    store_batch(
                        conn,
                        where.get(hiding, alpha),
                        [*definitions, h2, body],
                        owner_agency_id=nl_id,
                        origin="published",
                    )
        seen = nl_group("SPARKS seen", [green, h2["id"]])
        with context.database.transaction() as conn:
            store_batch(conn, alpha, [seen], owner_agency_id=nl_id, origin="published")
        # the definitions the probes send, there already: each probe's answer for them is
        # "this version was in the collection already", whichever probe comes first
        de = agency_actor(context, "DE-BKA")
        definitions = [
            tlp_marking("clear"),
            tlp_marking("green"),
            handling_marking("H2", created_by_ref=DE_WHO),
        ]
        assert add_envelope(context, de, alpha, {"objects": definitions}).failure_count == 0
        yield Sharing(context, alpha, open_, hidden, seen["id"])


def probe_body(stix_id: str, probe: str) -> list[dict[str, Any]]:
    """What DE-BKA POSTs: a new version (February) of an intrusion-set ``stix_id``."""
    body: dict[str, Any] = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": stix_id,
        "created": "2026-02-01T00:00:00.000Z",
        "modified": "2026-02-01T00:00:00.000Z",
        "name": "probe",
    }
    if probe == "own-h2":
        h2 = handling_marking("H2", created_by_ref=DE_WHO)
        body.update(created_by_ref=DE_WHO, object_marking_refs=[TLP_MARKING_IDS["green"], h2["id"]])
        return [tlp_marking("green"), h2, body]
    if probe == "unmarked":
        return [body]
    body.update(
        created_by_ref=DE_WHO if probe == "own-clear" else NL_WHO,
        object_marking_refs=[TLP_MARKING_IDS["clear"]],
    )
    return [tlp_marking("clear"), body]


def answer(sharing: Sharing, stix_id: str, probe: str) -> tuple[Any, ...]:
    """DE-BKA's POST of the probe to Alpha, as TAXII answers it, the id written ``ID``."""
    de = agency_actor(sharing.ctx, "DE-BKA")
    status = add_envelope(sharing.ctx, de, sharing.alpha, {"objects": probe_body(stix_id, probe)})

    def shown(details: list[Any]) -> list[tuple[str, str | None, str | None]]:
        return sorted(
            (
                detail.id.replace(stix_id, "ID"),
                detail.version,
                None if detail.message is None else detail.message.replace(stix_id, "ID"),
            )
            for detail in details
        )

    return (
        status.status,
        status.total_count,
        status.success_count,
        status.failure_count,
        shown(status.successes),
        shown(status.failures),
    )


def rule_answers(sharing: Sharing, stix_id: str, probe: str) -> list[tuple[str, str] | None]:
    """refusal_of for DE-BKA over every level it could ask for, the id written ``ID``."""
    item = classify(probe_body(stix_id, probe))[-1]
    de = agency_actor(sharing.ctx, "DE-BKA").agency_id
    answers: list[tuple[str, str] | None] = []
    with sharing.ctx.database.reading() as conn:
        for level in (None, *TLP_LEVELS):
            found = refusal_of(conn, de, item, tlp=level)
            answers.append(
                None if found is None else (found.rule, found.reason.replace(stix_id, "ID"))
            )
    return answers


@pytest.mark.parametrize("probe", PROBES)
@pytest.mark.parametrize("hiding", HIDINGS)
def test_an_id_hidden_from_the_agency_is_answered_as_a_new_id(
    sharing: Sharing, hiding: str, probe: str
) -> None:
    """(2): whatever DE-BKA sends with an id of NL-POL's it may not see, the rules and the
    TAXII POST answer exactly as for an id nobody uses."""
    hidden = sharing.hidden[hiding, probe]
    fresh = f"intrusion-set--{uuid.uuid4()}"
    assert rule_answers(sharing, hidden, probe) == rule_answers(sharing, fresh, probe)
    got = answer(sharing, hidden, probe)
    assert got == answer(sharing, fresh, probe)
    if probe == "own-h2":  # the review's reproduction: DE-BKA's own H2 object passes
        assert got[3] == 0 and got[2] == 3


def test_an_id_the_agency_sees_still_binds_it(sharing: Sharing) -> None:
    """The other side of (2): a row DE-BKA may see (NL-POL's GREEN+H2 object in Alpha) makes
    the object received and H2, whatever creator DE-BKA's copy names."""
    got = answer(sharing, sharing.seen_h2, "own-h2")
    assert got[3] == 1 and "ID is marked H2" in str(got[5])
    assert rule_answers(sharing, sharing.seen_h2, "partner-clear")[0] == (
        "tlp",
        "ID was received as TLP:GREEN; it cannot be re-published as TLP:CLEAR "
        "(a received object keeps its restriction)",
    )


def read_and_post(
    sharing: Sharing, name: str, refs: list[str], extra: list[dict[str, Any]]
) -> tuple[dict[str, Any], Any, Classified]:
    """(7): NL-POL publishes an AMBER+H2 group in Alpha; DE-BKA reads it over TAXII and
    POSTs it (same id, same version) to Open with ``refs`` instead of its markings."""
    nl_h2 = handling_marking("H2", created_by_ref=NL_WHO)
    group = nl_group(name, [TLP_MARKING_IDS["amber"], nl_h2["id"]])
    with sharing.ctx.database.transaction() as conn:
        store_batch(
            conn,
            sharing.alpha,
            [tlp_marking("amber"), nl_h2, group],
            owner_agency_id=nl(sharing.ctx),
            origin="published",
        )
    de = agency_actor(sharing.ctx, "DE-BKA")
    got = get_object(sharing.ctx, de, sharing.alpha, group["id"], TaxiiFilters()).objects[-1]
    assert got["object_marking_refs"] == group["object_marking_refs"]  # DE-BKA read it
    loosened = dict(got, object_marking_refs=refs)
    status = add_envelope(sharing.ctx, de, sharing.open, {"objects": [*extra, loosened]})
    return group, status, classify([*extra, loosened])[-1]


def not_in_open(sharing: Sharing, stix_id: str) -> None:
    fr = agency_actor(sharing.ctx, "FR-PN")
    with pytest.raises(NotFoundError):
        get_object(sharing.ctx, fr, sharing.open, stix_id, TaxiiFilters())


def test_an_object_read_from_another_agency_cannot_be_posted_looser(sharing: Sharing) -> None:
    """(7), TLP: AMBER+H2 re-POSTed as CLEAR without H2 is refused by the TLP rule."""
    clear = TLP_MARKING_IDS["clear"]
    group, status, item = read_and_post(sharing, "LOOSENED", [clear], [tlp_marking("clear")])
    assert [f.id for f in status.failures] == [group["id"]]
    assert "was received as TLP:AMBER; it cannot be re-published as TLP:CLEAR" in str(
        status.failures[0].message
    )
    with sharing.ctx.database.reading() as conn:
        found = refusal_of(conn, agency_actor(sharing.ctx, "DE-BKA").agency_id, item)
    assert found is not None and found.rule == "tlp"
    not_in_open(sharing, group["id"])


def test_an_object_read_from_another_agency_keeps_its_h2(sharing: Sharing) -> None:
    """(7), H2: AMBER+H2 re-POSTed as AMBER without H2 is refused by the H2 rule, until
    NL-POL's permission is recorded for DE-BKA; never looser even then."""
    amber = TLP_MARKING_IDS["amber"]
    group, status, item = read_and_post(sharing, "UNHANDLED", [amber], [tlp_marking("amber")])
    assert item.handling is None  # the copy says nothing of H2: the row DE-BKA read does
    assert [f.id for f in status.failures] == [group["id"]]
    assert "is marked H2" in str(status.failures[0].message)
    de = agency_actor(sharing.ctx, "DE-BKA").agency_id
    assert de is not None
    with sharing.ctx.database.reading() as conn:
        found = refusal_of(conn, de, item)
    assert found is not None and found.rule == "h2"
    not_in_open(sharing, group["id"])
    permit(sharing.ctx, local_operator(), group["id"], agency="DE-BKA", granted_by="NL desk")
    with sharing.ctx.database.reading() as conn:
        assert refusal_of(conn, de, item) is None
        loose = refusal_of(conn, de, item, tlp="green")
        assert loose is not None and loose.rule == "tlp"


def test_exchange_publish_of_a_read_object_is_refused_the_same_way(sharing: Sharing) -> None:
    """``exchange publish --object`` of NL-POL's AMBER+H2 group by DE-BKA: TLP, then H2."""
    nl_h2 = handling_marking("H2", created_by_ref=NL_WHO)
    group = nl_group("REPUBLISHED", [TLP_MARKING_IDS["amber"], nl_h2["id"]])
    with sharing.ctx.database.transaction() as conn:
        store_batch(
            conn,
            sharing.alpha,
            [tlp_marking("amber"), nl_h2, group],
            owner_agency_id=nl(sharing.ctx),
            origin="published",
        )
    de = agency_actor(sharing.ctx, "DE-BKA")
    for level, rule in (("clear", "tlp"), ("amber", "h2")):
        request = PublishRequest(
            Source(object_id=group["id"], from_collection="Alpha"), "Open", Marking.of(level)
        )
        with pytest.raises(SharingRefusedError) as refused:
            publish(sharing.ctx, de, request)
        assert refused.value.rule == rule
