"""services.notice_stats and the "Takedown notices" section of the HTML report, over
notices written straight into the store, against figures computed by hand: medians and
90th percentiles (linear interpolation) per provider and per country, the share removed
(a location seen again is not removed), repeat offenders, need-to-know, ``since`` on
sending; and a notice chain (sent, re-noticed, removed, through the real services) counted
once from its first notice."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, update

from leaktrace.identity.actor import local_operator
from leaktrace.services.notice_marking import mark_notice
from leaktrace.services.notice_renotice import renotice
from leaktrace.services.notice_sending import send_notices
from leaktrace.services.notice_stats import notice_stats
from leaktrace.services.notice_tracking import track_notices
from leaktrace.services.report import write_html_report
from leaktrace.store.schema import HOSTS
from leaktrace.store.schema_notices import NOTICE_LOCATIONS
from tests.services.notice_delivery_world import (
    NOW,
    World,
    locations,
    notice_row,
    smtp_server,
    world_of,
)
from tests.smtp_server import Collector

__all__ = ["smtp_server"]

T0 = NOW - timedelta(days=20)
T1 = NOW - timedelta(days=10)


def _set(w: World, url: str, notice_id: int, **values: object) -> None:
    with w.ctx.database.transaction() as conn:
        conn.execute(
            update(NOTICE_LOCATIONS)
            .where(NOTICE_LOCATIONS.c.notice_id == notice_id, NOTICE_LOCATIONS.c.url == url)
            .values(**values)
        )


@pytest.fixture
def w(tmp_path: Path, smtp_server: tuple[Collector, int]) -> World:
    """Alpha Hosting (NL): notice 1 sent at T0, removed after 2, 4 and 10 hours, one
    location still up; notice 2 sent at T1, removed after 1 hour, and one 'removed' after
    6 hours but seen again. 203.0.113.9 (no contact name, its host in DE): removed after
    24 hours, one rejected. One drafted notice."""
    w = world_of(tmp_path, smtp_server)
    agency = w.industry.agency_id
    a = [f"https://files.example/{n}" for n in ("a", "b", "c", "d")]
    n1 = notice_row(
        w, agency_id=agency, urls=a, name="Alpha Hosting", sent_at=T0, status="acknowledged"
    )
    for url, hours in zip(a[:3], (2, 4, 10), strict=True):
        _set(w, url, n1, status="removed", removed_at=T0 + timedelta(hours=hours))
    b = ["https://files.example/e", "https://files.example/f"]
    n2 = notice_row(w, agency_id=agency, urls=b, name="Alpha Hosting", sent_at=T1, status="removed")
    _set(w, b[0], n2, status="removed", removed_at=T1 + timedelta(hours=1))
    _set(
        w,
        b[1],
        n2,
        status="removed",
        removed_at=T1 + timedelta(hours=6),
        seen_again_at=T1 + timedelta(days=2),
    )
    with w.ctx.database.transaction() as conn:
        host_id = conn.execute(
            insert(HOSTS)
            .values(kind="ip", value="203.0.113.9", role="server", country="DE")
            .returning(HOSTS.c.id)
        ).scalar_one()
    c = ["http://203.0.113.9/dune.mkv", "http://203.0.113.9/dune2.mkv"]
    n3 = notice_row(
        w,
        agency_id=agency,
        urls=c,
        name=None,
        key="203.0.113.9",
        country=None,
        sent_at=T0,
        status="acknowledged",
        host_id=int(host_id),
    )
    _set(w, c[0], n3, status="removed", removed_at=T0 + timedelta(hours=24))
    _set(w, c[1], n3, status="rejected")
    notice_row(w, agency_id=agency, urls=["https://files.example/g"], name="Alpha Hosting")
    return w


def test_figures_against_hand_computed_numbers(w: World) -> None:
    view = notice_stats(w.ctx, w.industry)
    assert (view.notices, view.sent, view.locations, view.removed) == (4, 3, 8, 5)
    assert view.removed_share == 0.625
    # removed hours [1, 2, 4, 10, 24]: median 4; p90 at rank 3.6 = 10 + 0.6 * 14
    assert view.median_hours == 4.0
    assert view.p90_hours == pytest.approx(18.4)
    assert view.by_status == {
        "drafted": 1,
        "sent": 0,
        "acknowledged": 2,
        "removed": 1,
        "rejected": 0,
        "no-response": 0,
    }
    alpha, other = view.by_provider
    # Alpha: [1, 2, 4, 10] (the 6 h one was seen again): median 3, p90 at 2.7 = 4 + 0.7 * 6
    assert (alpha.key, alpha.notices, alpha.locations, alpha.removed) == ("Alpha Hosting", 2, 6, 4)
    assert alpha.removed_share == pytest.approx(0.6667)
    assert alpha.median_hours == 3.0 and alpha.p90_hours == pytest.approx(8.2)
    assert (other.key, other.locations, other.removed, other.removed_share) == (
        "203.0.113.9",
        2,
        1,
        0.5,
    )
    assert other.median_hours == 24.0 and other.p90_hours == 24.0
    nl, de = view.by_country
    assert (nl.key, nl.locations, nl.median_hours) == ("NL", 6, 3.0)
    assert (de.key, de.locations, de.median_hours) == ("DE", 2, 24.0)  # the host's country
    [offender] = view.repeat_offenders
    assert (offender.host, offender.notices, offender.locations, offender.seen_again) == (
        "files.example",
        2,
        6,
        1,
    )
    assert offender.recipient == "Alpha Hosting"


def test_need_to_know_and_since(w: World) -> None:
    assert notice_stats(w.ctx, local_operator()).notices == 4
    other = notice_stats(w.ctx, w.other_industry)
    assert (other.notices, other.locations, other.by_provider, other.median_hours) == (
        0,
        0,
        [],
        None,
    )
    assert other.removed_share == 0.0
    # sent since T1 - 30 minutes: notice 2 (drafted an hour before it was sent, before
    # that moment, so it counts by its sending); never the draft, never notices 1 and 3
    recent = notice_stats(w.ctx, w.industry, since=T1 - timedelta(minutes=30))
    assert (recent.notices, recent.sent, recent.locations, recent.removed) == (1, 1, 2, 1)
    assert recent.by_status["removed"] == 1 and recent.by_status["drafted"] == 0
    assert recent.median_hours == 1.0
    assert notice_stats(w.ctx, w.industry, since=T1 + timedelta(minutes=1)).notices == 0


def test_a_renotice_does_not_restart_the_clock(
    tmp_path: Path, smtp_server: tuple[Collector, int]
) -> None:
    # sent on day 0, still up: re-noticed on day 7; the re-notice got it removed on day 8
    w = world_of(tmp_path, smtp_server, renotice_days=7, no_response_days=14)
    day0 = NOW - timedelta(days=20)
    url = "https://files.example/dune.mkv"
    first = notice_row(w, agency_id=w.industry.agency_id, urls=[url])
    assert send_notices(w.ctx, w.industry, [first], now=day0).sent == [first]
    day7 = day0 + timedelta(days=7, hours=1)
    [follow] = renotice(w.ctx, w.industry, now=day7).notices
    assert follow.previous_id == first
    assert send_notices(w.ctx, w.industry, [follow.id], now=day7).sent == [follow.id]
    mark_notice(w.ctx, w.industry, follow.id, "removed", at=day0 + timedelta(days=8))

    def one_location_removed_in_192_hours() -> None:
        view = notice_stats(w.ctx, w.industry)
        assert (view.notices, view.sent, view.locations, view.removed) == (2, 2, 1, 1)
        assert view.removed_share == 1.0
        assert view.median_hours == 192.0 and view.p90_hours == 192.0
        [provider] = view.by_provider
        assert (provider.notices, provider.locations, provider.removed) == (1, 1, 1)
        assert provider.median_hours == 192.0
        assert view.repeat_offenders == []  # one location, noticed twice: no repeat offender
        # the chain belongs to day 0: since day 1 only the re-notice is counted as sent
        later = notice_stats(w.ctx, w.industry, since=day0 + timedelta(days=1))
        assert (later.notices, later.sent, later.locations) == (1, 1, 0)

    one_location_removed_in_192_hours()
    # 14 days without an answer: tracking marks notice 1's location no-response, and the
    # figures still count the one location with what became of it last (removed)
    track_notices(w.ctx, w.industry)
    assert [loc["status"] for loc in locations(w, first)] == ["no-response"]
    one_location_removed_in_192_hours()


def test_the_html_report_shows_the_figures_and_chart(w: World, tmp_path: Path) -> None:
    with w.ctx.database.transaction() as conn:
        conn.execute(
            update(NOTICE_LOCATIONS)
            .where(NOTICE_LOCATIONS.c.host == "files.example")
            .values(host="<b>evil</b>.example")
        )
    written = write_html_report(w.ctx, local_operator(), tmp_path / "report.html")
    page = Path(written.path).read_text(encoding="utf-8")
    section = page[page.index('id="takedown-notices"') :]
    # (no leak in this world: the page has no table of contents, the section all the same)
    assert "Time to takedown per provider" in section and "Time to takedown per country" in section
    assert re.search(r"Median time to takedown</div><div class=\"value\">4\.0 h", section)
    assert "p90 18.4 h" in section
    # the chart writes its numbers, never colour alone
    assert "median 3.0 h · p90 8.2 h · 4/6 removed (67%)" in section
    assert "median 24.0 h · p90 24.0 h · 1/2 removed (50%)" in section
    assert section.count('aria-label="Time to takedown per') == 2
    assert "<b>evil</b>" not in page and "&lt;b&gt;evil&lt;/b&gt;.example" in section


def test_no_notices_no_section(tmp_path: Path, smtp_server: tuple[Collector, int]) -> None:
    w = world_of(tmp_path, smtp_server)
    written = write_html_report(w.ctx, local_operator(), tmp_path / "report.html")
    page = Path(written.path).read_text(encoding="utf-8")
    assert "takedown-notices" not in page
