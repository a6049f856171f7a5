"""Decide whether a matched release leaked a window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from leaktrace.catalog.model import Window, Work
from leaktrace.detect.rules import Severity, rule_for, severity_for, window_for

__all__ = ["Verdict", "Alert", "assess"]


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


def assess(source: str | None, work: Work, released_at: datetime) -> Verdict:
    """Compare a release's time with the window its source breaks for ``work``.

    A release leaks a window when it appears before 00:00 UTC of the window's first day.
    """
    rule = rule_for(source)
    if rule is None:
        return Verdict("unknown", None, f"source {source or 'unknown'} maps to no window")
    found = window_for(rule, work)
    if found is None:
        return Verdict(
            "unknown", None, f"{work.label} has no date for the window a {source} release breaks"
        )
    window, day = found
    opens = datetime.combine(day, time(0, 0), tzinfo=UTC)
    if released_at.tzinfo is None:
        released_at = released_at.replace(tzinfo=UTC)
    if released_at >= opens:
        return Verdict(
            "in-window",
            None,
            f"released after the {window.value} window opened on {day.isoformat()}",
        )
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
