"""leaktrace.exchange.markings: TLP 2.0, SIENA handling codes, granular markings.

Every object passes ``stix2-validator`` (STIX 2.1) with no errors and parses with ``stix2``
(``allow_custom=False``). The TLP 2.0 objects are also checked against the OASIS TLP 2.0 JSON
schema, which pins each marking-definition id to its level (the validator does not).

``tlp2_schema.json`` is ``extension-definition-specifications/tlp-2.0/marking-definition.json``
of https://github.com/oasis-open/cti-stix-common-objects (stored version at commit
43be3e67dfe110812e49468937f2d063c8195093; another stored version, 878ed003, is the same text
with a trailing comma that makes it invalid JSON). Its remote ``$ref``s are served here from the
STIX 2.1 schemas bundled in ``stix2-validator``. The repository's licence (LICENSE.md):

    BSD-3-Clause License

    Redistribution and use in source and binary forms, with or without modification, are
    permitted provided that the following conditions are met:
    * Redistributions of source code must retain the above copyright notice, this list of
      conditions and the following disclaimer.
    * Redistributions in binary form must reproduce the above copyright notice, this list of
      conditions and the following disclaimer in the documentation and/or other materials
      provided with the distribution.
    * Neither the name of [This-Open-Repository] nor the names of its contributors may be used
      to endorse or promote products derived from this software without specific prior written
      permission.

    THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS
    OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF
    MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE
    COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL,
    EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE
    GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND
    ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
    NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED
    OF THE POSSIBILITY OF SUCH DAMAGE
"""

from __future__ import annotations

import copy
import itertools
import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import stix2
import stix2validator
from hypothesis import given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource

from leaktrace.errors import InputError
from leaktrace.exchange import markings as m

OASIS_TLP_SCHEMA = Path(__file__).with_name("tlp2_schema.json")

