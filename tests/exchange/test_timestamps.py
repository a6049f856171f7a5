"""parse_timestamp / stamp / stamp_text (leaktrace/exchange/timestamps.py): partners' times,
outside data. Property tests: any valid STIX timestamp parses to the right moment and its
normalised text sorts as the times do; anything else is an InputError naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.exchange.timestamps import parse_timestamp, stamp, stamp_text

moments = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.just(UTC)
)


def stix_text(moment: datetime, digits: int) -> str:
    base = f"{moment.year:04d}-" + moment.strftime("%m-%dT%H:%M:%S")
    if digits == 0:
        return base + "Z"
    fraction = f"{moment.microsecond:06d}".ljust(9, "7")[:digits]
    return f"{base}.{fraction}Z"


@given(moments, st.integers(min_value=0, max_value=9))
def test_any_stix_timestamp_parses_to_its_moment(moment: datetime, digits: int) -> None:
    text = stix_text(moment, digits)
    parsed = parse_timestamp(text, "created")
    kept = min(digits, 6)
    micro = int(f"{moment.microsecond:06d}"[:kept].ljust(6, "0")) if kept else 0
    assert parsed == moment.replace(microsecond=micro)
    assert parsed.tzinfo is not None and parsed.utcoffset() == timedelta(0)
    assert stamp_text(text, "created") == stamp(parsed)
    assert len(stamp(parsed)) == 27 and stamp(parsed).endswith("Z")


@given(moments, moments)
def test_normalised_text_sorts_as_the_times(a: datetime, b: datetime) -> None:
    assert (stamp(a) < stamp(b)) == (a < b)
    assert (stamp(a) == stamp(b)) == (a == b)
    assert parse_timestamp(stamp(a), "x") == a


@given(
    st.datetimes(min_value=datetime(1970, 1, 2), timezones=st.just(timezone(timedelta(hours=2))))
)
def test_stamp_converts_to_utc(moment: datetime) -> None:
    assert parse_timestamp(stamp(moment), "x") == moment


def test_stamp_refuses_a_naive_time() -> None:
    with pytest.raises(ValueError):
        stamp(datetime(2026, 1, 1))


@given(st.one_of(st.text(max_size=40), st.integers(), st.none(), st.floats(), st.lists(st.text())))
def test_anything_else_is_an_input_error_naming_the_field(value: object) -> None:
    if isinstance(value, str) and value.endswith("Z"):
        try:
            parse_timestamp(value, "modified")
        except InputError as error:
            assert error.field == "modified"
        return
    with pytest.raises(InputError) as caught:
        parse_timestamp(value, "modified")
    assert caught.value.field == "modified"


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30T00:00:00Z",  # no such day
        "2026-01-01T24:00:00Z",
        "2026-01-01T00:00:00+00:00",  # STIX wants the Z
        "2026-01-01 00:00:00Z",
        "2026-01-01T00:00:00.Z",
        "2026-01-01T00:00:00.1234567890Z",  # ten digits
        "2026-01-01T00:00:00z",
        pytest.param("２０２６-01-01T00:00:00Z", id="fullwidth"),  # other digits
        "2026-01-01T00:00:00Z\n",
    ],
)
def test_near_misses_are_refused(text: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_timestamp(text, "created")
    assert caught.value.field == "created"


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_years_before_1000_keep_their_order(moment: datetime) -> None:
    text = stix_text(moment, 6)
    assert stamp_text(text, "modified") < stamp_text("2026-01-01T00:00:00Z", "modified") or (
        moment >= datetime(2026, 1, 1)
    )
    assert stamp_text(text, "modified")[:4] == text[:4]
