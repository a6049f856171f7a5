"""services.notice_marking: what became of a sent notice (by hand, from replies, from
sightings, automatically): the allowed moves, one location or every open one, the notice
following its locations (once all are final: removed when one was removed, else
rejected when one was rejected, else no-response;
acknowledged on the first answer), the times kept, a change row for every change, and
need-to-know (another agency's notice does not exist)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leaktrace.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Role
from leaktrace.services.context import AppContext
from leaktrace.services.notice_marking import mark_notice, notice_status_of
from leaktrace.services.notice_reading import get_notice
from leaktrace.services.notices import DraftScope, draft_notices
from leaktrace.store import notices as store
from tests.services import notice_world as w
from tests.services.notice_delivery_world import smtp_server
from tests.services.test_leaks import agency_actor
from tests.smtp_server import Collector

SENT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
__all__ = ["as_sent", "smtp_server"]  # smtp_server: a fixture


def as_sent(ctx: AppContext, notice_id: int, at: datetime = SENT) -> None:
    """What sending does to a notice (notice_sending settles a delivered notice so)."""
    with ctx.database.transaction() as conn:
        store.update_notice(conn, notice_id, status="sent", sent_at=at, updated_at=at)
        store.update_locations(
            conn,
            [
                {"id": loc.id, "status": "sent", "status_at": at, "removed_at": None}
                for loc in store.locations_of(conn, notice_id)
            ],
        )
        store.insert_changes(conn, [(notice_id, None, "sent", at, None)], by="test", via="send")


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    yield from w.world_ctx(tmp_path)


@pytest.fixture
def actor(ctx: AppContext) -> Actor:
    return w.industry(ctx)


@pytest.fixture
def notice(ctx: AppContext, actor: Actor) -> int:
    """MPA's sent DMCA notice to CyberLock listing two locations."""
    result = draft_notices(ctx, actor, DraftScope(host="cyberlock.example"), form="dmca")
    (drafted,) = result.notices
    as_sent(ctx, drafted.id)
    return drafted.id


def test_a_drafted_notice_cannot_be_marked(ctx: AppContext, actor: Actor) -> None:
    result = draft_notices(ctx, actor, DraftScope(host="stream.test"), form="dmca")
    with pytest.raises(ConflictError, match="drafted: send it first"):
        mark_notice(ctx, actor, result.notices[0].id, "removed")
    assert get_notice(ctx, actor, result.notices[0].id).next_statuses == []


def test_acknowledge_then_remove_each_location(ctx: AppContext, actor: Actor, notice: int) -> None:
    first, second = w.CONTACT_PARENT, w.CONTACT_PARENT_2
    ack_at = SENT + timedelta(hours=2)
    view = mark_notice(ctx, actor, notice, "acknowledged", at=ack_at, note="ticket #1")
    assert view.status == "acknowledged"
    assert [loc.status for loc in view.location_list] == ["acknowledged", "acknowledged"]
    assert view.next_statuses == ["removed", "rejected", "no-response"]

    view = mark_notice(ctx, actor, notice, "removed", location=first, at=SENT + timedelta(hours=5))
    assert view.status == "acknowledged" and view.removed == 1
    locs = {loc.url: loc for loc in view.location_list}
    assert locs[first].removed_at == "2026-12-01T14:00:00Z"
    assert locs[second].removed_at is None

    view = mark_notice(ctx, actor, notice, "removed", at=SENT + timedelta(hours=30))
    assert view.status == "removed" and view.removed == 2
    with ctx.database.reading() as conn:
        record = store.notice_by_id(conn, notice, agency_id=None, every=True)
    assert record is not None
    assert record.acknowledged_at == ack_at
    assert record.closed_at == SENT + timedelta(hours=30)
    # every change is a row: the notice's and each location's, with who and how
    changes = [(c.status, c.location, c.via) for c in view.changes]
    assert changes == [
        ("drafted", None, "hand"),
        ("sent", None, "send"),
        ("acknowledged", first, "hand"),
        ("acknowledged", second, "hand"),
        ("acknowledged", None, "hand"),
        ("removed", first, "hand"),
        ("removed", second, "hand"),
        ("removed", None, "hand"),
    ]
    assert view.changes[2].detail == "ticket #1" and view.changes[2].by == actor.name


