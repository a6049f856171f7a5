"""store.notice_tracking: visibility by agency (the operator sees all), claiming a
notice's delivery state (one winner), the queries of tracking and re-noticing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from leaktrace.store import notice_tracking as store
from tests.services.notice_delivery_world import (
    NOW,
    World,
    add_sighting,
    notice_row,
    smtp_server,
    world_of,
)
from tests.smtp_server import Collector

__all__ = ["smtp_server"]


@pytest.fixture
def w(tmp_path: Path, smtp_server: tuple[Collector, int]) -> World:
    return world_of(tmp_path, smtp_server)


def test_visibility(w: World) -> None:
    mine = notice_row(w, agency_id=w.industry.agency_id)
    theirs = notice_row(w, agency_id=w.other_industry.agency_id)
    cli = notice_row(w, agency_id=None)
    with w.ctx.database.reading() as conn:
        assert [n.id for n in store.notices_by_ids(conn, None, w.industry.agency_id)] == [mine]
        assert [n.id for n in store.notices_by_ids(conn, None, None)] == [cli]
        assert [n.id for n in store.notices_by_ids(conn, None, store.ALL_AGENCIES)] == [
            mine,
            theirs,
            cli,
        ]
        assert store.notices_by_ids(conn, [theirs, 0, -1, 2**40], w.industry.agency_id) == []
        (found,) = store.notices_by_ids(conn, [theirs], store.ALL_AGENCIES)
        assert found.agency_id == w.other_industry.agency_id
        assert store.agency_kind(conn, w.industry.agency_id or 0) == "industry"
        assert store.agency_kind(conn, w.police.agency_id or 0) == "police"


def test_claim_has_one_winner(w: World) -> None:
    notice_id = notice_row(w, agency_id=None)
    with w.ctx.database.transaction() as conn:
        assert store.claim_notice(
            conn, notice_id, when_delivery=(None, "failed"), delivery="queued"
        )
        assert not store.claim_notice(
            conn, notice_id, when_delivery=(None, "failed"), delivery="queued"
        )
        assert store.claim_notice(
            conn, notice_id, when_delivery=("queued", "retrying"), delivery=None, status="sent"
        )
        (record,) = store.notices_by_ids(conn, [notice_id], store.ALL_AGENCIES)
    assert (record.delivery, record.status) == (None, "sent")


def test_tracking_and_renotice_queries(w: World) -> None:
    old = notice_row(w, agency_id=None, sent_at=NOW - timedelta(days=20), status="sent")
    recent = notice_row(w, agency_id=None, sent_at=NOW - timedelta(days=2), status="sent")
    notice_row(w, agency_id=None)  # drafted: never tracked
    add_sighting(w, "https://files.example/dune.mkv", NOW - timedelta(days=1))
    add_sighting(w, "https://elsewhere.example/x", NOW - timedelta(days=1))
    with w.ctx.database.transaction() as conn:
        open_ = store.unseen_sent_locations(conn, store.ALL_AGENCIES)
        assert sorted(loc.notice_id for loc, _ in open_) == [old, recent]
        seen = store.sightings_after(
            conn, [], ["https://files.example/dune.mkv"], NOW - timedelta(days=3)
        )
        assert [s.url for s in seen] == ["https://files.example/dune.mkv"]
        assert len(store.sightings_after(conn, [w.release_id], [], NOW - timedelta(days=3))) == 2
        assert store.sightings_after(conn, [w.release_id], [], NOW) == []
        assert store.stale_sent_notices(conn, NOW - timedelta(days=14), None) == [old]
        assert store.renotice_candidates(conn, NOW - timedelta(days=7), None) == [old]
        location = open_[0][0]
        assert store.set_seen_again(conn, location.id, NOW)
        assert not store.set_seen_again(conn, location.id, NOW)  # the first one is kept
