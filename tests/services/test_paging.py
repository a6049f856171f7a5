"""Cursors round-trip, and anything else is an InputError on field 'cursor'."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.services.paging import MAX_PAGE_SIZE, decode_cursor, encode_cursor, page_size

_values = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)


@given(st.lists(_values, min_size=1, max_size=4))
def test_cursor_round_trip(values: list[object]) -> None:
    cursor = encode_cursor("leaks", values)
    assert decode_cursor("leaks", cursor, len(values)) == values


@given(st.text(max_size=300))
def test_any_text_is_a_cursor_or_an_input_error(text: str) -> None:
    try:
        decode_cursor("leaks", text, 2)
    except InputError as exc:
        assert exc.field == "cursor"


def _raw(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "payload",
    [
        json.dumps(["audit", 10**30]),
        '["audit", 1e999]',
        '["audit", NaN]',
        json.dumps(["audit", True]),
        json.dumps(["audit", [1]]),
        json.dumps(["leaks", 1]),
        json.dumps(["audit", 1, 2]),
    ],
)
def test_crafted_cursors_are_refused(payload: str) -> None:
    with pytest.raises(InputError) as caught:
        decode_cursor("audit", _raw(payload), 1)
    assert caught.value.field == "cursor"


def test_page_size_bounds() -> None:
    assert page_size(None) == 50
    assert page_size(MAX_PAGE_SIZE) == MAX_PAGE_SIZE
    for bad in (0, MAX_PAGE_SIZE + 1):
        with pytest.raises(InputError):
            page_size(bad)
