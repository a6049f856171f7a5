"""services.notice_renotice: a notice sent more than renotice_days ago whose locations are
still up (or were seen again) gets one drafted follow-up listing those locations only,
saying which notice it repeats; rejected and removed locations are left out; a dry run
writes nothing; a notice is repeated once."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from leaktrace.errors import NotFoundError
from leaktrace.identity.actor import local_operator
from leaktrace.services.notice_reading import get_notice
from leaktrace.services.notice_renotice import renotice
from leaktrace.store.schema_notices import NOTICE_LOCATIONS, NOTICES
from tests.services.notice_delivery_world import NOW, World, notice_row, smtp_server, world_of
from tests.smtp_server import Collector

__all__ = ["smtp_server"]

URLS = [f"https://files.example/{n}" for n in ("up", "gone", "back", "refused")]


def _set(w: World, notice_id: int, url: str, **values: object) -> None:
    with w.ctx.database.transaction() as conn:
        conn.execute(
            update(NOTICE_LOCATIONS)
            .where(NOTICE_LOCATIONS.c.notice_id == notice_id, NOTICE_LOCATIONS.c.url == url)
            .values(**values)
        )


def _count(w: World) -> int:
    with w.ctx.database.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(NOTICES)).scalar_one())


@pytest.fixture
def w(tmp_path: Path, smtp_server: tuple[Collector, int]) -> World:
    return world_of(tmp_path, smtp_server, renotice_days=7)


@pytest.mark.parametrize("form", ["dmca", "dsa"])
def test_a_follow_up_lists_what_is_still_up(w: World, form: str) -> None:
    agency = w.industry.agency_id
    old = notice_row(
        w,
        agency_id=agency,
        urls=URLS,
        sent_at=NOW - timedelta(days=10),
        status="acknowledged",
        form=form,
    )
    _set(w, old, URLS[1], status="removed", removed_at=NOW - timedelta(days=9))
    _set(
        w,
        old,
        URLS[2],
        status="removed",
        removed_at=NOW - timedelta(days=9),
        seen_again_at=NOW - timedelta(days=8),
    )
    _set(w, old, URLS[3], status="rejected")
    recent = notice_row(w, agency_id=agency, sent_at=NOW - timedelta(days=3), status="sent")
    before = _count(w)

    dry = renotice(w.ctx, w.industry, now=NOW, dry_run=True)
    assert [v.id for v in dry.notices] == [old]
    assert _count(w) == before

    result = renotice(w.ctx, w.industry, now=NOW)
    [new] = result.notices
    assert (new.status, new.previous_id, new.form, new.locations) == ("drafted", old, form, 2)
    assert new.recipient_email == "abuse@files.example"
    view = get_notice(w.ctx, w.industry, new.id)
    assert [loc.url for loc in view.location_list] == [URLS[0], URLS[2]]
    assert f"LT-N-{old:06d}" in view.body
    sent = NOW - timedelta(days=10)
    if form == "dmca":  # English text: "This notice repeats our notice LT-N-000001 of 26 ..."
        assert f"repeats our notice LT-N-{old:06d} of {sent.day} {sent:%B %Y}" in view.body
    assert recent not in [v.previous_id for v in result.notices]

    # repeated once only; and not for another agency
    assert renotice(w.ctx, w.industry, now=NOW).notices == []
    assert renotice(w.ctx, w.other_industry, now=NOW).notices == []
    assert _count(w) == before + 1


def test_the_operators_renotice_stays_the_agencys(w: World) -> None:
    """The operator's renotice (a cron job) drafts an agency's follow-up for that agency:
    its users see it, another agency does not."""
    old = notice_row(
        w,
        agency_id=w.industry.agency_id,
        urls=URLS[:1],
        sent_at=NOW - timedelta(days=10),
        status="sent",
    )
    [new] = renotice(w.ctx, local_operator(), now=NOW).notices
    assert new.previous_id == old and new.agency == "US-MPA"
    assert get_notice(w.ctx, w.industry, new.id).previous_id == old
    with pytest.raises(NotFoundError):
        get_notice(w.ctx, w.other_industry, new.id)


def test_nothing_to_repeat(w: World) -> None:
    done = notice_row(
        w, agency_id=None, urls=URLS[:1], sent_at=NOW - timedelta(days=30), status="removed"
    )
    _set(w, done, URLS[0], status="removed", removed_at=NOW - timedelta(days=29))
    notice_row(w, agency_id=None)  # a draft
    assert renotice(w.ctx, local_operator(), now=NOW).notices == []
    assert renotice(w.ctx, local_operator(), now=NOW, dry_run=True).notices == []


def test_a_follow_up_explains_in_its_language(tmp_path: Path) -> None:
    """The follow-up of an Italian DSA notice explains each location in Italian, from the
    alert's facts (as the first notice did), with no English sentence."""
    from datetime import UTC, datetime

    from leaktrace.services.notices import DraftScope, draft_notices
    from tests.services import notice_world as nw
    from tests.services.test_notice_marking import as_sent

    for ctx in nw.world_ctx(tmp_path):
        actor = nw.industry(ctx)
        first = draft_notices(
            ctx, actor, DraftScope(host="cyberlock.example"), form="dsa", language="it"
        ).notices[0]
        sent = datetime.now(UTC) - timedelta(days=10)
        as_sent(ctx, first.id, sent)
        [again] = renotice(ctx, actor).notices
        view = get_notice(ctx, actor, again.id)
        assert (view.previous_id, view.language, view.locations) == (first.id, "it", 2)
        assert view.body.count("giorni prima della sua uscita in home video del 19 maggio") == 2
        assert f"LT-N-{first.id:06d}" in view.body
        assert not [e for e in ("made available", "days before", "pre-release") if e in view.body]


def test_a_follow_up_is_signed_as_the_notice_it_repeats(w: World) -> None:
    """The settings' identity has changed since: the follow-up still says who sent the
    notice it repeats ("this repeats our notice")."""
    old = notice_row(
        w,
        agency_id=w.industry.agency_id,
        urls=URLS[:1],
        sent_at=NOW - timedelta(days=10),
        status="sent",
    )
    earlier = {
        "name": "Mario Rossi",
        "email": "notices@studio.example",
        "address": "Via Roma 1, Roma",
        "phone": "+39 06 000000",
        "signature": "/s/ Mario Rossi",
        "principal": "Example Studios Inc.",
    }
    with w.ctx.database.transaction() as conn:
        conn.execute(update(NOTICES).where(NOTICES.c.id == old).values(sender=json.dumps(earlier)))
    [new] = renotice(w.ctx, local_operator(), now=NOW).notices
    view = get_notice(w.ctx, w.industry, new.id)
    assert view.sender["name"] == "Mario Rossi" and "/s/ Mario Rossi" in view.body
    assert "Jane Roe" not in view.body  # the settings' current identity
