"""Median, percentiles and hours (leaktrace.notices.stats), checked against numpy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.notices.stats import hours_between, median, percentile


def test_small_cases() -> None:
    assert median([]) is None and percentile([], 90) is None
    assert median([5.0]) == 5.0 and percentile([5.0], 90) == 5.0
    assert median([1, 3]) == 2.0
    assert median([3, 1, 2]) == 2.0
    assert percentile([1, 2, 3, 4], 90) == pytest.approx(3.7)
    assert percentile(range(1, 11), 90) == pytest.approx(9.1)
    assert percentile([1, 2, 3, 4], 0) == 1 and percentile([1, 2, 3, 4], 100) == 4
    assert median([float("nan"), 4.0]) == 4.0


@pytest.mark.parametrize("q", [-1, 100.5, float("nan")])
def test_bad_percentile(q: float) -> None:
    with pytest.raises(ValueError):
        percentile([1.0], q)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50),
    st.floats(0, 100),
)
def test_like_numpy_linear(values: list[float], q: float) -> None:
    found = percentile(values, q)
    assert found == pytest.approx(float(numpy.percentile(values, q)), rel=1e-9, abs=1e-6)
    assert median(values) == pytest.approx(float(numpy.median(values)), rel=1e-9, abs=1e-6)


def test_hours_between() -> None:
    a = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    assert hours_between(a, a + timedelta(hours=36, minutes=30)) == 36.5
    assert hours_between(a + timedelta(hours=2), a) == -2
    assert hours_between(a.replace(tzinfo=None), a + timedelta(hours=1)) == 1
    paris = timezone(timedelta(hours=1))
    assert hours_between(a, datetime(2026, 12, 1, 12, 0, tzinfo=paris)) == 1
