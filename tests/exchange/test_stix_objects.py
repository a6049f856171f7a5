"""LeakTrace's findings as STIX 2.1: every object validator-clean, ids deterministic, the
observable kind chosen by parsing, and bad outside values refused with ``InputError``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import stix2  # type: ignore[import-untyped]
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.provisional import domains, urls
from stix2validator import ValidationOptions, validate_instance  # type: ignore[import-untyped]

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
from leaktrace.exchange.stix_extension import (
    PIRACY_EXTENSION_ID,
    RELEASE_EXTENSION_ID,
    extension_definitions,
    leaktrace_identity,
)
from leaktrace.exchange.stix_objects import (
    bundle_of,
    group_id,
    identity_of,
    infrastructure_of,
    intrusion_set_of,
    leak_objects,
    link_of,
    note_of,
    release_object,
    report_of,
)
from leaktrace.exchange.stix_observables import observable_of

T1 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
T2 = datetime(2024, 9, 1, 8, 30, tzinfo=UTC)
RED = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
OPTIONS = ValidationOptions(version="2.1")

AGENCY = AgencyFacts("FR-PN", "Police nationale", "FR", "police")
GROUP = GroupFacts("SPARKS", T1, T2, ("Sparks", "SPRKS", " "), 40, 6, "Scene group.")
RELEASE = ReleaseFacts(
    "Movie.2024.1080p.WEB-DL-SPARKS", "SPARKS", "Movie", 2024, "theatrical", 12.5, "A" * 40, T1
)


def assert_valid(obj: Any) -> None:
    """The object (or bundle) passes stix2-validator 2.1 with no errors."""
    data = json.loads(obj.serialize()) if hasattr(obj, "serialize") else obj
    result = validate_instance(data, OPTIONS)
    errors = [str(e) for e in result.errors]
    warnings = [str(w) for w in result.warnings]
    assert result.is_valid and not errors, f"errors: {errors}\nwarnings: {warnings}"


def everything() -> list[Any]:
    agency = identity_of(AGENCY)
    group = intrusion_set_of(GROUP, agency.id, [RED])
    hosts = [
        infrastructure_of(
            HostFacts("203.0.113.7", "topsite", "NL", T1, T2, (RELEASE.name,), ("SPARKS",), ("x",)),
            agency.id,
            [AMBER],
        ),
        infrastructure_of(HostFacts("2001:db8::7", "tracker", groups=("SPARKS", "GECKOS"))),
        infrastructure_of(HostFacts("tracker.example.org", "tracker", first_seen=T1)),
        infrastructure_of(HostFacts("https://index.example.net/t?id=1", "index", last_seen=T2)),
    ]
    leak = leak_objects(
        LeakFacts(7, RELEASE, "high", 3), agency.id, [RED], where_sighted_ref=agency.id
    )
    orphan = leak_objects(LeakFacts(8, ReleaseFacts("Other.Show.S01E01-NOGRP"), "low"))
    link = link_of(
        GroupLinkFacts("SPARKS", "GECKOS", "shared-host", 0.75, "Same topsite."), agency.id
    )
    note = note_of(SupplyFinding("account 12", "Shipped before every leak.", 0.62), [group.id])
    report = report_of(
        "Case 3", [group.id, leak.sighting.id], key="case:3", published=T2, created_by_ref=agency.id
    )
    return [
        leaktrace_identity(),
        *extension_definitions(),
        agency,
        group,
        *(obj for host in hosts for obj in host.all()),
        *leak.all(),
        *orphan.all(),
        link,
        note,
        report,
    ]


def test_every_object_and_the_bundle_are_validator_clean() -> None:
    objects = everything()
    for obj in objects:
        assert_valid(obj)
    bundle = bundle_of(objects + objects[:3])
    assert len(bundle.objects) == len(objects)
    assert_valid(bundle)


def _references(value: Any) -> set[str]:
    """Every id a STIX object points at: ``*_ref`` / ``*_refs`` values and extension keys."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key.endswith("_ref") and isinstance(item, str):
                found.add(item)
            elif key.endswith("_refs") and isinstance(item, list):
                found.update(item)
            elif key == "extensions":
                found.update(item)
            found |= _references(item)
    elif isinstance(value, list):
        for item in value:
            found |= _references(item)
    return found


