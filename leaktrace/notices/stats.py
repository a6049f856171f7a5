"""The figures of takedown: median and percentiles of times to takedown, in hours.

:func:`percentile` interpolates linearly between the two nearest ranks, exactly as
``numpy.percentile(values, q)`` does by default (``method="linear"``): the rank of ``q``
is ``(n - 1) * q / 100`` over the sorted values."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime

__all__ = ["hours_between", "median", "percentile"]


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0 ≤ q ≤ 100) of ``values``; None when there are none.
    NaN values are left out. ``ValueError`` for a ``q`` outside 0..100."""
    if not 0 <= q <= 100 or math.isnan(q):
        raise ValueError(f"percentile {q} is not between 0 and 100")
    ordered = sorted(float(v) for v in values if not math.isnan(v))
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    fraction = rank - low
    if fraction == 0 or ordered[low] == ordered[high]:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


def median(values: Iterable[float]) -> float | None:
    """The median of ``values`` (the 50th percentile); None when there are none."""
    return percentile(values, 50)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def hours_between(a: datetime, b: datetime) -> float:
    """Hours from ``a`` to ``b`` (negative when ``b`` is earlier); a time without a
    time zone is taken as UTC, as the store keeps them."""
    return (_aware(b) - _aware(a)).total_seconds() / 3600
