from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.feeds import parse_time
from leaktrace.feeds.timeparse import iso_text


def test_formats() -> None:
    expected = datetime(2020, 8, 25, 14, 3, tzinfo=UTC)
    assert parse_time("2020-08-25T14:03:00Z") == expected
    assert parse_time("2020-08-25T16:03:00+02:00") == expected
    assert parse_time(1598364180) == expected
    assert parse_time(1598364180.0) == expected
    assert parse_time("1598364180") == expected


@pytest.mark.parametrize(
    "value",
    [
        "2020-08-25",
        "2020-08-25T14:03",
        "soon",
        "",
        None,
        [],
        float("nan"),
        float("inf"),
        10**20,
        "9" * 100,
    ],
)
def test_refused(value: object) -> None:
    with pytest.raises(ValueError):
        parse_time(value)


@given(
    st.datetimes(
        min_value=datetime(1990, 1, 2),
        max_value=datetime(2099, 12, 30),
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
        ),
    )
)
def test_iso_round_trip(moment: datetime) -> None:
    assert parse_time(moment.isoformat()) == moment


@given(st.text(max_size=80))
def test_text_gives_time_or_value_error(text: str) -> None:
    try:
        result = parse_time(text)
    except ValueError:
        return
    assert result.tzinfo is not None


def _reference(value: str) -> datetime:
    """parse_time of text as it was before the ISO fast path (float() tried first)."""
    text = value.strip()
    if not text:
        raise ValueError("empty time")
    if len(text) > 64:
        raise ValueError("time text is too long")
    try:
        return parse_time(float(text))
    except ValueError as exc:
        if not str(exc).startswith("could not convert"):
            raise
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time (expected ISO 8601 with an offset, e.g. "
            "2020-08-25T14:03:00Z, or Unix seconds)"
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{text!r} has no UTC offset (add Z or +hh:mm)")
    moment = parsed.astimezone(UTC)
    if not datetime(1990, 1, 1, tzinfo=UTC) <= moment < datetime(2100, 1, 1, tzinfo=UTC):
        raise ValueError(f"{moment.isoformat()} is outside 1990-2099")
    return moment


def _outcome(read: Callable[[str], datetime], text: str) -> datetime | str:
    try:
        return read(text)
    except ValueError as exc:
        return str(exc)


@given(
    st.one_of(
        st.text(alphabet="0123456789-+.eE_:TZ ", max_size=30),
        st.from_regex(r"\A ?[0-9]{3,5}[-.eE0-9]{0,4}[-0-9T:.Z+]{0,20} ?\Z"),
        st.datetimes(
            min_value=datetime(1980, 1, 1),
            max_value=datetime(2110, 12, 31),
            timezones=st.sampled_from([UTC, timezone(timedelta(hours=2))]),
        ).map(lambda d: d.isoformat()),
    )
)
def test_iso_texts_skip_float_with_the_same_outcome(text: str) -> None:
    """Texts like ``2020-...`` go straight to the ISO reader: every text gives the same
    time, or the same refusal, as trying float() first did."""
    assert _outcome(parse_time, text) == _outcome(_reference, text)


@given(
    st.datetimes(
        min_value=datetime(1, 1, 1),
        max_value=datetime(9999, 12, 31),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=-3, minutes=-30))]),
    )
)
def test_iso_text_is_isoformat(moment: datetime) -> None:
    assert iso_text(moment) == moment.isoformat()
