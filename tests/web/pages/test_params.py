"""Page query parameters: any string a browser or scanner sends is a value or an
InputError naming the field, never another exception (hypothesis)."""

from __future__ import annotations

from datetime import UTC

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.web.pages import params


@given(st.text(max_size=300))
def test_every_parser_answers_a_value_or_an_input_error(raw: str) -> None:
    parsers = [
        lambda: params.text(raw, "f"),
        lambda: params.cursor(raw),
        lambda: params.choice(raw, "f", ["low", "high"]),
        lambda: params.integer(raw, "f", low=1, high=500),
        lambda: params.moment(raw, "f"),
        lambda: params.identifier(raw, "f"),
    ]
    for parse in parsers:
        try:
            parse()
        except InputError as exc:
            assert exc.field == "f" or exc.field == "cursor"


@given(st.integers(min_value=-(10**30), max_value=10**30))
def test_integers_are_bounded(number: int) -> None:
    try:
        value = params.integer(str(number), "limit", low=1, high=500)
    except InputError:
        assert not 1 <= number <= 500
    else:
        assert value == number


@given(st.datetimes(timezones=st.timezones() | st.none()))
def test_moments_are_utc(moment: object) -> None:
    text = moment.isoformat()  # type: ignore[attr-defined]
    try:
        parsed = params.moment(text, "since")
    except InputError:
        return
    assert parsed is not None
    assert parsed.tzinfo is UTC


def test_choice_is_case_insensitive_and_empty_is_none() -> None:
    assert params.choice(" High ", "severity", ["low", "high"]) == "high"
    assert params.choice("", "severity", ["low", "high"]) is None
    with pytest.raises(InputError) as caught:
        params.choice("' OR 1=1 --", "severity", ["low", "high"])
    assert caught.value.field == "severity"


def test_control_characters_and_long_values_are_refused() -> None:
    with pytest.raises(InputError):
        params.text("a\x00b", "group")
    with pytest.raises(InputError):
        params.text("x" * 201, "group")
    assert params.cursor("c" * 2048) == "c" * 2048


@pytest.mark.parametrize("raw", ["\u0661", "1_0", "+1", "\uff11", "1.0", "0x1", "1e3"])
def test_only_ascii_digits_are_whole_numbers(raw: str) -> None:
    """int() reads '١' (Arabic-Indic) and '1_0' as numbers; a page's ids and numbers
    are ASCII digits, as the API's are."""
    with pytest.raises(InputError) as refused:
        params.identifier(raw, "operation_id")
    assert refused.value.field == "operation_id"
    assert params.identifier("12", "operation_id") == 12
