"""Two LeakTrace servers (two agencies, two SQLite databases, two uvicorns) exchange a case's
findings both ways over TAXII 2.1, through the real commands' services: ``exchange publish``
on one, ``exchange pull --agency`` on the other, and back (``exchange push``, then a pull).

NL server (operated by NL-POL): collection "Europe", read by NL-POL, DE-BKA and FR-PN,
written by NL-POL and DE-BKA. DE server (operated by DE-BKA): "Partners", read by NL-POL and
DE-BKA; "from-nl", DE-BKA's inbox. FR-PN pulls into a database of its own (no server).

Asserted: what an agency pulls is exactly what it may see on the peer, body for body; TLP,
the handling code with its H3 text and granular markings survive the round trip; a RED
object published to DE-BKA (--to) arrives at DE-BKA only; RED rows are never pushed back;
DE-BKA's case (GREEN, H2) arrives at NL-POL with its H2 marking, and NL-POL cannot pass it
on (no permission recorded).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from leaktrace.attribution.dossier import list_groups
from leaktrace.config import load_settings
from leaktrace.exchange.markings import TLP_MARKING_IDS, granular, handling_of
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_items, cases, leaks
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.exchange_collections import add_collection
from leaktrace.services.exchange_publish import Marking, PublishRequest, Source, publish
from leaktrace.services.exchange_pull import pull
from leaktrace.services.exchange_push import push
from leaktrace.services.exchange_rules import agency_identity_id
from leaktrace.sources.taxii_client import TaxiiClient
from leaktrace.store.exchange_collections import collection_by_name
from leaktrace.store.exchange_objects import ObjectQuery, find_objects
from leaktrace.store.exchange_visibility import Viewer
from leaktrace.store.identity import agency_by_code
from tests.services.demo_world import demo_context
from tests.services.test_exchange_collections import add_agencies
from tests.web.conftest import LiveServer, ensure_user, serve

NL, DE, FR = "NL-POL", "DE-BKA", "FR-PN"
H3_TEXT = "Operation Ember only; no arrest before NL-POL agrees"
ROOT = "/taxii2/leaktrace/"


@dataclass
class Exchange:
    nl: LiveServer
    de: LiveServer
    fr: AppContext
    red_group: str
    de_group: str
    europe: str
    """The id of "Europe" on the NL server."""
    partners: str
    """The id of "Partners" on the DE server."""
    case_view: Any
    red_view: Any
    granular_id: str

    def login(self, server: LiveServer, agency: str) -> dict[str, Any]:
        """HTTP Basic credentials (e-mail and API token) of an analyst of ``agency``."""
        token = server.token("analyst", agency)
        return {"user": f"analyst@{agency.lower()}.example", "password": token}

    def peer(self, server: LiveServer, agency: str) -> dict[str, Any]:
        """The keywords of a pull from or push to ``server`` for ``agency`` (which is both
        the local agency and the analyst signing in there): its API root, the agency and
        the analyst's credentials."""
        return {"url": server.url + ROOT, "agency": agency, **self.login(server, agency)}


def _collection_id(ctx: AppContext, name: str) -> str:
    with ctx.database.reading() as conn:
        record = collection_by_name(conn, name, Viewer(None))
        assert record is not None
        return record.id


def _agency(ctx: AppContext, code: str) -> int:
    with ctx.database.reading() as conn:
        record = agency_by_code(conn, code)
        assert record is not None
        return int(record.id)


def visible(ctx: AppContext, collection: str, code: str, versions: str = "all") -> list[Any]:
    """Every row agency ``code`` may see in a collection (bodies as it sees them)."""
    with ctx.database.reading() as conn:
        return find_objects(
            conn,
            _collection_id(ctx, collection),
            Viewer(_agency(ctx, code)),
            ObjectQuery(versions=(versions,)),
        )