# The id <-> level table of ../shared/DOMAIN.md (and the OASIS files), typed in again on purpose.
DOMAIN_TLP_IDS = {
    "clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

# objects/marking-definition/marking-definition--bab4a63c-...json of cti-stix-common-objects,
# as published (the other four levels differ only in id, name and tlp_2_0).
OASIS_GREEN = {
    "type": "marking-definition",
    "spec_version": "2.1",
    "id": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "created": "2022-10-01T00:00:00.000Z",
    "name": "TLP:GREEN",
    "extensions": {
        "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d": {
            "extension_type": "property-extension",
            "tlp_2_0": "green",
        }
    },
}

SOURCES = [None, "A", "B", "C", "X"]
ACCURACIES = [None, 1, 2, 3, 4]
AGENCY = "identity--6f2a1c1e-3b8e-4b8e-9a55-0c4c6b1f2d3a"


# --- helpers ------------------------------------------------------------------------------------


def validator_result(obj: dict[str, Any]) -> Any:
    return stix2validator.validate_instance(obj, stix2validator.ValidationOptions(version="2.1"))


def assert_valid_stix(obj: dict[str, Any], *, uuid5_id: bool = False) -> None:
    """No validator errors; warnings only the UUIDv4 advice (103) for LeakTrace's UUIDv5 ids."""
    result = validator_result(obj)
    assert result.is_valid, [str(error) for error in result.errors]
    assert result.errors == []
    warnings = [str(warning) for warning in result.warnings]
    if uuid5_id:
        assert all("{103}" in warning for warning in warnings), warnings
    else:
        assert warnings == []
    parsed = stix2.parse(copy.deepcopy(obj), allow_custom=False)
    assert parsed.id == obj["id"]
    assert json.loads(parsed.serialize()) == obj


@cache
def oasis_tlp_validator() -> jsonschema.Draft7Validator:
    schema = json.loads(OASIS_TLP_SCHEMA.read_text(encoding="utf-8"))
    common = Path(stix2validator.__file__).parent / "schemas-2.1" / "schemas" / "common"
    resources = []
    for path in common.glob("*.json"):
        resource = Resource.from_contents(json.loads(path.read_text(encoding="utf-8")))
        tail = "oasis-open/cti-stix2-json-schemas/stix2.1/schemas/common/" + path.name
        for scheme in ("http", "https"):
            resources.append((f"{scheme}://raw.githubusercontent.com/{tail}", resource))
    registry: Registry[Any] = Registry().with_resources(resources)
    return jsonschema.Draft7Validator(schema, registry=registry)


def oasis_tlp_errors(obj: dict[str, Any]) -> list[str]:
    return [error.message for error in oasis_tlp_validator().iter_errors(obj)]


# --- TLP 2.0 ------------------------------------------------------------------------------------


def test_tlp_levels_are_the_five_of_tlp_2_0_in_order() -> None:
    assert m.TLP_LEVELS == ("clear", "green", "amber", "amber+strict", "red")
    assert m.TLP_MARKING_IDS == DOMAIN_TLP_IDS


@pytest.mark.parametrize("level", m.TLP_LEVELS)
def test_tlp_marking_is_the_published_oasis_object(level: str) -> None:
    marking = m.tlp_marking(level)
    expected = copy.deepcopy(OASIS_GREEN)
    expected["id"] = DOMAIN_TLP_IDS[level]
    expected["name"] = "TLP:" + level.upper()
    expected["extensions"][m.TLP_EXTENSION_ID]["tlp_2_0"] = level
    assert marking == expected
    assert list(marking) == ["type", "spec_version", "id", "created", "name", "extensions"]
    assert_valid_stix(marking)
    assert oasis_tlp_errors(marking) == []


def test_green_is_byte_for_byte_the_oasis_file() -> None:
    assert m.tlp_marking("green") == OASIS_GREEN
    assert m.tlp_marking(" GREEN ") == OASIS_GREEN


def test_oasis_schema_pins_each_id_to_its_level() -> None:
    """The schema check is not vacuous: any other id, name or level for a TLP 2.0 object fails."""
    for level, other in itertools.permutations(m.TLP_LEVELS, 2):
        wrong_id = m.tlp_marking(level)
        wrong_id["id"] = DOMAIN_TLP_IDS[other]
        assert oasis_tlp_errors(wrong_id), (level, other)
        wrong_name = m.tlp_marking(level)
        wrong_name["name"] = "TLP:" + other.upper()
        assert oasis_tlp_errors(wrong_name), (level, other)
        wrong_level = m.tlp_marking(level)
        wrong_level["extensions"][m.TLP_EXTENSION_ID]["tlp_2_0"] = other
        assert oasis_tlp_errors(wrong_level), (level, other)
    # ... while the STIX validator alone accepts the mismatch: that is why the schema is checked
    mismatched = m.tlp_marking("clear")
    mismatched["extensions"][m.TLP_EXTENSION_ID]["tlp_2_0"] = "red"
    assert validator_result(mismatched).is_valid


def test_tlp_marking_hands_out_copies() -> None:
    first = m.tlp_marking("amber")
    first["extensions"][m.TLP_EXTENSION_ID]["tlp_2_0"] = "clear"
    first["name"] = "changed"
    assert m.tlp_marking("amber")["name"] == "TLP:AMBER"
    assert m.tlp_marking("amber")["extensions"][m.TLP_EXTENSION_ID]["tlp_2_0"] == "amber"


def test_tlp_extension_definition_is_the_oasis_object() -> None:
    assert m.TLP_EXTENSION_DEFINITION == {
        "id": "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d",
        "type": "extension-definition",
        "spec_version": "2.1",
        "name": "TLP 2.0",
        "description": "This defines TLP 2.0 as a STIX extension",
        "created": "2022-10-01T00:00:00.000Z",
        "modified": "2022-10-01T00:00:00.000Z",
        "created_by_ref": "identity--b3bca3c2-1f3d-4b54-b44f-dac42c3a8f01",
        "schema": "https://github.com/oasis-open/cti-stix-common-objects/tree/master/"
        "extension-definition-specifications/tlp-2.0",
        "version": "1.0.0",
        "extension_types": ["property-extension"],
    }
    assert_valid_stix(m.TLP_EXTENSION_DEFINITION)


@pytest.mark.parametrize("bad", ["white", "amber-strict", "", "TLP:RED", "amber strict"])
def test_unknown_tlp_level_is_refused(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        m.tlp_marking(bad)
    assert caught.value.field == "tlp"
    with pytest.raises(InputError):
        m.stricter(bad, "red")


def test_stricter_orders_the_levels() -> None:
    for i, a in enumerate(m.TLP_LEVELS):
        for j, b in enumerate(m.TLP_LEVELS):
            assert m.stricter(a, b) is (i > j), (a, b)
    assert m.stricter("amber", "green")  # received AMBER, asked GREEN: refuse
    assert not m.stricter("amber", "amber+strict")  # tightening is allowed
    assert m.stricter("amber+strict", "amber")
    assert m.strictest(["green", "red", "amber"]) == "red"
    assert m.strictest([]) is None
    assert [m.tlp_rank(level) for level in m.TLP_LEVELS] == [0, 1, 2, 3, 4]


def test_tlp_of_reads_tlp_2_0_and_1_0_and_fails_closed() -> None:
    for level, marking_id in DOMAIN_TLP_IDS.items():
        assert m.tlp_of([marking_id]) == level
    assert m.tlp_of([]) is None
    assert m.tlp_of(None) is None
    handling = m.handling_marking("H2")["id"]
    assert m.tlp_of([handling]) is None
    assert m.tlp_of([handling, DOMAIN_TLP_IDS["amber"]]) == "amber"
    assert m.tlp_of([DOMAIN_TLP_IDS["green"], DOMAIN_TLP_IDS["red"]]) == "red"
    assert m.tlp_of([stix2.TLP_WHITE.id]) == "clear"
    assert m.tlp_of([stix2.TLP_GREEN.id]) == "green"
    assert m.tlp_of([stix2.TLP_AMBER.id]) == "amber"
    assert m.tlp_of([stix2.TLP_RED.id]) == "red"
    assert m.tlp_of([stix2.TLP_AMBER.id, DOMAIN_TLP_IDS["amber+strict"]]) == "amber+strict"


def test_tlp_2_0_marking_applies_to_an_object_in_a_valid_bundle() -> None:
    group = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": "intrusion-set--9a8a0d25-7636-429b-a99e-b2a73cd0f11f",
        "created": "2026-12-05T10:00:00.000Z",
        "modified": "2026-12-05T10:00:00.000Z",
        "name": "EXAMPLE-GROUP",
        "object_marking_refs": [m.TLP_MARKING_IDS["amber"]],
    }
    bundle = {
        "type": "bundle",
        "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "objects": [m.TLP_EXTENSION_DEFINITION, m.tlp_marking("amber"), group],
    }
    result = validator_result(bundle)
    assert result.is_valid, [str(error) for error in result.errors]
    parsed = stix2.parse(bundle, allow_custom=False)
    assert m.tlp_of(parsed.objects[2].object_marking_refs) == "amber"


# --- LeakTrace identity and handling extension --------------------------------------------------


def test_leaktrace_identity_and_extension_definition_are_valid_and_stable() -> None:
    assert_valid_stix(m.LEAKTRACE_IDENTITY, uuid5_id=True)
    assert_valid_stix(m.HANDLING_EXTENSION_DEFINITION, uuid5_id=True)
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "https://leaktrace.org/stix")
    assert m.LEAKTRACE_STIX_NAMESPACE == namespace
    assert m.LEAKTRACE_IDENTITY["id"] == f"identity--{uuid.uuid5(namespace, 'identity/project')}"
    extension = m.HANDLING_EXTENSION_DEFINITION
    assert extension["id"] == (
        f"extension-definition--{uuid.uuid5(namespace, 'extension/siena-handling')}"
    )
    assert extension["created_by_ref"] == m.LEAKTRACE_IDENTITY["id"]
    assert extension["extension_types"] == ["property-extension"]
    assert extension["version"] == "1.0.0"
    assert extension["schema"] == m.HANDLING_SCHEMA_URL == m.HANDLING_EXTENSION_SCHEMA["$id"]
    assert extension["schema"].startswith("https://")


