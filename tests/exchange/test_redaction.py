"""redact (leaktrace/exchange/redaction.py): granular markings on partners' objects, outside
data. Property tests: a reader outside a RED property's audience (or anyone but the owner
for AMBER+STRICT) gets the object without that property and without the marking that named
it; owner and audience get it whole; nothing else changes; any body is handled."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from leaktrace.exchange.markings import TLP_1_0_IDS, TLP_MARKING_IDS, handling_marking
from leaktrace.exchange.redaction import redact

RED = TLP_MARKING_IDS["red"]
RED_1_0 = next(ref for ref, level in TLP_1_0_IDS.items() if level == "red")
STRICT = TLP_MARKING_IDS["amber+strict"]
OPEN = [TLP_MARKING_IDS[level] for level in ("clear", "green", "amber")]
H1 = handling_marking("H1")["id"]

keys = st.sampled_from(["name", "description", "aliases", "x_account", "goals", "labels"])
values = st.one_of(st.text(max_size=10), st.lists(st.text(max_size=5), max_size=3))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=10,
)


@st.composite
def marked_bodies(draw: st.DrawFn) -> dict[str, Any]:
    props = draw(st.dictionaries(keys, values, min_size=1))
    markings = []
    for _ in range(draw(st.integers(0, 4))):
        ref = draw(st.sampled_from([RED, RED_1_0, STRICT, H1, *OPEN]))
        chosen = draw(st.lists(st.sampled_from(sorted(props)), min_size=1, max_size=3, unique=True))
        selectors = [
            f"{key}.[0]" if isinstance(props[key], list) and draw(st.booleans()) else key
            for key in chosen
        ]
        markings.append({"marking_ref": ref, "selectors": selectors})
    body: dict[str, Any] = {"type": "intrusion-set", "id": "intrusion-set--x", **props}
    if markings:
        body["granular_markings"] = markings
    return body


def hidden_keys(body: dict[str, Any], *, owner: bool, audience: bool) -> set[str]:
    hidden: set[str] = set()
    for marking in body.get("granular_markings", []):
        ref = marking["marking_ref"]
        hides = not owner and (ref == STRICT or (ref in (RED, RED_1_0) and not audience))
        if hides:
            hidden.update(selector.split(".")[0] for selector in marking["selectors"])
    return hidden


@given(marked_bodies(), st.booleans(), st.booleans())
def test_a_reader_gets_exactly_what_its_clearance_reaches(
    body: dict[str, Any], owner: bool, audience: bool
) -> None:
    before = copy.deepcopy(body)
    seen = redact(body, owner=owner, audience=audience)
    assert body == before  # the stored body is never changed
    hidden = hidden_keys(body, owner=owner, audience=audience)
    plain = {k: v for k, v in body.items() if k != "granular_markings"}
    assert {k: v for k, v in seen.items() if k != "granular_markings"} == {
        k: v for k, v in plain.items() if k not in hidden
    }
    for marking in seen.get("granular_markings", []):
        assert marking["selectors"]
        for selector in marking["selectors"]:
            assert selector.split(".")[0] not in hidden  # nothing points at what was taken out
        if hidden:
            assert (
                marking["marking_ref"] not in ((STRICT,) if audience else (RED, RED_1_0, STRICT))
                or owner
            )
    if owner:
        assert seen == body
    if not hidden:
        assert seen == body


@given(marked_bodies())
def test_owner_and_audience_keep_the_red_property(body: dict[str, Any]) -> None:
    audience_view = redact(body, owner=False, audience=True)
    strict_only = {
        s.split(".")[0]
        for m in body.get("granular_markings", [])
        if m["marking_ref"] == STRICT
        for s in m["selectors"]
    }
    for key in set(body) - strict_only - {"granular_markings"}:
        assert audience_view[key] == body[key]


@given(st.dictionaries(st.text(max_size=8), json_values, max_size=5), st.booleans(), st.booleans())
def test_any_body_is_handled(body: dict[str, Any], owner: bool, audience: bool) -> None:
    redact(body, owner=owner, audience=audience)


@given(json_values, st.booleans(), st.booleans())
def test_any_granular_markings_value_is_handled(markings: Any, owner: bool, audience: bool) -> None:
    body = {"type": "intrusion-set", "name": "n", "granular_markings": markings}
    seen = redact(body, owner=owner, audience=audience)
    assert seen.get("type") == "intrusion-set"


def test_a_nested_selector_hides_only_that_property() -> None:
    body = {
        "type": "x-leak",
        "id": "x-leak--1",
        "extensions": {"ext": {"uploader": "bob", "window": 3}},
        "granular_markings": [
            {"marking_ref": RED, "selectors": ["extensions.ext.uploader"]},
            {"marking_ref": OPEN[1], "selectors": ["extensions.ext.window", "extensions"]},
        ],
    }
    seen = redact(body, owner=False, audience=False)
    assert seen["extensions"] == {"ext": {"window": 3}}
    assert seen["granular_markings"] == [
        {"marking_ref": OPEN[1], "selectors": ["extensions.ext.window", "extensions"]}
    ]