def bodies(rows: list[Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """(id, version in the body) -> body. A cyber-observable has no version of its own: each
    server versions it by the moment it added it, so the body's (none) is used here."""
    return {
        (row.stix_id, str(row.body.get("modified", row.body.get("created", "")))): row.body
        for row in rows
    }


@pytest.fixture(scope="module")
def exchange(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exchange]:
    operator = local_operator()
    nl_dir, de_dir, fr_dir = (tmp_path_factory.mktemp(n) for n in ("nl", "de", "fr"))
    nl_contexts, de_contexts = demo_context(nl_dir), demo_context(de_dir)
    nl_ctx, de_ctx = next(nl_contexts), next(de_contexts)
    with build_context(load_settings(db=str(fr_dir / "fr.db"))) as fr_ctx:
        for ctx in (nl_ctx, de_ctx, fr_ctx):
            add_agencies(ctx, (NL, DE, FR))
        add_collection(nl_ctx, operator, "Europe", read=[NL, DE, FR], write=[NL, DE])
        add_collection(nl_ctx, operator, "from-de", read=[NL], write=[NL])
        add_collection(de_ctx, operator, "Partners", read=[NL, DE], write=[DE])
        add_collection(de_ctx, operator, "from-nl", read=[DE], write=[DE])
        add_collection(fr_ctx, operator, "from-nl", read=[FR], write=[FR])
        for ctx in (nl_ctx, de_ctx):
            for code in (NL, DE, FR):
                ensure_user(ctx, "analyst", code)
        with nl_ctx.database.reading() as conn:
            names = [g.group for g in list_groups(conn, limit=3)]
        embers, red_group, de_group = names[0], names[1], names[2]
        # NL-POL's case: a group and a leak, published AMBER with H3 and its text
        case = cases.open_case(nl_ctx, operator, "Operation Ember", agency=NL).id
        leak = leaks.list_leaks(nl_ctx, operator, leaks.LeakQuery(group=embers, limit=1))
        case_items.add_items(
            nl_ctx,
            operator,
            case,
            [
                case_items.AddRequest("group", embers),
                case_items.AddRequest("leak", str(leak.items[0].id)),
            ],
        )
        case_view = publish(
            nl_ctx,
            operator,
            PublishRequest(
                Source(case=case), "Europe", Marking.of("amber", "H3", H3_TEXT), agency=NL
            ),
        )
        # a second group RED, to DE-BKA only
        red_view = publish(
            nl_ctx,
            operator,
            PublishRequest(
                Source(group=red_group), "Europe", Marking.of("red"), to=(DE,), agency=NL
            ),
        )
        # DE-BKA's own case on its server: GREEN, H2 (not to be passed on without DE-BKA's
        # permission)
        de_case = cases.open_case(de_ctx, operator, "Operation Nova", agency=DE).id
        case_items.add_items(de_ctx, operator, de_case, [case_items.AddRequest("group", de_group)])
        publish(
            de_ctx,
            operator,
            PublishRequest(Source(case=de_case), "Partners", Marking.of("green", "H2"), agency=DE),
        )
        for nl_server in serve(nl_ctx):
            for de_server in serve(de_ctx):
                world = Exchange(
                    nl=nl_server,
                    de=de_server,
                    fr=fr_ctx,
                    red_group=red_group,
                    de_group=de_group,
                    europe=_collection_id(nl_ctx, "Europe"),
                    partners=_collection_id(de_ctx, "Partners"),
                    case_view=case_view,
                    red_view=red_view,
                    granular_id="",
                )
                # an object with granular markings, POSTed by NL-POL's analyst over TAXII
                world.granular_id = _post_granular(world)
                yield world
    for rest in (nl_contexts, de_contexts):
        next(rest, None)  # ends the generator: its context closes


def _post_granular(world: Exchange) -> str:
    creator = agency_identity_id(NL)
    body = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": "intrusion-set--6d1b4f0e-2a77-4c1e-9a3c-1c2d3e4f5a6b",
        "created": "2026-04-01T00:00:00.000Z",
        "modified": "2026-04-01T00:00:00.000Z",
        "created_by_ref": creator,
        "name": "GRANULAR",
        "description": "seen on a seedbox in Roubaix",
        "aliases": ["granular-secret-alias"],
        "object_marking_refs": [TLP_MARKING_IDS["green"]],
        "granular_markings": [
            granular("amber", ["description"]),
            granular("red", ["aliases"]),
        ],
    }
    with TaxiiClient(world.nl.url + ROOT, **world.login(world.nl, NL)) as taxii:
        status = taxii.wait_status(taxii.add_objects(world.europe, [body]))
    assert status["success_count"] == 1, status
    return str(body["id"])


def test_de_pulls_exactly_what_it_may_see_with_its_markings(exchange: Exchange) -> None:
    nl_ctx, de_ctx = exchange.nl.context, exchange.de.context
    view = pull(
        de_ctx,
        local_operator(),
        collection=exchange.europe,
        into="from-nl",
        limit=7,
        **exchange.peer(exchange.nl, DE),
    )
    assert view.refused == 0 and view.pages > 1
    there = bodies(visible(nl_ctx, "Europe", DE))
    here = bodies(visible(de_ctx, "from-nl", DE))
    assert here == there  # body for body, every version, markings and all
    ids = {stix_id for stix_id, _ in here}
    # the RED group (published --to DE-BKA) arrived at DE-BKA
    assert set(exchange.red_view.stix_ids) <= ids | _support_ids(exchange.red_view.stix_ids)
    # the report keeps TLP:AMBER and the H3 marking, whose text arrived with it
    report = next(body for body in here.values() if body["type"] == "report")
    assert TLP_MARKING_IDS["amber"] in report["object_marking_refs"]
    h3 = [
        body
        for body in here.values()
        if body["type"] == "marking-definition" and handling_of(body) is not None
    ]
    assert h3 and handling_of(h3[0])["handling_code"] == "H3"  # type: ignore[index]
    assert H3_TEXT in json.dumps(h3[0])
    assert h3[0]["id"] in report["object_marking_refs"]
    # granular markings: the AMBER description came, the RED aliases did not
    granular_body = next(b for (i, _), b in here.items() if i == exchange.granular_id)
    assert granular_body["description"] == "seen on a seedbox in Roubaix"
    assert "aliases" not in granular_body
    assert granular_body["granular_markings"] == [granular("amber", ["description"])]
    # pulled again: nothing new, nothing doubled
    again = pull(
        de_ctx,
        local_operator(),
        collection=exchange.europe,
        into="from-nl",
        **exchange.peer(exchange.nl, DE),
    )
    assert again.received == again.stored == 0


def _support_ids(ids: list[str]) -> set[str]:
    return {i for i in ids if i.split("--")[0] in ("identity", "marking-definition")}


def test_a_red_object_to_de_never_reaches_fr(exchange: Exchange) -> None:
    view = pull(
        exchange.fr,
        local_operator(),
        collection=exchange.europe,
        into="from-nl",
        **exchange.peer(exchange.nl, FR),
    )
    assert view.refused == 0 and view.stored > 0
    here = bodies(visible(exchange.fr, "from-nl", FR))
    assert here == bodies(visible(exchange.nl.context, "Europe", FR))
    red = bodies([row for row in visible(exchange.nl.context, "Europe", NL) if row.tlp == "red"])
    versioned = {key for key in red if key[1]}  # cyber-observables have no version to compare
    assert versioned and not versioned & set(here)  # no RED version of anything came
    assert all(
        TLP_MARKING_IDS["red"] not in body.get("object_marking_refs", []) for body in here.values()
    )
    assert "granular-secret-alias" not in json.dumps(list(here.values()))
    # what FR-PN stored it owns, and nobody else sees the RED object in its database
    assert all(row.tlp != "red" for row in visible(exchange.fr, "from-nl", FR))


def test_and_back_de_pushes_its_findings_and_nl_pulls_them(exchange: Exchange) -> None:
    nl_ctx, de_ctx = exchange.nl.context, exchange.de.context
    # DE-BKA pushes what it received from NL back to NL's collection: RED never goes
    pull(  # what DE-BKA received from NL (nothing new if the first test ran)
        de_ctx,
        local_operator(),
        collection=exchange.europe,
        into="from-nl",
        **exchange.peer(exchange.nl, DE),
    )
    pushed = push(
        de_ctx,
        local_operator(),
        collection=exchange.europe,
        source="from-nl",
        **exchange.peer(exchange.nl, DE),
    )
    assert pushed.failed == 0 and pushed.sent == pushed.accepted > 0
    red_rows = [row for row in visible(de_ctx, "from-nl", DE) if row.tlp == "red"]
    assert pushed.skipped_by_rule["red"] == len(red_rows) > 0
    # NL-POL pulls DE-BKA's own publication from the DE server
    view = pull(
        nl_ctx,
        local_operator(),
        collection=exchange.partners,
        into="from-de",
        **exchange.peer(exchange.de, NL),
    )
    assert view.refused == 0 and view.stored > 0
    here = bodies(visible(nl_ctx, "from-de", NL))
    assert here == bodies(visible(de_ctx, "Partners", NL))
    groups = [body for body in here.values() if body["type"] == "intrusion-set"]
    assert exchange.de_group in {group["name"] for group in groups}
    h2 = next(
        body
        for body in here.values()
        if body["type"] == "marking-definition"
        and (handling_of(body) or {}).get("handling_code") == "H2"
    )
    report = next(body for body in here.values() if body["type"] == "report")
    for item in [*groups, report]:  # DE-BKA's own case, GREEN and H2, as it published it
        assert item["created_by_ref"] == agency_identity_id(DE)
        assert set(item["object_marking_refs"]) == {TLP_MARKING_IDS["green"], h2["id"]}
    # NL-POL may not pass DE-BKA's H2 objects on (no permission recorded): pushing what it
    # received to a collection of its own server skips every one of them
    passed_on = push(
        nl_ctx,
        local_operator(),
        collection=exchange.europe,
        source="from-de",
        **exchange.peer(exchange.nl, NL),
    )
    marked = [row for row in visible(nl_ctx, "from-de", NL) if row.handling == "H2"]
    # (a few cyber-observables are refused by the TLP rule first: NL-POL holds the same
    # address under RED from its own publication)
    assert passed_on.skipped_by_rule.get("h2", 0) > 0 and marked
    assert passed_on.sent == 0 and passed_on.skipped == passed_on.candidates
    # received objects are owned by the receiving agency; DE-BKA's push added no RED row
    # to NL's collection that NL-POL had not published itself
    europe = visible(nl_ctx, "Europe", NL)
    assert {row.owner_agency_id for row in europe if row.tlp == "red"} == {_agency(nl_ctx, NL)}