def test_every_handling_code_source_and_accuracy_combination_validates() -> None:
    handling_schema = jsonschema.Draft7Validator(m.HANDLING_EXTENSION_SCHEMA)
    jsonschema.Draft7Validator.check_schema(m.HANDLING_EXTENSION_SCHEMA)
    seen: set[str] = set()
    for code, source, accuracy in itertools.product(m.HANDLING_CODES, SOURCES, ACCURACIES):
        text = "only for the joint investigation team" if code == "H3" else None
        marking = m.handling_marking(code, text, source, accuracy)
        assert_valid_stix(marking, uuid5_id=True)
        assert list(handling_schema.iter_errors(marking)) == []
        assert oasis_tlp_errors(marking) == []  # not a TLP marking: the OASIS schema lets it be
        assert m.tlp_of([marking["id"]]) is None
        content = marking["extensions"][m.HANDLING_EXTENSION_ID]
        assert content["handling_code"] == code
        assert content.get("source_reliability") == source
        assert content.get("information_accuracy") == accuracy
        assert ("handling_text" in content) is (code == "H3")
        assert m.handling_of(marking) == {
            key: value for key, value in content.items() if key != "extension_type"
        }
        assert marking == m.handling_marking(code, text, source, accuracy)  # deterministic
        seen.add(marking["id"])
    assert len(seen) == len(m.HANDLING_CODES) * len(SOURCES) * len(ACCURACIES)


