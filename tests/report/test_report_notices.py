"""report.notices: the takedown figures from location rows (pure; one row per location of
a notice chain), and their chart (every number written, outside text escaped, nothing for
nothing)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from leaktrace.report.notices import (
    UNKNOWN_COUNTRY,
    TakedownFigure,
    notice_figures,
    takedown_chart,
)
from leaktrace.store.notice_figures import LocationOutcome

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
    root_id: int | None = None,
    url: str | None = None,
    seen_before: bool = False,
) -> LocationOutcome:
    """A location of notice ``notice_id`` (a re-notice of ``root_id`` when given; seen
    again after an earlier notice of its chain with ``seen_before``)."""
    removed = status == "removed"
    return LocationOutcome(
        root_id=root_id or notice_id,
        notice_id=notice_id,
        notices=1 if root_id is None else 2,
        url=url or f"https://{host}/{notice_id}/{status}/{hours}",
        host=host,
        host_country=host_country,
        provider=provider,
        recipient_country=country,
        sent_at=SENT,
        status=status,
        removed_at=SENT + timedelta(hours=hours or 0) if removed else None,
        seen_again_at=SENT + timedelta(days=3) if seen_again else None,
        seen_again=seen_again or seen_before,
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
    figures = notice_figures({"acknowledged": 3, "mystery": 1}, rows, sent=3)
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


def test_a_renoticed_location_counts_once_from_the_first_notice() -> None:
    # notice 1 (sent SENT) re-noticed by notice 4, which got the first location removed
    # after 192 h (measured from notice 1); the second, seen after notice 1 but removed
    # for good after notice 4, makes its host a repeat offender; notice 2 is another
    # first notice to c.example (one location each: c.example offends by two first
    # notices), notice 3 a first notice to d.example alone
    rows = [
        row(4, "a.example", hours=192, status="removed", root_id=1, url="https://a.example/1"),
        row(4, "b.example", hours=200, status="removed", root_id=1, seen_before=True),
        row(2, "c.example", status="no-response", provider="Gamma"),
        row(5, "c.example", hours=3, status="removed", provider="Gamma"),
        row(3, "d.example", status="no-response", provider="Delta"),
    ]
    figures = notice_figures({"removed": 3, "no-response": 2}, rows, sent=5)
    assert (figures.notices, figures.sent, figures.locations, figures.removed) == (5, 5, 5, 3)
    alpha, delta, gamma = sorted(figures.by_provider, key=lambda f: f.key)
    assert (alpha.key, alpha.notices, alpha.locations, alpha.removed) == ("Alpha", 1, 2, 2)
    assert alpha.removed_share == 1.0 and alpha.median_hours == 196.0
    assert (gamma.notices, gamma.locations, gamma.removed) == (2, 2, 1)
    assert (delta.notices, delta.locations, delta.removed) == (1, 1, 0)
    offenders = {o.host: o for o in figures.repeat_offenders}
    assert set(offenders) == {"b.example", "c.example"}  # never a.example: one location
    assert (offenders["b.example"].notices, offenders["b.example"].seen_again) == (1, 1)
    assert (offenders["c.example"].notices, offenders["c.example"].locations) == (2, 2)


def test_no_rows() -> None:
    figures = notice_figures({}, [], sent=0)
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
