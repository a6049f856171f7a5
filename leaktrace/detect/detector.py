"""Decide whether a matched release leaked a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from leaktrace.catalog.model import Window, Work
from leaktrace.detect.rules import Rule, Severity, rule_for, severity_for, window_for

__all__ = ["Alert", "Opening", "Verdict", "assess", "judge_time", "opening_for"]


@dataclass(frozen=True, slots=True)
class Alert:
    """A pre-release leak: the release came out before its window opened."""

    work_id: str
    rule: str
    window: Window
    window_date: date
    source: str
    released_at: datetime
    lead_days: float
    severity: Severity
    explanation: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """What detection concluded for one release: ``leak``, ``in-window`` or ``unknown``."""

    status: str
    alert: Alert | None
    reason: str


@dataclass(frozen=True, slots=True)
class Opening:
    """When the window a source breaks opens for a work: all of detection that does not
    depend on the release's time (so a caller may keep it per source and work)."""

    source: str | None
    work: Work
    rule: Rule | None
    window: Window | None
    day: date | None
    opens: datetime | None
    """00:00 UTC of the window's first day (None: no rule, or no date for the window)."""
    settled: Verdict | None
    """The verdict of every release time when there is no window to compare with, else
    the verdict of any time at or after :attr:`opens`."""


def opening_for(source: str | None, work: Work) -> Opening:
    """The window ``source`` breaks for ``work`` and when it opens."""
    rule = rule_for(source)
    if rule is None:
        unknown = Verdict("unknown", None, f"source {source or 'unknown'} maps to no window")
        return Opening(source, work, None, None, None, None, unknown)
    found = window_for(rule, work)
    if found is None:
        reason = f"{work.label} has no date for the window a {source} release breaks"
        return Opening(source, work, rule, None, None, None, Verdict("unknown", None, reason))
    window, day = found
    opens = datetime.combine(day, time(0, 0), tzinfo=UTC)
    inside = Verdict(
        "in-window", None, f"released after the {window.value} window opened on {day.isoformat()}"
    )
    return Opening(source, work, rule, window, day, opens, inside)


def judge_time(opening: Opening, released_at: datetime) -> Verdict:
    """The verdict for a release of ``opening``'s source and work at ``released_at``.

    A release leaks a window when it appears before 00:00 UTC of the window's first day.
    """
    opens = opening.opens
    if opens is None:
        assert opening.settled is not None
        return opening.settled
    if released_at.tzinfo is None:
        released_at = released_at.replace(tzinfo=UTC)
    if released_at >= opens:
        assert opening.settled is not None
        return opening.settled
    rule, window, day, work, source = (
        opening.rule,
        opening.window,
        opening.day,
        opening.work,
        opening.source,
    )
    assert rule is not None and window is not None and day is not None
    lead = round((opens - released_at).total_seconds() / 86400, 2)
    severity = severity_for(rule, lead)
    explanation = (
        f"{source} release of {work.label} at {released_at:%Y-%m-%d %H:%M} UTC, "
        f"{lead:g} days before the {window.value} window opened on "
        f"{day.isoformat()}: {rule.meaning}"
    )
    alert = Alert(
        work.id, rule.name, window, day, source or "", released_at, lead, severity, explanation
    )
    return Verdict("leak", alert, explanation)


def assess(source: str | None, work: Work, released_at: datetime) -> Verdict:
    """Compare a release's time with the window its source breaks for ``work``.

    A release leaks a window when it appears before 00:00 UTC of the window's first day.
    """
    return judge_time(opening_for(source, work), released_at)
