"""Which window a release's source breaks, and how grave breaking it early is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from leaktrace.catalog.model import Window, Work

__all__ = ["Rule", "Severity", "SOURCE_WINDOWS", "rule_for", "window_for"]


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


@dataclass(frozen=True, slots=True)
class Rule:
    """A leak rule: sources it covers, the window they break, and what that means."""

    name: str
    sources: frozenset[str]
    meaning: str


RULES: tuple[Rule, ...] = (
    Rule(
        "theatrical-capture-before-release",
        frozenset({"cam", "telesync", "telecine"}),
        "a cinema capture before the theatrical release: a premiere or press screening leak",
    ),
    Rule(
        "workprint-before-home-release",
        frozenset({"workprint"}),
        "an unfinished cut before any home release: a post-production leak",
    ),
    Rule(
        "screener-before-home-release",
        frozenset({"screener"}),
        "an awards or press screener before any home release: a screener chain leak",
    ),
    Rule(
        "hd-rip-before-home-release",
        frozenset({"hdrip"}),
        "an HD encode of a home release (web or disc) before any home release: a leak of "
        "an early home-release copy",
    ),
    Rule(
        "web-before-digital-release",
        frozenset({"web-dl", "webrip", "ppv"}),
        "a streaming copy before the digital release: a platform or supply-chain leak",
    ),
    Rule(
        "broadcast-before-air",
        frozenset({"hdtv"}),
        "a broadcast capture before the air date: a pre-air leak",
    ),
    Rule(
        "disc-before-street-date",
        frozenset(
            {"r5", "dvd", "dvdrip", "hddvd", "bdrip", "bluray", "remux", "uhd-bluray", "vhs"}
        ),
        "a retail disc rip before its street date: a supply-chain leak (the Sparks pattern)",
    ),
)
_BY_SOURCE = {source: rule for rule in RULES for source in rule.sources}
SOURCE_WINDOWS: dict[str, str] = {
    "theatrical-capture-before-release": "theatrical",
    "workprint-before-home-release": "home",
    "screener-before-home-release": "home",
    "hd-rip-before-home-release": "home",
    "web-before-digital-release": "digital",
    "broadcast-before-air": "broadcast",
    "disc-before-street-date": "physical",
}


def rule_for(source: str | None) -> Rule | None:
    """The rule a source falls under, or None for unknown sources."""
    return _BY_SOURCE.get(source) if source else None


def window_for(rule: Rule, work: Work) -> tuple[Window, date] | None:
    """The window ``rule`` measures against for ``work``, and its first day, if known.

    Workprints, screeners and HD rips take the earliest of the digital and physical dates; web
    releases of a TV season with no digital date take the broadcast date.
    """
    target = SOURCE_WINDOWS[rule.name]
    if target == "home":
        options = [
            (w, d)
            for w in (Window.DIGITAL, Window.PHYSICAL)
            if (d := work.window_date(w)) is not None
        ]
        return min(options, key=lambda item: item[1]) if options else None
    window = Window(target)
    when = work.window_date(window)
    if when is None and window is Window.DIGITAL and work.kind == "season":
        window, when = Window.BROADCAST, work.broadcast
    return (window, when) if when is not None else None


def severity_for(rule: Rule, lead_days: float) -> Severity:
    """How grave a leak is, from the kind of leak and how early it came.

    Workprints are always critical; disc rips before street date (the supply chain),
    screeners and HD rips high, critical from 14 days early; captures and web leaks medium, high
    from 7 days early; pre-air broadcast leaks medium.
    """
    if rule.name == "workprint-before-home-release":
        return Severity.CRITICAL
    if rule.name in (
        "disc-before-street-date",
        "screener-before-home-release",
        "hd-rip-before-home-release",
    ):
        return Severity.CRITICAL if lead_days >= 14 else Severity.HIGH
    if rule.name in ("theatrical-capture-before-release", "web-before-digital-release"):
        return Severity.HIGH if lead_days >= 7 else Severity.MEDIUM
    return Severity.MEDIUM