def test_handling_marking_content() -> None:
    marking = m.handling_marking("h3", "  not before the raid on 12 March  ", "b", "2")
    assert marking["extensions"] == {
        m.HANDLING_EXTENSION_ID: {
            "extension_type": "property-extension",
            "handling_code": "H3",
            "handling_text": "not before the raid on 12 March",
            "source_reliability": "B",
            "information_accuracy": 2,
        }
    }
    assert marking["name"] == "SIENA H3: not before the raid on 12 March (evaluation B2)"
    assert marking["created_by_ref"] == m.LEAKTRACE_IDENTITY_ID
    assert m.handling_marking("H1")["name"] == (
        "SIENA H1: not for judicial proceedings without the provider's permission"
    )
    assert m.handling_of(m.tlp_marking("red")) is None


def test_handling_marking_id_depends_on_content_and_creator() -> None:
    base = m.handling_marking("H2", created_by_ref=AGENCY)
    assert base["created_by_ref"] == AGENCY
    assert_valid_stix(base, uuid5_id=True)
    assert base == m.handling_marking("H2", created_by_ref=AGENCY)
    others = [
        m.handling_marking("H2"),
        m.handling_marking("H1", created_by_ref=AGENCY),
        m.handling_marking("H2", source="A", created_by_ref=AGENCY),
        m.handling_marking("H2", accuracy=1, created_by_ref=AGENCY),
    ]
    assert len({base["id"], *(other["id"] for other in others)}) == 5
    assert m.handling_marking("H3", "a")["id"] != m.handling_marking("H3", "b")["id"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "H4"}, "handling_code"),
        ({"code": ""}, "handling_code"),
        ({"code": "H"}, "handling_code"),
        ({"code": None}, "handling_code"),
        ({"code": "H3"}, "handling_text"),
        ({"code": "H3", "text": ""}, "handling_text"),
        ({"code": "H3", "text": "  \n "}, "handling_text"),
        ({"code": "H3", "text": "x" * (m.MAX_HANDLING_TEXT + 1)}, "handling_text"),
        ({"code": "H3", "text": "bell\x07"}, "handling_text"),
        ({"code": "H3", "text": "null\x00byte"}, "handling_text"),
        ({"code": "H3", "text": "lone \ud800 surrogate"}, "handling_text"),
        ({"code": "H0", "text": "a text on a fixed code"}, "handling_text"),
        ({"code": "H2", "text": ""}, "handling_text"),
        ({"code": "H1", "source": "D"}, "source_reliability"),
        ({"code": "H1", "source": ""}, "source_reliability"),
        ({"code": "H1", "source": 1}, "source_reliability"),
        ({"code": "H1", "accuracy": 0}, "information_accuracy"),
        ({"code": "H1", "accuracy": 5}, "information_accuracy"),
        ({"code": "H1", "accuracy": "A"}, "information_accuracy"),
        ({"code": "H1", "accuracy": True}, "information_accuracy"),
        ({"code": "H1", "accuracy": 2.0}, "information_accuracy"),
        ({"code": "H1", "created_by_ref": "agency-FR"}, "created_by_ref"),
        ({"code": "H1", "created_by_ref": "identity--x"}, "created_by_ref"),
    ],
)
def test_bad_handling_input_is_refused(kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        m.handling_marking(**kwargs)
    assert caught.value.field == field


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=m.MAX_HANDLING_TEXT + 20))
def test_any_h3_text_validates_or_is_refused_cleanly(text: str) -> None:
    try:
        marking = m.handling_marking("H3", text, "C", 3)
    except InputError as error:
        assert error.field == "handling_text"
        return
    content = marking["extensions"][m.HANDLING_EXTENSION_ID]
    assert content["handling_text"] == text.strip()
    assert 0 < len(content["handling_text"]) <= m.MAX_HANDLING_TEXT
    assert_valid_stix(marking, uuid5_id=True)
    assert list(jsonschema.Draft7Validator(m.HANDLING_EXTENSION_SCHEMA).iter_errors(marking)) == []
    # survives a JSON round trip (no lone surrogates, no control characters)
    assert json.loads(json.dumps(marking, ensure_ascii=False).encode("utf-8")) == marking


