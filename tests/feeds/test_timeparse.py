from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leaktrace.feeds import parse_time


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