def test_one_agencys_bundle_references_only_objects_it_carries() -> None:
    agency = identity_of(AGENCY)
    by = agency.id
    group = intrusion_set_of(GROUP, by)
    other = intrusion_set_of(GroupFacts("GECKOS", T1, T2), by)
    host = infrastructure_of(
        HostFacts("198.51.100.4", "seedbox", groups=("SPARKS", "GECKOS")), by, [RED]
    )
    leak = leak_objects(LeakFacts(7, RELEASE, "high", 2), by, [RED], where_sighted_ref=by)
    link = link_of(GroupLinkFacts("SPARKS", "GECKOS", "shared-host", 0.5, "Same seedbox."), by)
    note = note_of(SupplyFinding("account 12", "Shipped early.", 0.4), [group.id], by)
    shared = [group, other, *host.all(), *leak.all(), link, note]
    report = report_of(
        "Case 3", [o.id for o in shared], key="case:3", published=T2, created_by_ref=by
    )
    bundle = json.loads(
        bundle_of(
            [leaktrace_identity(), *extension_definitions(), agency, *shared, report]
        ).serialize()
    )
    carried = {obj["id"] for obj in bundle["objects"]}
    wanted = _references(bundle["objects"]) - {RED}
    assert wanted - carried == set()
    assert_valid(bundle)


def test_every_type_is_produced() -> None:
    types = {obj["type"] for obj in everything()}
    assert types == {
        "identity",
        "extension-definition",
        "intrusion-set",
        "infrastructure",
        "ipv4-addr",
        "ipv6-addr",
        "domain-name",
        "url",
        "relationship",
        "sighting",
        "x-leaktrace-release",
        "observed-data",
        "note",
        "report",
    }


def test_same_facts_give_the_same_ids_and_objects() -> None:
    first = [json.loads(obj.serialize()) for obj in everything() if obj["type"] != "bundle"]
    second = [json.loads(obj.serialize()) for obj in everything() if obj["type"] != "bundle"]
    assert first == second
    ids = [obj["id"] for obj in first]
    assert len(ids) == len(set(ids))


def test_different_facts_give_different_ids() -> None:
    assert group_id("SPARKS") == group_id("sparks") == group_id(" Sparks ")
    assert group_id("SPARKS") != group_id("GECKOS")
    assert identity_of(AGENCY).id != identity_of(AgencyFacts("DE-BKA", "BKA")).id
    assert release_object(RELEASE).id != release_object(ReleaseFacts(RELEASE.name + "2")).id
    one = leak_objects(LeakFacts(1, RELEASE, "high")).sighting.id
    assert one != leak_objects(LeakFacts(2, RELEASE, "high")).sighting.id
    assert (
        infrastructure_of(HostFacts("203.0.113.7", "topsite")).infrastructure.id
        != infrastructure_of(HostFacts("203.0.113.8", "topsite")).infrastructure.id
    )


def test_each_creator_has_its_own_ids_and_refs_point_to_its_own_objects() -> None:
    fr, de = identity_of(AGENCY).id, identity_of(AgencyFacts("DE-BKA", "BKA")).id
    assert intrusion_set_of(GROUP, fr).id != intrusion_set_of(GROUP, de).id
    assert intrusion_set_of(GROUP, fr).id == group_id("sparks", fr)
    host = HostFacts("203.0.113.7", "seedbox", groups=("SPARKS",))
    assert (
        infrastructure_of(host, fr).infrastructure.id
        != infrastructure_of(host, de).infrastructure.id
    )
    (uses,) = infrastructure_of(host, de).used_by
    assert uses.source_ref == intrusion_set_of(GROUP, de).id
    link = link_of(GroupLinkFacts("SPARKS", "GECKOS", "shared-host", 0.5, "e"), de)
    assert link.source_ref == intrusion_set_of(GROUP, de).id
    assert link.id != link_of(GroupLinkFacts("SPARKS", "GECKOS", "shared-host", 0.5, "e"), fr).id
    assert release_object(RELEASE, fr).id != release_object(RELEASE, de).id


def test_republishing_makes_a_new_version_of_the_same_object() -> None:
    old = intrusion_set_of(GROUP)
    new = intrusion_set_of(GROUP, modified=T2 + timedelta(days=3))
    assert new.id == old.id and new.created == old.created and new.modified > old.modified


def test_the_hosts_role_travels_in_the_extension() -> None:
    seedbox = infrastructure_of(HostFacts("203.0.113.7", "seedbox", "NL")).infrastructure
    assert seedbox.infrastructure_types == ["exfiltration"]
    assert seedbox.extensions[PIRACY_EXTENSION_ID]["role"] == "seedbox"
    assert seedbox.extensions[PIRACY_EXTENSION_ID]["country"] == "NL"
    tracker = infrastructure_of(HostFacts("tracker.example.org", "tracker")).infrastructure
    assert tracker.infrastructure_types == ["unknown"]