# --- granular markings --------------------------------------------------------------------------


def test_granular_marking_on_one_sensitive_property_validates() -> None:
    handling = m.handling_marking("H2", created_by_ref=AGENCY)
    group = {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": "intrusion-set--9a8a0d25-7636-429b-a99e-b2a73cd0f11f",
        "created": "2026-12-05T10:00:00.000Z",
        "modified": "2026-12-05T10:00:00.000Z",
        "name": "EXAMPLE-GROUP",
        "aliases": ["EXAMPLE", "EXMPL"],
        "description": "Release group.",
        "object_marking_refs": [m.TLP_MARKING_IDS["green"]],
        "granular_markings": [
            m.granular("red", ["aliases"]),
            m.granular(handling["id"], ["description", "aliases.[1]"]),
        ],
    }
    assert group["granular_markings"] == [
        {"marking_ref": DOMAIN_TLP_IDS["red"], "selectors": ["aliases"]},
        {"marking_ref": handling["id"], "selectors": ["description", "aliases.[1]"]},
    ]
    assert_valid_stix(group)
    parsed = stix2.parse(group, allow_custom=False)
    assert stix2.markings.get_markings(parsed, "aliases") == [DOMAIN_TLP_IDS["red"]]
    assert stix2.markings.get_markings(parsed, "description") == [handling["id"]]


def test_granular_deduplicates_selectors() -> None:
    assert m.granular(DOMAIN_TLP_IDS["amber"], ["name", "name", "aliases.[0]"]) == {
        "marking_ref": DOMAIN_TLP_IDS["amber"],
        "selectors": ["name", "aliases.[0]"],
    }


@pytest.mark.parametrize(
    ("marking_ref", "selectors", "field"),
    [
        ("purple", ["name"], "marking_ref"),
        ("identity--6f2a1c1e-3b8e-4b8e-9a55-0c4c6b1f2d3a", ["name"], "marking_ref"),
        ("marking-definition--nope", ["name"], "marking_ref"),
        ("red", [], "selectors"),
        ("red", "name", "selectors"),
        ("red", [""], "selectors"),
        ("red", ["Name"], "selectors"),
        ("red", ["aliases.[x]"], "selectors"),
        ("red", ["aliases..name"], "selectors"),
        ("red", ["name."], "selectors"),
        ("red", ["id"], "selectors"),
        ("red", ["type"], "selectors"),
        ("red", [3], "selectors"),
    ],
)
def test_bad_granular_input_is_refused(marking_ref: str, selectors: Any, field: str) -> None:
    with pytest.raises(InputError) as caught:
        m.granular(marking_ref, selectors)
    assert caught.value.field == field


# --- received markings: TLP 2.0 objects and handling content -----------------------------------


def test_tlp_level_of_reads_the_published_objects() -> None:
    for level in m.TLP_LEVELS:
        assert m.tlp_level_of(m.tlp_marking(level)) == level
        with_extras = {**m.tlp_marking(level), "created_by_ref": AGENCY, "description": "x"}
        assert oasis_tlp_errors(with_extras) == []
        assert m.tlp_level_of(with_extras) == level
    assert m.tlp_level_of(m.handling_marking("H0")) is None
    assert m.tlp_level_of({"type": "marking-definition", "id": stix2.TLP_RED.id}) is None


def test_tlp_level_of_refuses_a_reserved_id_without_the_extension() -> None:
    """Without ``extensions`` the OASIS schema refuses too; with other extensions only, it lets
    the object pass, and LeakTrace is stricter."""
    for level in m.TLP_LEVELS:
        bare = m.tlp_marking(level)
        del bare["extensions"]
        assert oasis_tlp_errors(bare) != []
        with pytest.raises(InputError) as caught:
            m.tlp_level_of(bare)
        assert caught.value.field == "id"
        other = m.tlp_marking(level)
        other["extensions"] = m.handling_marking("H0")["extensions"]
        assert oasis_tlp_errors(other) == []
        with pytest.raises(InputError) as caught:
            m.tlp_level_of(other)
        assert caught.value.field == "id"
    not_an_object = m.tlp_marking("red")
    not_an_object["extensions"][m.TLP_EXTENSION_ID] = "red"
    with pytest.raises(InputError):
        m.tlp_level_of(not_an_object)


