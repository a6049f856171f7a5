"""The HTML report: empty and populated databases, sections, escaping, self-containment."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from leaktrace.catalog.model import Window, Work
from leaktrace.detect.detector import assess
from leaktrace.errors import InputError, LeakTraceError
from leaktrace.report import build_report_data, render_report, write_report
from leaktrace.report.svg import Bar, bar_chart, timeline
from leaktrace.store.database import Database

HOSTILE = "<script>alert(1)</script>.2020.1080p.BluRay.x264-GRP"
SECTIONS = ('id="timeline"', 'id="by-work"', 'id="by-group"', 'id="by-source"', 'id="leaks"')


def _raw_leak(
    release: str,
    *,
    work: str = "Some Film",
    group: str | None = "GRP",
    window: str = "physical",
    severity: str = "high",
    lead: float = 3.5,
    released_at: str = "2020-05-20T10:00:00Z",
    window_date: str = "2020-05-24",
    source: str = "bluray",
    work_id: str = "w1",
) -> dict[str, object]:
    return {
        "release": release,
        "work_id": work_id,
        "work": work,
        "work_year": 2020,
        "work_kind": "movie",
        "season": None,
        "window": window,
        "window_date": window_date,
        "source": source,
        "lead_days": lead,
        "severity": severity,
        "group": group,
        "released_at": released_at,
        "rule": "disc-before-street-date",
        "resolution": "1080p",
        "sightings": 2,
        "explanation": f"{release} leaked",
    }


def _assert_self_contained(page: str) -> None:
    refs = re.findall(r"""(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]*)""", page, re.I)
    assert refs == []
    assert "<link" not in page.lower()
    assert "@import" not in page
    assert not re.search(r"url\(\s*['\"]?(?:https?:)?//", page, re.I)
    assert "<iframe" not in page.lower()


def test_render_empty_data() -> None:
    data = build_report_data({}, [], database="sqlite:///x.db")
    page = render_report(data)
    assert "No leaks yet" in page
    assert 'id="timeline"' not in page
    assert page.lstrip().startswith("<!DOCTYPE html>")
    _assert_self_contained(page)


def test_render_escapes_hostile_content_everywhere() -> None:
    raw = [
        _raw_leak(HOSTILE, work='Tom & "Jerry" <marquee>', group="<img src=x onerror=alert(2)>"),
        _raw_leak(
            "Other.Film.2020.CAM-X",
            window="theatrical",
            severity="medium",
            source="cam",
            work_id="w2",
            work="Other Film",
            group=None,
        ),
    ]
    page = render_report(
        build_report_data(
            {"works": 2, "releases": 2}, raw, title="<i>title</i>", note="<u>note</u>"
        )
    )
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "<marquee>" not in page and "<i>title</i>" not in page and "<u>note</u>" not in page
    assert page.count("<script") == 1  # only the table-sorting script
    for section in SECTIONS:
        assert section in page
    _assert_self_contained(page)


def test_aggregates() -> None:
    raw = [_raw_leak(f"A.2020.BluRay-EMB{i}", group="EMB", lead=float(i)) for i in (1, 2, 9)]
    raw.append(
        _raw_leak(
            "B.2020.CAM-CAMMER",
            group="CAMMER",
            window="theatrical",
            source="cam",
            work_id="w2",
            work="B",
            severity="medium",
        )
    )
    data = build_report_data({"works": 2}, raw)
    assert data.leak_count == 4
    assert data.by_severity["high"] == 3 and data.by_severity["medium"] == 1
    assert list(data.by_window) == ["theatrical", "physical"]
    top = data.group_stats[0]
    assert (top.group, top.leaks, top.median_lead, top.works_hit) == ("EMB", 3, 2.0, 1)
    assert data.work_stats[0].longest_lead == 9.0
    assert {(s.source, s.window) for s in data.source_stats} == {
        ("cam", "theatrical"),
        ("bluray", "physical"),
    }


def test_svg_helpers_escape_and_handle_empty() -> None:
    assert timeline([]) == ""
    assert bar_chart([]) == ""
    chart = bar_chart([Bar("<x>&", [("high", 2.0)])])
    assert "<x>" not in chart and "&lt;x&gt;&amp;" in chart
    data = build_report_data({}, [_raw_leak(HOSTILE)])
    svg = timeline(data.leaks, data.openings)
    assert svg.startswith("<svg") and "<script>" not in svg and "<title>" in svg


# ---------------------------------------------------------------- with a database


def _store_leak(db: Database, name: str, work: Work, when: datetime) -> None:
    """Store a release and its alert through the store layer (no parser needed)."""
    from leaktrace.store.releases import (
        find_releases,
        insert_releases,
        row_times,
        upsert_alerts,
    )
    from leaktrace.store.works import upsert_works

    verdict = assess("bluray", work, when)
    assert verdict.alert is not None
    with db.transaction() as conn:
        upsert_works(conn, [work], "test")
        row = {
            "name": name,
            "title": work.title,
            "year": work.year,
            "kind": "movie",
            "source": "bluray",
            "group_name": "GRP",
            "group_key": "grp",
            "work_id": work.id,
            "match_score": 100.0,
            "match_reason": "test",
            "status": "leak",
            "released_at": row_times(conn)(when, when.isoformat()),
            "sightings": 1,
        }
        insert_releases(conn, tuple(row), [tuple(row.values())])
        rid = find_releases(conn, [name])[name].id
        upsert_alerts(conn, [(rid, verdict.alert)])


def test_write_report_empty_database(tmp_path: Path) -> None:
    with Database(str(tmp_path / "empty.db")) as db:
        out = write_report(db, tmp_path / "out" / "report.html")
    page = out.read_text(encoding="utf-8")
    assert "No leaks yet" in page
    _assert_self_contained(page)


def test_write_report_populated_database(tmp_path: Path) -> None:
    work = Work(
        "w-hostile",
        "movie",
        "Script Alert 1 Script",
        2020,
        physical=date(2020, 6, 1),
        digital=date(2020, 5, 1),
    )
    with Database(str(tmp_path / "db.sqlite")) as db:
        _store_leak(db, HOSTILE, work, datetime(2020, 5, 20, 12, 0, tzinfo=UTC))
        out = write_report(db, tmp_path / "report.html", title="Test & report")
    page = out.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert section in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Test &amp; report" in page
    assert "Script Alert 1 Script (2020)" in page
    assert Window.PHYSICAL.value in page
    _assert_self_contained(page)


def test_write_report_unwritable_path(tmp_path: Path) -> None:
    with Database(str(tmp_path / "db.sqlite")) as db:
        with pytest.raises(InputError) as info:
            write_report(db, tmp_path)  # a directory
        assert info.value.file == str(tmp_path)
        blocker = tmp_path / "file.txt"
        blocker.write_text("x")
        with pytest.raises(LeakTraceError):
            write_report(db, blocker / "report.html")  # parent is a file