def test_intrusion_set_aliases_are_the_other_spellings() -> None:
    group = intrusion_set_of(GROUP, object_marking_refs=[RED])
    assert group.name == "SPARKS"
    assert group.aliases == ["Sparks", "SPRKS"]
    assert group.object_marking_refs == [RED]
    assert group.first_seen == T1 and group.last_seen == T2
    assert group.extensions[PIRACY_EXTENSION_ID]["leaks"] == 6


@pytest.mark.parametrize(
    ("value", "stix_type", "stored"),
    [
        ("203.0.113.7", "ipv4-addr", "203.0.113.7"),
        (" 2001:DB8:0:0::7 ", "ipv6-addr", "2001:db8::7"),
        ("Tracker.Example.ORG.", "domain-name", "tracker.example.org"),
        ("bücher.example", "domain-name", "xn--bcher-kva.example"),
        ("https://index.example.net/t?id=1", "url", "https://index.example.net/t?id=1"),
        ("ftp://203.0.113.7:2121/pub", "url", "ftp://203.0.113.7:2121/pub"),
        ("http://[2001:db8::7]/x", "url", "http://[2001:db8::7]/x"),
    ],
)
def test_the_observable_type_is_chosen_by_parsing(value: str, stix_type: str, stored: str) -> None:
    host = infrastructure_of(HostFacts(value, "topsite", groups=("SPARKS",)))
    assert host.observable.type == stix_type
    assert host.observable.value == stored
    assert host.consists_of.source_ref == host.infrastructure.id
    assert host.consists_of.relationship_type == "consists-of"
    assert host.consists_of.target_ref == host.observable.id
    (uses,) = host.used_by
    assert (uses.source_ref, uses.relationship_type) == (group_id("SPARKS"), "uses")
    assert uses.target_ref == host.infrastructure.id
    for obj in host.all():
        assert_valid(obj)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "not a host",
        "localhost",
        "-bad-.example",
        "a..example.org",
        "example.123",
        "fe80::1%eth0",
        "javascript://alert(1)",
        "http://",
        "http://exa mple.org/",
        "http://example.org:99999/",
        "https://bad_host.example/",
        "x" * 64 + ".example",
    ],
)
def test_bad_host_values_are_refused_on_the_value_field(value: str) -> None:
    with pytest.raises(InputError) as caught:
        infrastructure_of(HostFacts(value, "topsite"))
    assert caught.value.field == "value"


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: intrusion_set_of(GroupFacts("  ", T1, T2)), "name"),
        (lambda: intrusion_set_of(GroupFacts("A\x00B", T1, T2)), "name"),
        (lambda: intrusion_set_of(GroupFacts("SPARKS", T2, T1)), "last_seen"),
        (lambda: intrusion_set_of(GroupFacts("SPARKS", T1.replace(tzinfo=None), T2)), "first_seen"),
        (lambda: intrusion_set_of(GROUP, object_marking_refs=["tlp:red"]), "object_marking_refs"),
        (lambda: release_object(ReleaseFacts("R-G", info_hash="abc")), "info_hash"),
        (lambda: release_object(ReleaseFacts("R-G", lead_days=float("nan"))), "lead_days"),
        (lambda: leak_objects(LeakFacts(1, RELEASE, "high", 0)), "sightings"),
        (lambda: link_of(GroupLinkFacts("A", "B", "k", 1.5, "e")), "strength"),
        (lambda: link_of(GroupLinkFacts("A", "a", "k", 0.5, "e")), "target"),
        (lambda: note_of(SupplyFinding("acct", "why", 0.5), []), "about_refs"),
        (lambda: report_of("R", [], key="case:1", published=T1), "object_refs"),
    ],
)
def test_bad_facts_are_refused_naming_the_field(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        build()
    assert caught.value.field == field


def test_the_release_is_leaktraces_own_sdo_declared_by_its_extension_definition() -> None:
    release = release_object(RELEASE, object_marking_refs=[RED])
    data = json.loads(release.serialize())
    assert data["type"] == "x-leaktrace-release"
    assert data["extensions"] == {RELEASE_EXTENSION_ID: {"extension_type": "new-sdo"}}
    assert data["info_hash"] == "a" * 40 and data["lead_days"] == 12.5
    assert data["window"] == "theatrical" and data["work_year"] == 2024
    definitions = {d.id: d for d in extension_definitions()}
    assert definitions[RELEASE_EXTENSION_ID].extension_types == ["new-sdo"]
    assert definitions[PIRACY_EXTENSION_ID].extension_types == ["property-extension"]
    assert {d.created_by_ref for d in definitions.values()} == {leaktrace_identity().id}
    assert all(
        d.schema.startswith("https://") and d.version == "1.0.0" for d in definitions.values()
    )
    parsed = stix2.parse(data, allow_custom=True)
    assert parsed.type == "x-leaktrace-release" and parsed.name == RELEASE.name


def test_a_leak_is_a_sighting_of_its_groups_intrusion_set() -> None:
    agency = identity_of(AGENCY)
    leak = leak_objects(
        LeakFacts(7, RELEASE, "high", 3), agency.id, [RED], where_sighted_ref=agency.id
    )
    sighting = leak.sighting
    assert sighting.sighting_of_ref == group_id("SPARKS", agency.id)
    assert sighting.sighting_of_ref == intrusion_set_of(GROUP, agency.id).id
    assert sighting.count == 3
    assert sighting.where_sighted_refs == [agency.id]
    magnet, observed = leak.observed
    assert magnet.value == "magnet:?xt=urn:btih:" + "a" * 40
    assert observed.object_refs == [magnet.id] and observed.number_observed == 3
    assert sighting.observed_data_refs == [observed.id]
    fields = sighting.extensions[PIRACY_EXTENSION_ID]
    assert fields["alert_id"] == 7 and fields["severity"] == "high"
    assert fields["release_ref"] == leak.release.id and fields["lead_days"] == 12.5
    assert all(obj.object_marking_refs == [RED] for obj in leak.all())


def test_a_leak_without_group_or_info_hash_is_a_sighting_of_the_release() -> None:
    leak = leak_objects(LeakFacts(8, ReleaseFacts("Other.Show.S01E01-NOGRP"), "low"))
    assert leak.sighting.sighting_of_ref == leak.release.id
    assert leak.observed == ()
    assert "observed_data_refs" not in leak.sighting


def test_links_and_supply_findings_carry_their_evidence_text() -> None:
    link = link_of(GroupLinkFacts("SPARKS", "GECKOS", "shared-host", 0.75, "Same topsite."))
    assert (link.source_ref, link.relationship_type, link.target_ref) == (
        group_id("SPARKS"),
        "related-to",
        group_id("GECKOS"),
    )
    assert link.description == "Same topsite." and link.confidence == 75
    assert link.extensions[PIRACY_EXTENSION_ID]["link_kind"] == "shared-host"
    note = note_of(SupplyFinding("account 12", "Shipped before every leak.", 0.62), [group_id("A")])
    assert note.content == "Shipped before every leak." and note.confidence == 62
    assert note.object_refs == [group_id("A")]


# Property tests: outside text either becomes validator-clean STIX or an InputError.

_text = st.text(st.characters(codec="utf-8"), max_size=40)
_host_value = st.one_of(
    _text,
    st.ip_addresses().map(str),
    domains(),
    urls(),
    st.from_regex(r"[a-zA-Z0-9.-]{1,30}\.[a-z]{2,6}", fullmatch=True),
    st.builds(
        lambda scheme, host, path: f"{scheme}://{host}/{path}",
        st.sampled_from(["http", "https", "ftp", "gopher", ""]),
        st.one_of(_text, st.from_regex(r"[a-z0-9-]{1,12}\.[a-z]{2,4}", fullmatch=True)),
        _text,
    ),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_text, window=_text, title=_text, evidence=_text)
def test_any_release_and_link_text_is_valid_stix_or_an_input_error(
    name: str, window: str, title: str, evidence: str
) -> None:
    release = ReleaseFacts(name, "SPARKS", title, 2024, window, 3.0, None, T1)
    try:
        objects = leak_objects(LeakFacts(1, release, "high")).all()
        objects.append(link_of(GroupLinkFacts("SPARKS", "GECKOS", "k", 0.5, evidence)))
    except InputError as error:
        assert error.field in {"name", "window", "work_title", "evidence"}
        return
    for obj in objects:
        assert_valid(obj)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=_text, spellings=st.lists(_text, max_size=4))
def test_any_group_name_is_valid_stix_or_an_input_error(name: str, spellings: list[str]) -> None:
    try:
        group = intrusion_set_of(GroupFacts(name, T1, T2, tuple(spellings)), None, [RED])
    except InputError as error:
        assert error.field in {"name", "spellings"}
        return
    assert_valid(group)
    assert group.id == group_id(name)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=_host_value, group=_text)
def test_any_host_value_is_valid_stix_or_an_input_error(value: str, group: str) -> None:
    try:
        host = infrastructure_of(HostFacts(value, "topsite", groups=(group,)))
    except InputError as error:
        assert error.field in {"value", "groups"}
        return
    assert host.observable.type in {"ipv4-addr", "ipv6-addr", "domain-name", "url"}
    assert observable_of(value).id == host.observable.id
    for obj in host.all():
        assert_valid(obj)