OTHER_IDS = [*DOMAIN_TLP_IDS.values(), stix2.TLP_AMBER.id, m.HANDLING_EXTENSION_ID]
MUTATIONS = st.one_of(
    st.tuples(st.just("id"), st.sampled_from(OTHER_IDS)),
    st.tuples(st.just("name"), st.sampled_from(["TLP:" + lv.upper() for lv in m.TLP_LEVELS])),
    st.tuples(st.just("tlp_2_0"), st.sampled_from([*m.TLP_LEVELS, "white", "AMBER", ""])),
    st.tuples(st.just("extension_type"), st.sampled_from(["property-extension", "new-sdo"])),
    st.tuples(st.just("type"), st.sampled_from(["marking-definition", "identity"])),
    st.tuples(st.just("spec_version"), st.sampled_from(["2.1", "2.0"])),
    st.tuples(st.just("drop"), st.sampled_from(["id", "name", "created", "spec_version", "type"])),
    st.tuples(st.just("extension_key"), st.sampled_from(["note", "tlp"])),
    st.tuples(st.just("other_extension"), st.just(m.HANDLING_EXTENSION_ID)),
    st.tuples(st.just("description"), st.text(max_size=5)),
)


def mutate(marking: dict[str, Any], mutation: tuple[str, Any]) -> None:
    what, value = mutation
    extension = marking["extensions"][m.TLP_EXTENSION_ID]
    if what in ("tlp_2_0", "extension_type"):
        extension[what] = value
    elif what == "drop":
        marking.pop(value, None)
    elif what == "extension_key":
        extension[value] = "x"
    elif what == "other_extension":
        marking["extensions"][value] = {"extension_type": "property-extension"}
    else:
        marking[what] = value


@settings(max_examples=300, deadline=None)
@given(level=st.sampled_from(m.TLP_LEVELS), mutations=st.lists(MUTATIONS, max_size=3))
def test_tlp_level_of_agrees_with_the_oasis_schema(
    level: str, mutations: list[tuple[str, Any]]
) -> None:
    marking = m.tlp_marking(level)
    for mutation in mutations:
        mutate(marking, mutation)
    schema_accepts = oasis_tlp_errors(marking) == []
    try:
        found = m.tlp_level_of(marking)
    except InputError:
        assert not schema_accepts, marking
    else:
        assert schema_accepts, marking
        assert found == marking["extensions"][m.TLP_EXTENSION_ID]["tlp_2_0"]
        assert marking["id"] == DOMAIN_TLP_IDS[found]


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("H2", "extensions"),
        ({"extension_type": "property-extension", "handling_code": "H5"}, "handling_code"),
        ({"extension_type": "property-extension", "handling_code": "H3"}, "handling_text"),
        (
            {"extension_type": "property-extension", "handling_code": "H3", "handling_text": " a"},
            "extensions",
        ),
        (
            {"extension_type": "property-extension", "handling_code": "H1", "handling_text": "a"},
            "handling_text",
        ),
        ({"extension_type": "property-extension", "handling_code": "h1"}, "extensions"),
        ({"extension_type": "new-sdo", "handling_code": "H1"}, "extensions"),
        ({"extension_type": "property-extension", "handling_code": "H1", "x": 1}, "extensions"),
        (
            {
                "extension_type": "property-extension",
                "handling_code": "H1",
                "information_accuracy": 9,
            },
            "information_accuracy",
        ),
        ({"extension_type": "property-extension"}, "handling_code"),
    ],
)
def test_handling_of_refuses_malformed_received_content(content: Any, field: str) -> None:
    marking = m.handling_marking("H1")
    marking["extensions"][m.HANDLING_EXTENSION_ID] = content
    with pytest.raises(InputError) as caught:
        m.handling_of(marking)
    assert caught.value.field == field


def test_handling_of_reads_a_received_marking_of_another_agency() -> None:
    marking = m.handling_marking("H3", "no use in court", "X", 4, created_by_ref=AGENCY)
    received = json.loads(json.dumps(marking))
    assert m.handling_of(received) == {
        "handling_code": "H3",
        "handling_text": "no use in court",
        "source_reliability": "X",
        "information_accuracy": 4,
    }
    assert m.handling_of(m.tlp_marking("amber")) is None
    assert m.handling_of({"type": "marking-definition", "extensions": "broken"}) is None
