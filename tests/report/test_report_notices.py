"""report.notices: the takedown figures from location rows (pure), and their chart (every
number written, outside text escaped, nothing for nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leaktrace.report.notices import (
    UNKNOWN_COUNTRY,
    TakedownFigure,
    notice_figures,
    takedown_chart,
)
from leaktrace.store.notice_tracking import StatsRow

SENT = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def row(
    notice_id: int,
    host: str,
    *,
    hours: float | None = None,
    status: str = "sent",
    provider: str = "Alpha",
    country: str | None = None,
    host_country: str | None = None,
    seen_again: bool = False,
) -> StatsRow:
    removed = status == "removed"
    return StatsRow(
        notice_id=notice_id,
        notice_status="acknowledged",
        provider=provider,
        recipient_country=country,
        sent_at=SENT,
        host=host,
        host_country=host_country,
        status=status,
        removed_at=SENT + timedelta(hours=hours or 0) if removed else None,
        seen_again_at=SENT + timedelta(days=3) if seen_again else None,
    )


def test_figures() -> None:
    rows = [
        row(1, "a.example", hours=1, status="removed", country="IT"),
        row(1, "a.example", hours=3, status="removed", country="IT"),
        row(1, "a.example", hours=5, status="removed", country="IT", seen_again=True),
        row(2, "b.example", hours=10, status="removed", provider="Beta", host_country="FR"),
        row(2, "b.example", status="rejected", provider="Beta"),
        row(3, "a.example", status="sent", country="IT"),
    ]
    figures = notice_figures({"acknowledged": 3, "mystery": 1}, rows)
    assert (figures.notices, figures.sent, figures.locations, figures.removed) == (4, 3, 6, 3)
    assert figures.removed_share == 0.5
    # [1, 3, 10]: median 3, p90 at rank 1.8 = 3 + 0.8 * 7
    assert figures.median_hours == 3.0 and figures.p90_hours == pytest.approx(8.6)
    assert list(figures.by_status)[:6] == [
        "drafted",
        "sent",
        "acknowledged",
        "removed",
        "rejected",
        "no-response",
    ]
    assert figures.by_status["mystery"] == 1 and figures.by_status["acknowledged"] == 3
    alpha, beta = figures.by_provider
    assert (alpha.key, alpha.notices, alpha.locations, alpha.removed) == ("Alpha", 2, 4, 2)
    assert alpha.median_hours == 2.0 and alpha.p90_hours == pytest.approx(2.8)
    assert (beta.key, beta.removed_share, beta.median_hours) == ("Beta", 0.5, 10.0)
    it, fr, unknown = figures.by_country
    assert (it.key, it.locations) == ("IT", 4)
    assert (fr.key, fr.locations) == ("FR", 1)  # the host's country when the recipient has none
    assert (unknown.key, unknown.locations) == (UNKNOWN_COUNTRY, 1)
    [offender] = figures.repeat_offenders  # in notices 1 and 3, and seen again
    assert (offender.host, offender.notices, offender.seen_again) == ("a.example", 2, 1)


def test_no_rows() -> None:
    figures = notice_figures({}, [])
    assert (figures.notices, figures.locations, figures.removed_share) == (0, 0, 0.0)
    assert figures.median_hours is None and figures.p90_hours is None
    assert figures.by_provider == () and figures.repeat_offenders == ()


def test_chart_writes_numbers_and_escapes() -> None:
    figures = [
        TakedownFigure("<script>alert(1)</script>", 2, 4, 3, 0.75, 12.5, 40.3),
        TakedownFigure("Nobody Removes", 1, 2, 0, 0.0, None, None),
    ]
    svg = takedown_chart(figures, title='Time "to" takedown')
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-label="Time &quot;to&quot; takedown"' in svg
    assert "median 12.5 h · p90 40.3 h · 3/4 removed (75%)" in svg
    assert "median n/a · p90 n/a · 0/2 removed (0%)" in svg
    assert takedown_chart([], title="nothing") == ""
