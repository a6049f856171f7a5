"""How long to wait before trying a source again: backoff after failures, ``Retry-After``."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol

__all__ = ["backoff_delay", "parse_retry_after"]


class _Random(Protocol):
    def random(self) -> float: ...


def backoff_delay(failures: int, base: float, cap: float, rng: _Random | None = None) -> float:
    """Seconds to wait after ``failures`` consecutive failures: exponential, full jitter.

    Uniform in ``[0, min(cap, base * 2 ** (failures - 1))]``; 0 when there was no failure.
    """
    if failures <= 0 or base <= 0 or cap <= 0:
        return 0.0
    upper = min(cap, base * math.pow(2.0, min(failures - 1, 60)))
    return (rng or random).random() * upper


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date), never negative."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(min(int(text), 7 * 86400))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, min(delta, 7 * 86400.0))
