"""check_object and classify (leaktrace/exchange/classify.py): partners' objects are outside
data. Property tests: check_object accepts exactly STIX-shaped objects and refuses the rest
with an InputError naming the field; classify gives the strictest TLP (2.0 and 1.0 ids), the
highest handling code, fails closed on markings it cannot understand, and marks support
objects with what needs them."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.exchange.classify import MAX_OBJECT_BYTES, check_object, classify
from leaktrace.exchange.markings import (
    HANDLING_CODES,
    HANDLING_EXTENSION_DEFINITION,
    HANDLING_EXTENSION_ID,
    TLP_1_0_IDS,
    TLP_LEVELS,
    TLP_MARKING_IDS,
    handling_marking,
    tlp_marking,
)

TLP_1_0 = {level: ref for ref, level in TLP_1_0_IDS.items()}
ORDER: list[str] = list(TLP_LEVELS)
OWNER_IDENTITY = {
    "type": "identity",
    "spec_version": "2.1",
    "id": "identity--" + str(uuid.uuid4()),
    "created": "2026-01-01T00:00:00.000Z",
    "modified": "2026-01-01T00:00:00.000Z",
    "name": "NL-OWN",
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def intrusion_set(refs: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "type": "intrusion-set",
        "spec_version": "2.1",
        "id": f"intrusion-set--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-02T00:00:00.5Z",
        "name": "group",
        "object_marking_refs": refs,
        **extra,
    }


# --- check_object ------------------------------------------------------------------------------


@given(json_values)
def test_check_object_refuses_anything_with_an_input_error(value: object) -> None:
    try:
        checked = check_object(value, "objects[3]")
    except InputError as error:
        assert error.field is not None and error.field.startswith("objects[3]")
        return
    assert isinstance(checked, dict) and checked == value


@given(
    st.dictionaries(
        st.sampled_from(
            [
                "type",
                "id",
                "spec_version",
                "created",
                "modified",
                "object_marking_refs",
                "granular_markings",
                "created_by_ref",
                "name",
            ]
        ),
        json_values,
    )
)
def test_check_object_on_near_objects(fields: dict[str, object]) -> None:
    good = intrusion_set([])
    item = {**good, **fields}
    try:
        check_object(item, "objects[0]")
    except InputError as error:
        assert error.field is not None and error.field.startswith("objects[0]")
        changed = {key for key in fields if key not in good or fields[key] != good[key]}
        blamed = changed | {"objects[0]"} | ({"id"} if "type" in changed else set())
        assert error.field.split(".", 1)[-1] in blamed


def test_check_object_names_the_bad_field() -> None:
    cases: dict[str, dict[str, Any]] = {
        "type": {"type": "Intrusion Set"},
        "id": {"id": "indicator--" + str(uuid.uuid4())},
        "spec_version": {"spec_version": "3.0"},
        "modified": {"modified": "yesterday"},
        "object_marking_refs": {"object_marking_refs": "marking-definition--x"},
        "granular_markings": {"granular_markings": [{"marking_ref": "x"}]},
        "created_by_ref": {"created_by_ref": "organization--1"},
    }
    for field, change in cases.items():
        with pytest.raises(InputError) as caught:
            check_object({**intrusion_set([]), **change}, "objects[7]")
        assert caught.value.field == f"objects[7].{field}"
    with pytest.raises(InputError) as caught:
        check_object(intrusion_set([], description="x" * MAX_OBJECT_BYTES), "objects[1]")
    assert caught.value.field == "objects[1]"


def test_unknown_types_and_properties_are_kept() -> None:
    odd = {
        "type": "x-partner-thing",
        "spec_version": "2.1",
        "id": f"x-partner-thing--{uuid.uuid4()}",
        "x_custom": {"nested": [1, 2]},
        "extensions": {"extension-definition--" + str(uuid.uuid4()): {"a": 1}},
    }
    (item,) = classify([check_object(odd)])
    assert item.body == odd and item.stix_type == "x-partner-thing"
    assert item.version is None and item.tlp is None and not item.restricted


# --- classify: TLP ---------------------------------------------------------------------------


@given(st.lists(st.tuples(st.sampled_from(ORDER), st.booleans()), min_size=1, max_size=5))
def test_several_tlp_markings_give_the_strictest(levels: list[tuple[str, bool]]) -> None:
    refs = []
    for level, old in levels:
        old_ok = old and level in TLP_1_0
        refs.append(TLP_1_0[level] if old_ok else TLP_MARKING_IDS[level])  # type: ignore[index]
    (item,) = classify([check_object(intrusion_set(refs))])
    assert item.tlp == max((level for level, _ in levels), key=ORDER.index)
    assert not item.restricted


@pytest.mark.parametrize(("ref", "level"), sorted(TLP_1_0_IDS.items()))
def test_tlp_1_0_ids(ref: str, level: str) -> None:
    (item,) = classify([check_object(intrusion_set([ref]))])
    assert item.tlp == level and not item.restricted
    assert level != "clear" or ref.endswith("613f2e26-407d-48c7-9eca-b8e91df99dc9")  # WHITE


def test_tlp_2_0_definitions_sent_along_are_support() -> None:
    red = tlp_marking("red")
    item = intrusion_set([red["id"]])
    marking, obj = classify([check_object(red), check_object(item)])
    assert marking.support and not obj.support
    assert obj.tlp == "red" and red["id"] in obj.needs
    assert marking.tlp is None and not marking.restricted


def test_a_forged_tlp_definition_fails_closed() -> None:
    forged = tlp_marking("clear")
    forged["id"] = "marking-definition--" + str(uuid.uuid4())  # CLEAR under an id not its own
    item = intrusion_set([forged["id"]])
    _, obj = classify([check_object(forged), check_object(item)])
    assert obj.restricted


# --- classify: handling and fail closed -------------------------------------------------------


@given(st.lists(st.sampled_from(HANDLING_CODES), min_size=1, max_size=4, unique=True))
def test_the_highest_handling_code_wins(codes: list[str]) -> None:
    markings = [handling_marking(c, "see the case file" if c == "H3" else None) for c in codes]
    obj = intrusion_set([TLP_MARKING_IDS["green"], *(m["id"] for m in markings)])
    *defs, item = classify([*markings, obj])
    assert item.handling == max(codes, key=list(HANDLING_CODES).index)
    assert not item.restricted and item.tlp == "green"
    assert all(d.support for d in defs)


def test_h3_text_travels_with_the_object() -> None:
    text = "Not to be used for arrests before 2027; ask the Dutch team first"
    marking = handling_marking("H3", text)
    obj = intrusion_set([marking["id"]])
    definition, item = classify([marking, obj])
    assert item.handling == "H3" and marking["id"] in item.needs
    assert definition.support
    assert definition.body["extensions"][HANDLING_EXTENSION_ID]["handling_text"] == text
    # classified later against the stored definition (another batch): the same
    (again,) = classify([obj], known={marking["id"]: marking})
    assert again.handling == "H3" and not again.restricted


@given(
    st.dictionaries(st.text(min_size=1, max_size=10), json_values, max_size=4),
    st.sampled_from(["object_marking_refs", "granular_markings"]),
)
def test_a_marking_nobody_here_understands_restricts(content: dict[str, Any], where: str) -> None:
    """Fail closed: an object-level marking not understood restricts the whole object (its
    owner alone sees it); a granular one hides the properties it marks (``hiding``)."""
    foreign: dict[str, Any] = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "extensions": {f"extension-definition--{uuid.uuid4()}": content},
    }
    if where == "object_marking_refs":
        obj = intrusion_set([TLP_MARKING_IDS["clear"], foreign["id"]])
    else:
        obj = intrusion_set(
            [TLP_MARKING_IDS["clear"]],
            granular_markings=[{"marking_ref": foreign["id"], "selectors": ["name"]}],
        )
    _, item = classify([check_object(foreign), check_object(obj)])
    if where == "object_marking_refs":
        assert item.restricted
    else:
        assert not item.restricted and item.hiding == {foreign["id"]: "unknown"}
        assert foreign["id"] not in item.needs  # its definition would tell it was there


@given(json_values)
def test_a_broken_handling_marking_restricts(content: Any) -> None:
    broken: dict[str, Any] = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": f"marking-definition--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "extensions": {HANDLING_EXTENSION_ID: content},
    }
    obj = intrusion_set([broken["id"]])
    _, item = classify([check_object(broken), check_object(obj)])
    good = isinstance(content, dict) and content.get("extension_type") == "property-extension"
    if not good:
        assert item.restricted
    if not item.restricted:
        assert item.handling in HANDLING_CODES


def test_a_ref_to_nothing_restricts() -> None:
    (item,) = classify([check_object(intrusion_set([f"marking-definition--{uuid.uuid4()}"]))])
    assert item.restricted


# --- classify: support and needs --------------------------------------------------------------


def test_needs_are_the_closure_and_every_definition_is_support() -> None:
    marking = handling_marking("H1", created_by_ref=OWNER_IDENTITY["id"])
    lonely = dict(OWNER_IDENTITY, id="identity--" + str(uuid.uuid4()))
    obj = intrusion_set(
        [TLP_MARKING_IDS["amber"], marking["id"]], created_by_ref=OWNER_IDENTITY["id"]
    )
    obj["granular_markings"] = [
        {"marking_ref": TLP_MARKING_IDS["red"], "selectors": ["description"]},
        {"marking_ref": TLP_MARKING_IDS["green"], "selectors": ["name"]},
    ]
    obj["description"] = "secret"
    batch = [OWNER_IDENTITY, lonely, marking, HANDLING_EXTENSION_DEFINITION, obj]
    identity, other, definition, extension, item = classify([check_object(o) for o in batch])
    assert set(item.needs) == {
        TLP_MARKING_IDS["amber"],
        TLP_MARKING_IDS["green"],
        marking["id"],
        OWNER_IDENTITY["id"],
        HANDLING_EXTENSION_ID,
        HANDLING_EXTENSION_DEFINITION["created_by_ref"],
    }
    # the RED granular marking is not needed: needing it would tell a reader it was there
    assert TLP_MARKING_IDS["red"] not in item.needs
    assert identity.support and definition.support and extension.support
    # every definition and identity is support, whatever batch it came in: one that nothing
    # needs yet is seen by its owner alone (it may be needed by a later batch)
    assert other.support
    assert item.handling == "H1" and item.tlp == "amber" and item.creator == OWNER_IDENTITY["id"]
    assert json.loads(json.dumps(item.body)) == obj
