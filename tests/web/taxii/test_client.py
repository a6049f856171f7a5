"""The TAXII server driven by the real taxii2-client (HTTP Basic: e-mail and API token):
discovery, collections, ``as_pages`` paging of objects and manifest, one object, its
versions, and the filters, each as a given agency sees them."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages  # type: ignore[import-untyped]

from leaktrace.exchange.markings import TLP_MARKING_IDS
from tests.web.taxii.world import TIMES, TaxiiWorld

GREEN = TLP_MARKING_IDS["green"]
RED = TLP_MARKING_IDS["red"]


def _server(world: TaxiiWorld, agency: str) -> Server:
    return Server(
        f"{world.url}/taxii2/",
        user=world.email("analyst", agency),
        password=world.token("analyst", agency),
    )


def _collection(world: TaxiiWorld, agency: str, collection_id: str | None = None) -> Collection:
    return Collection(
        world.collection_url(collection_id or world.alpha),
        user=world.email("analyst", agency),
        password=world.token("analyst", agency),
    )


def _visible(world: TaxiiWorld, agency: str) -> set[str]:
    """What the agency may see of Alpha (newest versions)."""
    seen = {GREEN, world.ids["A"], world.ids["M"], world.ids["S"]}
    return seen | {RED, world.ids["B"]} if agency == "NL-POL" else seen


def test_discovery_names_the_one_api_root(world: TaxiiWorld) -> None:
    server = _server(world, "NL-POL")
    assert server.title == "LeakTrace TAXII 2.1 server"
    assert [root.url for root in server.api_roots] == [f"{world.url}/taxii2/leaktrace/"]
    assert server.default is not None and server.default.url == f"{world.url}/taxii2/leaktrace/"


def test_api_root_and_collections_per_agency(world: TaxiiWorld) -> None:
    root = ApiRoot(
        f"{world.url}/taxii2/leaktrace/",
        user=world.email("analyst", "NL-POL"),
        password=world.token("analyst", "NL-POL"),
    )
    assert root.versions == ["application/taxii+json;version=2.1"]
    assert root.max_content_length == world.server.context.settings.server.max_body_bytes

    def rights(agency: str) -> dict[str, tuple[bool, bool]]:
        root = _server(world, agency).api_roots[0]
        return {c.title: (c.can_read, c.can_write) for c in root.collections}

    assert rights("NL-POL") == {"Alpha": (True, True), "Beta": (True, False)}
    assert rights("DE-BKA") == {"Alpha": (True, False)}
    assert rights("FR-GN") == {"Drop": (False, True)}
    alpha = _collection(world, "DE-BKA")
    assert alpha.title == "Alpha" and alpha.alias == "Alpha"
    assert alpha.media_types == ["application/stix+json;version=2.1"]


@pytest.mark.parametrize("agency", ["NL-POL", "DE-BKA"])
def test_as_pages_walks_exactly_the_visible_objects(world: TaxiiWorld, agency: str) -> None:
    collection = _collection(world, agency)
    pages = list(as_pages(collection.get_objects, per_request=2))
    ids = [obj["id"] for page in pages for obj in page.get("objects", [])]
    assert sorted(ids) == sorted(_visible(world, agency))
    assert all(len(page["objects"]) == 2 for page in pages[:-1])
    assert [page["more"] for page in pages] == [True] * (len(pages) - 1) + [False]
    whole = collection.get_objects()
    assert [obj["id"] for obj in whole["objects"]] == ids and whole["more"] is False
    newest_a = next(obj for obj in whole["objects"] if obj["id"] == world.ids["A"])
    assert newest_a["modified"] == TIMES[2]


@pytest.mark.parametrize("agency", ["NL-POL", "DE-BKA"])
def test_manifest_pages_agree_with_the_objects(world: TaxiiWorld, agency: str) -> None:
    collection = _collection(world, agency)
    pages = list(as_pages(collection.get_manifest, per_request=3))
    records = [record for page in pages for record in page.get("objects", [])]
    objects = collection.get_objects()["objects"]
    assert [r["id"] for r in records] == [o["id"] for o in objects]
    assert all(r["media_type"] == "application/stix+json;version=2.1" for r in records)
    dates = [r["date_added"] for r in records]
    assert dates == sorted(dates)  # one date_added per batch: equal dates are allowed


def _ids(envelope: dict[str, Any]) -> list[str]:
    return [obj["id"] for obj in envelope.get("objects", [])]


def test_match_type_id_and_spec_version(world: TaxiiWorld) -> None:
    nl, de = _collection(world, "NL-POL"), _collection(world, "DE-BKA")
    assert sorted(_ids(nl.get_objects(type="indicator"))) == sorted(
        [world.ids["A"], world.ids["B"]]
    )
    assert _ids(de.get_objects(type="indicator")) == [world.ids["A"]]
    assert sorted(_ids(de.get_objects(type=["indicator", "malware"]))) == sorted(
        [world.ids["A"], world.ids["M"], world.ids["S"]]
    )
    assert _ids(nl.get_objects(id=world.ids["B"])) == [world.ids["B"]]
    assert _ids(de.get_objects(id=world.ids["B"])) == []
    assert _ids(de.get_objects(spec_version="2.0")) == [world.ids["S"]]


def _modified(envelope: dict[str, Any]) -> list[str]:
    return [obj["modified"] for obj in envelope.get("objects", [])]


def test_match_version_first_last_all_and_times(world: TaxiiWorld) -> None:
    de = _collection(world, "DE-BKA")
    a = world.ids["A"]
    assert _modified(de.get_objects(id=a)) == [TIMES[2]]
    assert _modified(de.get_objects(id=a, version="last")) == [TIMES[2]]
    assert _modified(de.get_objects(id=a, version="first")) == [TIMES[0]]
    assert _modified(de.get_objects(id=a, version="all")) == list(TIMES)
    assert _modified(de.get_objects(id=a, version=["first", "last"])) == [TIMES[0], TIMES[2]]
    assert _modified(de.get_objects(id=a, version=TIMES[1])) == [TIMES[1]]
    assert _modified(de.get_object(a)) == [TIMES[2]]
    assert _modified(de.get_object(a, version="all")) == list(TIMES)


def test_added_after(world: TaxiiWorld) -> None:
    de = _collection(world, "DE-BKA")
    records = de.get_manifest()["objects"]
    for record in records:
        after = de.get_objects(added_after=record["date_added"])
        later = [r["id"] for r in records if r["date_added"] > record["date_added"]]
        assert _ids(after) == later
    a_versions = de.get_manifest(id=world.ids["A"], version="all")["objects"]
    assert [r["version"] for r in a_versions] == [_stamp(t) for t in TIMES]
    later = de.object_versions(world.ids["A"], added_after=a_versions[0]["date_added"])
    assert later["versions"] == [_stamp(t) for t in TIMES[1:]]


def _stamp(time: str) -> str:
    """A version as the server states it (normalised to microseconds)."""
    return time.replace(".000Z", ".000000Z")


def test_object_versions(world: TaxiiWorld) -> None:
    de = _collection(world, "DE-BKA")
    versions = de.object_versions(world.ids["A"])
    assert versions["versions"] == [_stamp(t) for t in TIMES]
    assert versions["more"] is False
    paged = list(as_pages(de.object_versions, 2, world.ids["A"]))
    assert [p["versions"] for p in paged] == [versions["versions"][:2], versions["versions"][2:]]


def test_an_object_one_may_not_see_is_not_found(world: TaxiiWorld) -> None:
    de = _collection(world, "DE-BKA")
    for call in (de.get_object, de.object_versions):
        with pytest.raises(requests.HTTPError) as hidden:
            call(world.ids["B"])
        assert hidden.value.response is not None
        assert hidden.value.response.status_code == 404
    assert _ids(_collection(world, "NL-POL").get_object(world.ids["B"])) == [world.ids["B"]]
