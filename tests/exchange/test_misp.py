"""A case or a group as a MISP event: the tlp and anti-piracy taxonomy tags, the handling
code, one attribute per finding with the right MISP type, stable uuids, and an event PyMISP
reads back."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pymisp import MISPEvent

from leaktrace.errors import InputError
from leaktrace.exchange.facts import (
    AgencyFacts,
    GroupFacts,
    GroupLinkFacts,
    HostFacts,
    LeakFacts,
    ReleaseFacts,
    SupplyFinding,
)
from leaktrace.exchange.markings import TLP_LEVELS, tlp_marking
from leaktrace.exchange.misp import ANTI_PIRACY_TAGS, DISTRIBUTION, misp_event, tlp_tag
from leaktrace.exchange.stix_objects import (
    identity_of,
    infrastructure_of,
    intrusion_set_of,
    leak_objects,
    link_of,
    note_of,
)

T1 = datetime(2025, 3, 1, tzinfo=UTC)
T2 = datetime(2025, 6, 1, tzinfo=UTC)
RELEASE = ReleaseFacts(
    "Movie.2025.1080p.BluRay.x264-SPARKS", "SPARKS", "Movie", 2025, "physical", 9.5, "ab" * 20, T1
)


def objects() -> list[dict[str, Any]]:
    agency = identity_of(AgencyFacts("FR-PN", "Police nationale", "FR", "police"))
    refs = [tlp_marking("amber")["id"]]
    group = intrusion_set_of(GroupFacts("SPARKS", T1, T2, ("Sparks", "SPRKS")), agency.id, refs)
    other = intrusion_set_of(GroupFacts("GECKOS", T1, T2), agency.id, refs)
    host = infrastructure_of(
        HostFacts("203.0.113.7", "topsite", "NL", T1, T2, (), ("SPARKS",)), agency.id, refs
    )
    site = infrastructure_of(HostFacts("tracker.example.org", "tracker"), agency.id, refs)
    leak = leak_objects(
        LeakFacts(7, RELEASE, "high", 3), agency.id, refs, where_sighted_ref=agency.id
    )
    link = link_of(
        GroupLinkFacts("SPARKS", "GECKOS", "follower", 0.8, "GECKOS follows."), agency.id, refs
    )
    note = note_of(
        SupplyFinding("Shop 12", "Shipped before every leak.", 0.9), [group.id], agency.id, refs
    )
    made = [agency, group, other, *host.all(), *site.all(), *leak.all(), link, note]
    return [json.loads(obj.serialize()) for obj in made]


def by_type(event: MISPEvent) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for attribute in event.attributes:
        found.setdefault(attribute.type, []).append(attribute)
    return found


def test_event_tags_and_attributes() -> None:
    bodies = objects()
    group_id = next(b["id"] for b in bodies if b["type"] == "intrusion-set")
    event = misp_event(
        bodies, info="LeakTrace: group SPARKS", tlp="amber", when=date(2025, 7, 1), key_id=group_id
    )
    tags = [tag.name for tag in event.tags]
    assert tags == ["tlp:amber", *ANTI_PIRACY_TAGS]
    assert 'anti-piracy:type="copyright-infringement"' in tags
    assert int(event.distribution) == 0
    kinds = by_type(event)
    assert sorted(a.value for a in kinds["threat-actor"]) == ["GECKOS", "SPARKS"]
    sparks = next(a for a in kinds["threat-actor"] if a.value == "SPARKS")
    assert "Sparks" in sparks.comment and "SPRKS" in sparks.comment
    assert [a.value for a in kinds["ip-dst"]] == ["203.0.113.7"]
    assert "topsite" in kinds["ip-dst"][0].comment
    assert [a.value for a in kinds["domain"]] == ["tracker.example.org"]
    assert kinds["url"][0].value.startswith("magnet:?xt=urn:btih:abab")
    texts = [a.value for a in kinds["text"]]
    assert RELEASE.name in texts
    assert any("seen before its window" in t and "3 times" in t for t in texts)
    assert any(t.startswith("SPARKS related to GECKOS: GECKOS follows.") for t in texts)
    assert [a.value for a in kinds["comment"]] == ["Shipped before every leak."]
    assert all(not a.to_ids for a in event.attributes)
    uuids = [a.uuid for a in event.attributes]
    assert len(set(uuids)) == len(uuids) and event.uuid not in uuids
    again = misp_event(bodies, info="LeakTrace: group SPARKS", tlp="amber", key_id=group_id)
    assert again.uuid == event.uuid and [a.uuid for a in again.attributes] == uuids


def test_event_round_trips_through_pymisp() -> None:
    event = misp_event(objects(), info="LeakTrace: case 3", tlp="red", handling="H1")
    loaded = MISPEvent()
    loaded.load(event.to_json())
    assert loaded.info == "LeakTrace: case 3"
    assert [t.name for t in loaded.tags][:1] == ["tlp:red"]
    assert 'leaktrace:siena-handling="H1"' in [t.name for t in loaded.tags]
    comments = [a.value for a in loaded.attributes if a.type == "comment"]
    assert any("not for judicial proceedings" in c for c in comments)
    assert len(loaded.attributes) == len(event.attributes)


@pytest.mark.parametrize("level", TLP_LEVELS)
def test_every_tlp_level_has_its_taxonomy_tag_and_distribution(level: str) -> None:
    event = misp_event(objects()[:2], info="x", tlp=level)
    assert event.tags[0].name == f"tlp:{level}" == tlp_tag(level)
    assert int(event.distribution) == DISTRIBUTION[level]  # type: ignore[index]


def test_bad_input_is_refused() -> None:
    with pytest.raises(InputError):
        misp_event(objects(), info="x", tlp="white")
    with pytest.raises(InputError):
        misp_event(objects(), info="  ", tlp="amber")
