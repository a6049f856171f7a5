"""store.notices and the notice services on a real PostgreSQL server (the SQL stays
portable): the world built through the services, drafting (bulk inserts with RETURNING in
order, the union of sightings and host evidence, chunked IN lists), skipped duplicates,
marking, need-to-know; and the store's contact upsert rules on SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaktrace.errors import IncompleteNoticeError, NotFoundError
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.notice_marking import mark_notice
from leaktrace.services.notice_reading import get_notice, list_notices
from leaktrace.services.notices import DraftScope, draft_notices, set_recipient
from leaktrace.store import notices as store
from leaktrace.store.notices import ContactInput
from tests.services import notice_world as w
from tests.services.test_notice_marking import as_sent


@pytest.fixture
def pg_ctx(postgres_database: str, tmp_path: Path) -> Iterator[AppContext]:
    with build_context(w.settings_for(postgres_database)) as ctx:
        assert ctx.database.dialect == "postgresql"
        w.build_world(ctx, tmp_path / "files")
        yield ctx


def test_draft_and_mark_on_postgres(pg_ctx: AppContext) -> None:
    ctx = pg_ctx
    actor = w.industry(ctx)
    result = draft_notices(ctx, actor, DraftScope(work_id="northern"), form="dmca")
    notices = {n.recipient_key: n for n in result.notices}
    assert set(notices) == {
        "cyberlock.example", "stream.test", "203.0.113.10", "198.51.100.0/24", "AS20712",
        "nocontact.example", "192.0.2.60",
    }  # fmt: skip
    assert [n.id for n in result.notices] == sorted(n.id for n in result.notices)
    # ids come back in the order inserted: each text quotes its own reference
    for view in (get_notice(ctx, actor, n.id) for n in result.notices):
        assert view.reference in view.body
        assert all(loc.url in view.body for loc in view.location_list)
    assert {r.reason for r in result.refused} == {"bad-url", "private-address", "downloader"}
    assert {n.recipient_key for n in result.needs_contact} == {"nocontact.example", "192.0.2.60"}
    # rendered again from what is stored (first sightings by (release, URL) pairs)
    needing = notices["nocontact.example"].id
    given = set_recipient(ctx, actor, needing, name="NoContact", email="abuse@nocontact.example")
    assert "observed: 2026-05-07 08:00 UTC" in given.body and not given.needs_contact
    for odd in ("nul\x00work", "x" * 65):  # never a database error
        with pytest.raises(NotFoundError):
            draft_notices(ctx, actor, DraftScope(work_id=odd), form="dmca")
    again = draft_notices(ctx, actor, DraftScope(work_id="northern"), form="dmca")
    assert again.notices == [] and len(again.skipped) == 8

    cyber = notices["cyberlock.example"].id
    as_sent(ctx, cyber)
    mark_notice(ctx, actor, cyber, "removed", location=w.CONTACT_PARENT)
    view = mark_notice(ctx, actor, cyber, "removed", note="gone\x00 at\nlast\x1b[31m")
    assert view.changes[-1].detail == "gone at last[31m"
    assert view.status == "removed" and view.removed == 2
    assert [s.status for s in list_notices(ctx, actor, status="removed")] == ["removed"]
    with pytest.raises(NotFoundError):
        get_notice(ctx, w.industry(ctx, "FAPAV"), cyber)
    assert list_notices(ctx, w.industry(ctx, "FAPAV")) == []


def test_nothing_written_on_refusal_on_postgres(postgres_database: str, tmp_path: Path) -> None:
    settings = w.settings_for(postgres_database)
    settings = settings.model_copy(
        update={"notices": settings.notices.model_copy(update={"sender": None})}
    )
    with build_context(settings) as ctx:
        w.build_world(ctx, tmp_path / "files")
        with pytest.raises(IncompleteNoticeError):
            draft_notices(ctx, w.industry(ctx), DraftScope(work_id="northern"), form="dsa")
        with ctx.database.reading() as conn:
            assert store.notices_of(conn, agency_id=None, every=True) == []


def test_contact_upsert_rules(tmp_path: Path) -> None:
    now = datetime(2026, 12, 6, tzinfo=UTC)
    with build_context(w.settings_for(str(tmp_path / "c.db"))) as ctx:
        with ctx.database.transaction() as conn:
            first = [
                ContactInput("a.example", "domain", "A", "abuse@a.example"),
                ContactInput("192.0.2.1", "ip", "Host", "abuse@host.example", "NL"),
            ]
            assert store.put_contacts(conn, first, origin="file:x", now=now) == (2, 0, 0)
            assert store.put_contacts(conn, first, origin="file:x", now=now) == (0, 0, 2)
            # a host list never replaces what the user gave; it adds and updates its own
            hosts = [
                ContactInput("a.example", "domain", "Other", "other@a.example"),
                ContactInput("b.example", "domain", "B", "abuse@b.example"),
            ]
            assert store.put_contacts(
                conn, hosts, origin="hosts:h.csv", now=now, replace_origin_prefix="hosts:"
            ) == (1, 0, 1)
            changed = [ContactInput("b.example", "domain", "B2", "abuse@b.example")]
            assert store.put_contacts(
                conn, changed, origin="hosts:h2.csv", now=now, replace_origin_prefix="hosts:"
            ) == (0, 1, 0)
            contacts = {c.match: c for c in store.all_contacts(conn)}
        assert contacts["a.example"].name == "A" and contacts["a.example"].origin == "file:x"
        assert (contacts["b.example"].name, contacts["b.example"].origin) == ("B2", "hosts:h2.csv")


SEEN = datetime(2026, 5, 3, tzinfo=UTC)


def test_host_evidence_urls_are_locations(tmp_path: Path) -> None:
    """A host's evidence whose reference is an http(s) URL (tied to an alerted release)
    is a location of that leak; other references (``sighting:12``) are not."""
    from sqlalchemy import insert, select

    from leaktrace.store.schema import ALERTS, HOST_EVIDENCE, HOSTS

    with build_context(w.settings_for(w.world_copy(tmp_path))) as ctx:
        leak = w.leak_of(ctx, w.CONTACT_EXACT)
        with ctx.database.transaction() as conn:
            release_id = conn.execute(
                select(ALERTS.c.release_id).where(ALERTS.c.id == leak)
            ).scalar_one()
            host_id = conn.execute(
                select(HOSTS.c.id).where(HOSTS.c.value == "nocontact.example")
            ).scalar_one()
            conn.execute(
                insert(HOST_EVIDENCE),
                [
                    {"host_id": host_id, "release_id": release_id, "kind": "site",
                     "reference": "HTTPS://NoContact.example/page/7", "seen_at": SEEN},
                    {"host_id": host_id, "release_id": release_id, "kind": "site",
                     "reference": "sighting:12", "seen_at": None},
                ],
            )  # fmt: skip
        with ctx.database.reading() as conn:
            found = store.scope_locations(conn, alert_id=leak)
        assert sorted(s.url for s in found) == ["HTTPS://NoContact.example/page/7", w.CONTACT_EXACT]
        result = draft_notices(ctx, w.industry(ctx), DraftScope(leak_id=leak), form="dmca")
        urls = {n.recipient_key: get_notice(ctx, w.industry(ctx), n.id) for n in result.notices}
        assert [loc.url for loc in urls["nocontact.example"].location_list] == [
            "https://nocontact.example/page/7"
        ]
        assert "observed: 2026-05-03 00:00 UTC" in urls["nocontact.example"].body
