from __future__ import annotations

import math
import random

import pytest

from leaktrace.impact.hll import HyperLogLog


def _filled(values: range | list[str], precision: int = 14, prefix: str = "") -> HyperLogLog:
    sketch = HyperLogLog(precision)
    for value in values:
        sketch.add(f"{prefix}{value}")
    return sketch


@pytest.mark.parametrize("precision", [12, 13, 14])
def test_error_on_100000_distinct_values_is_within_three_sigma(precision: int) -> None:
    n = 100_000
    sketch = _filled(range(n), precision, prefix="peer-")
    sigma = 1.04 / math.sqrt(1 << precision)
    assert abs(sketch.estimate() / n - 1) < 3 * sigma
    assert abs(sketch.estimate("improved") / n - 1) < 3 * sigma


def test_duplicates_do_not_count() -> None:
    sketch = _filled(list(map(str, range(5000))) * 4)
    assert abs(sketch.estimate() / 5000 - 1) < 0.02


@pytest.mark.parametrize("n", [0, 1, 10, 100, 1000])
def test_small_range_uses_linear_counting(n: int) -> None:
    sketch = _filled(range(n))
    assert abs(sketch.estimate() - n) <= max(1.0, 0.01 * n)


def test_whole_range_with_both_estimators() -> None:
    rng = random.Random(7)
    for n in (2_000, 20_000, 45_000, 70_000):
        sketch = _filled(range(n), 12, prefix=f"{rng.random()}-")
        sigma = 1.04 / math.sqrt(1 << 12)
        assert abs(sketch.estimate() / n - 1) < 4 * sigma, n
        assert abs(sketch.estimate("improved") / n - 1) < 4 * sigma, n


def test_merge_equals_the_sketch_of_the_union() -> None:
    a = _filled(range(0, 60_000), 12)
    b = _filled(range(40_000, 100_000), 12)
    union = _filled(range(0, 100_000), 12)
    merged = a.union(b)
    assert merged == union
    assert merged.estimate() == union.estimate()
    a.merge(b)
    assert a == union
    sigma = 1.04 / math.sqrt(1 << 12)
    assert abs(merged.estimate() / 100_000 - 1) < 3 * sigma


def test_merge_is_commutative_associative_and_idempotent() -> None:
    parts = [_filled(range(i * 1000, i * 1000 + 3000), 12) for i in range(4)]
    left = parts[0].union(parts[1]).union(parts[2]).union(parts[3])
    right = parts[3].union(parts[2].union(parts[1].union(parts[0])))
    assert left == right
    assert left.union(left) == left


def test_merge_needs_equal_precision() -> None:
    with pytest.raises(ValueError):
        HyperLogLog(12).merge(HyperLogLog(14))


def test_serialisation_round_trip() -> None:
    sketch = _filled(range(1234), 12)
    assert HyperLogLog.from_bytes(sketch.to_bytes()) == sketch
    with pytest.raises(ValueError):
        HyperLogLog.from_bytes(b"\x01\x0c\x00")
    with pytest.raises(ValueError):
        HyperLogLog(3)