def test_a_removed_location_seen_again_reopens_nothing_but_counts(
    ctx: AppContext, actor: Actor, notice: int
) -> None:
    mark_notice(ctx, actor, notice, "removed")
    view = mark_notice(ctx, actor, notice, "no-response", location=w.CONTACT_PARENT, via="sighting")
    # every location is final and one is still removed: the notice stays removed (the
    # provider acted), the location up again counts as not removed
    assert view.status == "removed" and view.removed == 1
    loc = next(loc for loc in view.location_list if loc.url == w.CONTACT_PARENT)
    assert loc.status == "no-response" and loc.removed_at is None
    assert view.changes[-1].via == "sighting" and view.changes[-1].location == w.CONTACT_PARENT
    view = mark_notice(
        ctx, actor, notice, "no-response", location=w.CONTACT_PARENT_2, via="sighting"
    )
    # none removed any more, none rejected: no-response
    assert view.status == "no-response" and view.removed == 0
    assert (view.changes[-1].status, view.changes[-1].location) == ("no-response", None)
    # a late answer still counts
    view = mark_notice(ctx, actor, notice, "removed", location=w.CONTACT_PARENT, via="reply")
    assert view.status == "removed" and view.removed == 1


def test_mixed_final_statuses(ctx: AppContext, actor: Actor, notice: int) -> None:
    view = mark_notice(ctx, actor, notice, "rejected", location=w.CONTACT_PARENT)
    assert view.status == "acknowledged"
    view = mark_notice(ctx, actor, notice, "rejected", location=w.CONTACT_PARENT_2)
    assert view.status == "rejected"
    view = mark_notice(ctx, actor, notice, "removed", location=w.CONTACT_PARENT)
    # one removed, one rejected: the provider acted, the notice is removed; each
    # location keeps its own status
    assert view.status == "removed"
    assert {loc.url: loc.status for loc in view.location_list} == {
        w.CONTACT_PARENT: "removed",
        w.CONTACT_PARENT_2: "rejected",
    }
    assert view.changes[-1].status == "removed" and view.changes[-1].location is None
    assert notice_status_of(["removed", "removed"], "sent") == "removed"
    assert notice_status_of(["removed", "rejected"], "sent") == "removed"
    assert notice_status_of(["no-response", "removed"], "sent") == "removed"
    assert notice_status_of(["rejected", "no-response"], "sent") == "rejected"
    assert notice_status_of(["no-response", "no-response"], "sent") == "no-response"
    assert notice_status_of(["sent", "no-response"], "no-response") == "sent"
    assert notice_status_of(["sent", "removed"], "sent") == "acknowledged"


def test_moves_that_are_not_allowed(ctx: AppContext, actor: Actor, notice: int) -> None:
    with pytest.raises(ConflictError, match="'sent' is reached by sending"):
        mark_notice(ctx, actor, notice, "sent")
    mark_notice(ctx, actor, notice, "removed", location=w.CONTACT_PARENT)
    with pytest.raises(ConflictError, match="it can become no-response"):
        mark_notice(ctx, actor, notice, "acknowledged", location=w.CONTACT_PARENT)
    mark_notice(ctx, actor, notice, "acknowledged")  # the other location only
    with pytest.raises(ConflictError, match="can become removed, rejected, no-response"):
        mark_notice(ctx, actor, notice, "acknowledged")
    before = get_notice(ctx, actor, notice)
    for status, kwargs, error, field in (
        ("gone", {}, InputError, "status"),
        ("removed", {"location": "https://elsewhere.example/x"}, InputError, "location"),
        ("removed", {"at": datetime.now(UTC) + timedelta(days=1)}, InputError, "at"),
        ("removed", {"at": SENT - timedelta(days=1)}, InputError, "at"),
        ("removed", {"via": "pigeon"}, InputError, "via"),
    ):
        with pytest.raises(error) as raised:
            mark_notice(ctx, actor, notice, status, **kwargs)  # type: ignore[arg-type]
        assert raised.value.field == field  # type: ignore[attr-defined]
    assert get_notice(ctx, actor, notice) == before  # nothing changed


