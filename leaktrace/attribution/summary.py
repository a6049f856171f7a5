"""One group's summary line (``leaktrace groups``), from its releases."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from leaktrace.attribution.data import GroupData
from leaktrace.attribution.model import GroupSummary
from leaktrace.attribution.timing import FirstStats, first_to_release

__all__ = ["WINDOW_ORDER", "summarize", "windows_in_order"]

WINDOW_ORDER: tuple[str, ...] = ("theatrical", "digital", "physical", "broadcast")


def windows_in_order(values: Sequence[str]) -> tuple[str, ...]:
    """The distinct windows of ``values``: the known ones in release order, then the rest."""
    present = set(values)
    known = [w for w in WINDOW_ORDER if w in present]
    return tuple(known + sorted(present - set(known)))


def summarize(data: GroupData, key: str, *, first: FirstStats | None = None) -> GroupSummary:
    """The summary line of one group (``key`` must be in ``data``); ``first``: its
    first-to-release figures when already known (``data`` may then hold only this group's
    releases), else they are computed from ``data``."""
    rows = data.by_group[key]
    leaks = [r for r in rows if r.is_leak]
    leads = [r.lead_days for r in leaks if r.lead_days is not None]
    if first is None:
        first = first_to_release(data.earliest, key)
    return GroupSummary(
        group=data.name(key),
        key=key,
        variants=data.variants.get(key, (data.name(key),)),
        releases=len(rows),
        matched=sum(1 for r in rows if r.work_id is not None),
        leaks=len(leaks),
        median_lead_days=float(statistics.median(leads)) if leads else None,
        windows=windows_in_order([r.window for r in leaks if r.window]),
        first_to_release=first.first,
        contested=first.contested,
        works=len({r.work_id for r in rows if r.work_id}),
        first_seen=min(r.released_at for r in rows),
        last_seen=max(r.released_at for r in rows),
    )
