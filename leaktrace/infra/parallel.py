"""Ask many slow things at once, with one time limit for all: DNS and TLS look-ups.

The system resolver has no time limit of its own, so a thread stuck in it cannot be
stopped; :func:`ask_all` stops *waiting* for it once ``timeout`` seconds have passed and
returns the answers that came. The stuck threads end when the resolver gives up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import TypeVar

__all__ = ["ask_all"]

T = TypeVar("T")


def ask_all(
    values: Sequence[str],
    ask: Callable[[str], T],
    *,
    timeout: float,
    workers: int = 16,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, T]:
    """``ask`` each value in parallel threads; the answers that came within ``timeout``
    seconds in all, by value. ``progress(done, total)`` after each answer."""
    found: dict[str, T] = {}
    if not values:
        return found
    pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="leaktrace-ask")
    try:
        futures = {pool.submit(ask, value): value for value in values}
        try:
            for done, future in enumerate(as_completed(futures, timeout=timeout), start=1):
                found[futures[future]] = future.result()
                if progress is not None:
                    progress(done, len(futures))
        except FuturesTimeout:
            pass
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return found
