"""store.notice_figures: one row per (first notice, URL) of a notice chain, timed from the
first notice and with the outcome of the latest notice that lists the URL; chains
followed only through visible notices; ``since`` on sending; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from leaktrace.store.notice_figures import ALL_AGENCIES, FigureRows, figure_rows
from leaktrace.store.schema_notices import NOTICE_LOCATIONS, NOTICES
from tests.services.notice_delivery_world import NOW, World, notice_row, smtp_server, world_of
from tests.smtp_server import Collector

__all__ = ["smtp_server"]

DAY0 = NOW - timedelta(days=30)
A = "https://files.example/a.mkv"
B = "https://files.example/b.mkv"
C = "https://other.example/c.mkv"


@pytest.fixture
def w(tmp_path: Path, smtp_server: tuple[Collector, int]) -> World:
    return world_of(tmp_path, smtp_server)


def _set(w: World, notice_id: int, url: str, **values: object) -> None:
    with w.ctx.database.transaction() as conn:
        conn.execute(
            update(NOTICE_LOCATIONS)
            .where(NOTICE_LOCATIONS.c.notice_id == notice_id, NOTICE_LOCATIONS.c.url == url)
            .values(**values)
        )


def _repeats(w: World, notice_id: int, previous_id: int) -> None:
    with w.ctx.database.transaction() as conn:
        conn.execute(
            update(NOTICES).where(NOTICES.c.id == notice_id).values(previous_id=previous_id)
        )


def _rows(
    w: World, agency: int | None = ALL_AGENCIES, *, since: datetime | None = None
) -> FigureRows:
    with w.ctx.database.reading() as conn:
        return figure_rows(conn, agency, since=since)


def _chain(w: World, agency: int | None) -> tuple[int, int, int]:
    """Notice 1 (day 0: A and B): B removed on day 1, A auto-marked no-response on day
    14; its re-notice (day 7: A) got A removed on day 8; a drafted re-notice of that
    (A again) is not sent yet."""
    first = notice_row(w, agency_id=agency, urls=[A, B], sent_at=DAY0, status="removed")
    _set(w, first, B, status="removed", removed_at=DAY0 + timedelta(days=1))
    _set(w, first, A, status="no-response", status_at=DAY0 + timedelta(days=14))
    second = notice_row(
        w, agency_id=agency, urls=[A], sent_at=DAY0 + timedelta(days=7), status="removed"
    )
    _repeats(w, second, first)
    _set(w, second, A, status="removed", removed_at=DAY0 + timedelta(days=8))
    draft = notice_row(w, agency_id=agency, urls=[A])
    _repeats(w, draft, second)
    return first, second, draft


def test_a_chain_is_one_row_per_location_from_the_first_notice(w: World) -> None:
    first, second, _ = _chain(w, w.industry.agency_id)
    found = _rows(w)
    assert found.by_status == {"removed": 2, "drafted": 1}
    assert found.sent == 2
    a, b = found.rows
    assert (a.url, a.root_id, a.notice_id, a.notices) == (A, first, second, 2)
    assert (a.status, a.sent_at, a.removed_at) == ("removed", DAY0, DAY0 + timedelta(days=8))
    assert a.seen_again_at is None and not a.seen_again
    assert (b.url, b.root_id, b.notice_id, b.notices, b.status) == (B, first, first, 1, "removed")
    assert b.removed_at == DAY0 + timedelta(days=1)


def test_the_latest_notice_decides_and_a_seen_again_is_kept(w: World) -> None:
    first, second, _ = _chain(w, None)
    # the re-notice's "removed" was seen again: not removed; notice 1's removal of B holds
    _set(w, second, A, seen_again_at=DAY0 + timedelta(days=9))
    # a third notice in the chain (sent day 15) leaves A unanswered: that is the outcome
    third = notice_row(
        w, agency_id=None, urls=[A], sent_at=DAY0 + timedelta(days=15), status="sent"
    )
    _repeats(w, third, second)
    a, _b = _rows(w, None).rows
    assert (a.root_id, a.notice_id, a.notices, a.status) == (first, third, 3, "sent")
    assert a.seen_again_at is None and a.seen_again and a.sent_at == DAY0


def test_a_new_first_notice_for_the_same_url_is_its_own_row(w: World) -> None:
    first, _, _ = _chain(w, None)
    again = notice_row(
        w, agency_id=None, urls=[A, C], sent_at=DAY0 + timedelta(days=20), status="sent"
    )
    rows = _rows(w, None).rows
    assert [(r.root_id, r.url) for r in rows] == [(first, A), (first, B), (again, A), (again, C)]
    assert rows[2].sent_at == DAY0 + timedelta(days=20)


def test_need_to_know(w: World) -> None:
    mine, mine_again, _ = _chain(w, w.industry.agency_id)
    # a follow-up of a notice the agency does not see (the operator's) is a root of its own
    theirs = notice_row(w, agency_id=None, urls=[C], sent_at=DAY0, status="sent")
    follow = notice_row(
        w,
        agency_id=w.industry.agency_id,
        urls=[C],
        sent_at=DAY0 + timedelta(days=10),
        status="sent",
    )
    _repeats(w, follow, theirs)
    seen = _rows(w, w.industry.agency_id)
    assert [(r.root_id, r.url) for r in seen.rows] == [(mine, A), (mine, B), (follow, C)]
    assert seen.rows[2].sent_at == DAY0 + timedelta(days=10)
    assert seen.sent == 3 and sum(seen.by_status.values()) == 4
    every = _rows(w)
    assert [(r.root_id, r.url) for r in every.rows] == [(mine, A), (mine, B), (theirs, C)]
    assert every.rows[2].notice_id == follow and every.sent == 4
    assert [(r.root_id, r.url) for r in _rows(w, None).rows] == [(theirs, C)]
    nobody = _rows(w, w.other_industry.agency_id)
    assert (nobody.by_status, nobody.sent, nobody.rows) == ({}, 0, [])
    assert mine_again not in {r.root_id for r in every.rows}


def test_since_is_on_sending(w: World) -> None:
    first, second, _ = _chain(w, None)
    # drafted a day before `since`, sent after it: counted
    late = notice_row(w, agency_id=None, urls=[C], sent_at=DAY0 + timedelta(days=10), status="sent")
    with w.ctx.database.transaction() as conn:
        conn.execute(
            update(NOTICES).where(NOTICES.c.id == late).values(created_at=DAY0 + timedelta(days=5))
        )
    found = _rows(w, None, since=DAY0 + timedelta(days=6))
    # notices sent since: the re-notice (day 7) and `late`; never the drafts, never notice 1
    assert found.by_status == {"removed": 1, "sent": 1} and found.sent == 2
    # locations: only the chains that began since (the re-notice's A belongs to notice 1's)
    assert [(r.root_id, r.url) for r in found.rows] == [(late, C)]
    assert second not in {r.notice_id for r in found.rows}
    assert {r.root_id for r in _rows(w, None, since=DAY0).rows} == {first, late}


def test_on_postgresql(
    tmp_path: Path, smtp_server: tuple[Collector, int], postgres_database: str
) -> None:
    w = world_of(tmp_path, smtp_server, db=postgres_database)
    first, second, _ = _chain(w, w.industry.agency_id)
    found = _rows(w, w.industry.agency_id, since=DAY0)
    assert [(r.url, r.root_id, r.notice_id, r.status) for r in found.rows] == [
        (A, first, second, "removed"),
        (B, first, first, "removed"),
    ]
    assert found.rows[0].sent_at == DAY0 and found.sent == 2