def test_location_given_in_another_spelling(ctx: AppContext, actor: Actor, notice: int) -> None:
    view = mark_notice(
        ctx, actor, notice, "removed", location="HTTPS://Files.CyberLock.example:443/f/abc1#top"
    )
    assert {loc.url: loc.status for loc in view.location_list}[w.CONTACT_PARENT] == "removed"


def test_another_agency_sees_no_such_notice(ctx: AppContext, notice: int) -> None:
    other = w.industry(ctx, "FAPAV")
    police = agency_actor(ctx, "NL-POL")
    for who in (other, police):
        with pytest.raises(NotFoundError) as hidden:
            mark_notice(ctx, who, notice, "removed")
        with pytest.raises(NotFoundError) as missing:
            mark_notice(ctx, who, 999_999, "removed")
        assert str(hidden.value) == str(missing.value).replace("999999", str(notice))
        assert (hidden.value.kind, hidden.value.key) == ("notice", str(notice))
        with pytest.raises(NotFoundError):
            get_notice(ctx, who, notice)
    with pytest.raises(PermissionDeniedError):
        mark_notice(ctx, agency_actor(ctx, "MPA", Role.viewer.value), notice, "removed")
    with pytest.raises(NotFoundError):
        get_notice(ctx, w.industry(ctx), 0)


def test_drafted_sent_by_mail_then_marked(
    tmp_path: Path, smtp_server: tuple[Collector, int]
) -> None:
    """The whole way through the real services: drafted here, sent to a local SMTP
    server by notice_sending, marked removed; the exported .eml is the message sent."""
    from email import message_from_bytes, policy

    from leaktrace.services.notice_export import notice_file
    from leaktrace.services.notice_sending import send_notices

    collector, port = smtp_server
    for ctx in w.world_ctx(tmp_path, smtp={"host": "127.0.0.1", "port": port}):
        actor = w.industry(ctx)
        result = draft_notices(ctx, actor, DraftScope(host="cyberlock.example"), form="dmca")
        notice = result.notices[0].id
        sent = send_notices(ctx, actor, [notice])
        assert sent.sent == [notice], sent
        (_, recipients, message) = collector.messages[-1]
        assert recipients == ["abuse@cyberlock.example"]
        assert w.CONTACT_PARENT in message.get_content()  # type: ignore[attr-defined]
        view = get_notice(ctx, actor, notice)
        assert view.status == "sent" and {loc.status for loc in view.location_list} == {"sent"}
        view = mark_notice(ctx, actor, notice, "removed")
        assert view.status == "removed" and view.removed == 2
        assert [c.via for c in view.changes][-3:] == ["hand", "hand", "hand"]
        _, eml = notice_file(ctx, actor, notice, format="eml")
        exported = message_from_bytes(eml, policy=policy.default)
        assert exported["Message-ID"] == message["Message-ID"] == view.message_id


def test_a_closed_notice_no_longer_holds_its_locations(
    ctx: AppContext, actor: Actor, notice: int
) -> None:
    """Drafting skips URLs of open notices only: once the notice is final (here rejected)
    its locations may be noticed again."""
    again = draft_notices(ctx, actor, DraftScope(host="cyberlock.example"), form="dmca")
    assert again.notices == [] and {s.notice_id for s in again.skipped} == {notice}
    mark_notice(ctx, actor, notice, "rejected")
    fresh = draft_notices(ctx, actor, DraftScope(host="cyberlock.example"), form="dmca")
    assert fresh.skipped == [] and [n.locations for n in fresh.notices] == [2]
