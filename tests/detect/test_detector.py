from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from leaktrace.catalog import Window, Work
from leaktrace.detect import Severity, assess

FILM = Work(
    id="f",
    kind="movie",
    title="Film",
    year=2026,
    theatrical=date(2026, 3, 6),
    digital=date(2026, 4, 14),
    physical=date(2026, 5, 19),
)
SEASON = Work(id="s", kind="season", title="Show", year=2024, season=2, broadcast=date(2026, 2, 1))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("source", "window", "day"),
    [
        ("cam", Window.THEATRICAL, date(2026, 3, 6)),
        ("telesync", Window.THEATRICAL, date(2026, 3, 6)),
        ("telecine", Window.THEATRICAL, date(2026, 3, 6)),
        ("workprint", Window.DIGITAL, date(2026, 4, 14)),
        ("screener", Window.DIGITAL, date(2026, 4, 14)),
        ("web-dl", Window.DIGITAL, date(2026, 4, 14)),
        ("webrip", Window.DIGITAL, date(2026, 4, 14)),
        ("r5", Window.PHYSICAL, date(2026, 5, 19)),
        ("dvdrip", Window.PHYSICAL, date(2026, 5, 19)),
        ("bdrip", Window.PHYSICAL, date(2026, 5, 19)),
        ("bluray", Window.PHYSICAL, date(2026, 5, 19)),
        ("remux", Window.PHYSICAL, date(2026, 5, 19)),
    ],
)
def test_source_maps_to_window(source: str, window: Window, day: date) -> None:
    verdict = assess(source, FILM, at("2026-01-01T12:00:00"))
    assert verdict.status == "leak"
    assert verdict.alert is not None
    assert verdict.alert.window is window
    assert verdict.alert.window_date == day


def test_boundary_is_midnight_utc() -> None:
    assert assess("bluray", FILM, at("2026-05-18T23:59:59")).status == "leak"
    assert assess("bluray", FILM, at("2026-05-19T00:00:00")).status == "in-window"
    assert assess("bluray", FILM, at("2026-06-01T00:00:00")).status == "in-window"


def test_offsets_are_honoured() -> None:
    # 01:00 at +02:00 is 23:00 UTC the day before: still a leak
    moment = datetime.fromisoformat("2026-05-19T01:00:00+02:00")
    assert assess("bluray", FILM, moment).status == "leak"


def test_lead_days_and_severity_of_disc_leak() -> None:
    verdict = assess("bluray", FILM, at("2026-05-16T12:00:00"))
    assert verdict.alert is not None
    assert verdict.alert.lead_days == 2.5
    assert verdict.alert.severity is Severity.HIGH
    assert verdict.alert.rule == "disc-before-street-date"
    early = assess("bdrip", FILM, at("2026-05-01T00:00:00")).alert
    assert early is not None and early.severity is Severity.CRITICAL


def test_workprint_is_critical_and_takes_earliest_home_window() -> None:
    film = Work(
        id="w", kind="movie", title="W", physical=date(2026, 2, 1), digital=date(2026, 3, 1)
    )
    alert = assess("workprint", film, at("2026-01-31T00:00:00")).alert
    assert alert is not None
    assert alert.severity is Severity.CRITICAL
    assert alert.window is Window.PHYSICAL


def test_web_release_of_season_without_digital_uses_broadcast() -> None:
    alert = assess("web-dl", SEASON, at("2026-01-30T00:00:00")).alert
    assert alert is not None and alert.window is Window.BROADCAST
    assert assess("hdtv", SEASON, at("2026-02-01T20:00:00")).status == "in-window"


def test_missing_window_or_source_is_unknown_not_a_leak() -> None:
    no_digital = Work(id="x", kind="movie", title="X", theatrical=date(2026, 1, 1))
    assert assess("web-dl", no_digital, at("2020-01-01T00:00:00")).status == "unknown"
    assert assess(None, FILM, at("2020-01-01T00:00:00")).status == "unknown"
    assert assess("hdtv", FILM, at("2020-01-01T00:00:00")).status == "unknown"


def test_explanation_is_plain_words() -> None:
    alert = assess("cam", FILM, at("2026-02-20T00:00:00")).alert
    assert alert is not None
    assert "14 days before the theatrical window opened on 2026-03-06" in alert.explanation
    assert alert.severity is Severity.HIGH
