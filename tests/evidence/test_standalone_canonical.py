"""The verifier's stdlib RFC 8785 check agrees byte for byte with the rfc8785 library on
float-free JSON, and refuses what is not exactly canonical."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.evidence.standalone import canonical_entry, parse_canonical

LIMIT = 2**53 - 1

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-LIMIT, LIMIT)
    | st.text()
    | st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x3F))
    | st.text(alphabet=st.characters(min_codepoint=0xE000, max_codepoint=0x1F9FF))
)
float_free_json = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.text()
            | st.text(alphabet=st.characters(min_codepoint=0xE000, max_codepoint=0x1F9FF)),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@settings(max_examples=400, deadline=None)
@given(float_free_json)
def test_same_bytes_as_the_rfc8785_library(value: Any) -> None:
    expected = rfc8785.dumps(value)
    assert canonical_entry(value) == expected
    assert parse_canonical(expected) == value


@settings(max_examples=300, deadline=None)
@given(float_free_json)
def test_accepted_exactly_when_canonical(value: Any) -> None:
    """Written with the keys in whatever order hypothesis made them: accepted exactly
    when that is the RFC 8785 order."""
    data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    if data == rfc8785.dumps(value):
        assert parse_canonical(data) == value
    else:
        with pytest.raises(ValueError, match="canonical"):
            parse_canonical(data)


def test_keys_sort_by_utf16_code_units_not_code_points() -> None:
    # U+1F600 is the surrogate pair D83D DE00 in UTF-16: it sorts before U+E000
    value = {"\ue000": 1, "\U0001f600": 2}
    assert canonical_entry(value) == rfc8785.dumps(value)
    assert parse_canonical(rfc8785.dumps(value)) == value
    with pytest.raises(ValueError, match="keys out of order"):
        parse_canonical('{"\ue000":1,"\U0001f600":2}'.encode())
    assert canonical_entry(value).decode().index("\U0001f600") < canonical_entry(
        value
    ).decode().index("\ue000")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b'{"a": 1}', "canonical"),
        (b'{"b":1,"a":2}', "canonical"),
        (b'{"a":1.0}', "not an integer"),
        (b'{"a":1e3}', "not an integer"),
        (b'{"a":NaN}', "not an integer"),
        (b'{"a":-0}', "canonical"),
        (b'{"a":9007199254740993}', "too large"),
        (b'{"a":"\\u0041"}', "canonical"),
        (b'{"a":"\\/"}', "canonical"),
        (b'{"a":1,"a":1}', "canonical"),
        (b'{"a":"\xff"}', "not UTF-8"),
        (b'{"a":"\\ud800"}', "surrogate"),
        (b'{"a":1} ', "canonical"),
        (b'{"a":', "not JSON"),
    ],
)
def test_non_canonical_input_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_canonical(data)
