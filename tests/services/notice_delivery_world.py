"""A world for sending and tracking notices: a real local SMTP server (aiosmtpd), a
context whose [notices] settings point at it, an industry agency and a police agency, and
notices written straight into the store (so that these tests do not depend on drafting)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from leaktrace.config import load_settings
from leaktrace.identity.actor import Actor
from leaktrace.services.context import AppContext, build_context
from leaktrace.store import notice_tracking
from leaktrace.store.schema import DELIVERIES, RELEASES, SIGHTINGS, WORKS
from leaktrace.store.schema_access import AGENCIES
from leaktrace.store.schema_notices import NOTICE_CHANGES, NOTICE_LOCATIONS, NOTICES
from tests.services.test_leaks import agency_actor
from tests.smtp_server import Collector, running_smtp

__all__ = [
    "SENDER",
    "World",
    "add_sighting",
    "changes_of",
    "locations",
    "make_due",
    "notice_row",
    "smtp_server",
    "world_of",
]

SENDER: dict[str, Any] = {
    "name": "Jane Roe",
    "email": "notices@studio.example",
    "address": "1 Studio Way, Burbank, CA 91500, USA",
    "phone": "+1 555 0100",
    "signature": "/s/ Jane Roe",
    "principal": "Example Studios Inc.",
    "trusted_flagger": None,
}
NOW = datetime.now(UTC).replace(microsecond=0)


_OPEN: list[AppContext] = []
"""The contexts :func:`world_of` made during the current test (closed after it)."""


@pytest.fixture
def smtp_server() -> Iterator[tuple[Collector, int]]:
    """A local SMTP server; afterwards, every world made during the test is closed."""
    with running_smtp() as server:
        try:
            yield server
        finally:
            while _OPEN:
                _OPEN.pop().close()


@dataclass
class World:
    ctx: AppContext
    smtp: Collector
    industry: Actor
    other_industry: Actor
    police: Actor
    work_id: str
    release_id: int


def _agency(ctx: AppContext, code: str, kind: str) -> None:
    with ctx.database.transaction() as conn:
        found = conn.execute(select(AGENCIES.c.id).where(AGENCIES.c.code == code)).scalar()
        if found is None:
            conn.execute(
                insert(AGENCIES).values(
                    code=code, name=code, country="US", kind=kind, created_at=NOW
                )
            )


def world_of(
    tmp_path: Path,
    smtp: tuple[Collector, int],
    *,
    sender: bool = True,
    mail: bool = True,
    db: str | None = None,
    **notices: Any,
) -> World:
    handler, port = smtp
    section: dict[str, Any] = dict(notices)
    if sender:
        section["sender"] = {k: v for k, v in SENDER.items() if v is not None}
    if mail:
        section["smtp"] = {"host": "127.0.0.1", "port": port, "timeout": 5}
    target = db or str(tmp_path / "notices.db")
    ctx = build_context(load_settings(db=target, notices=section))
    _OPEN.append(ctx)
    _agency(ctx, "US-MPA", "industry")
    _agency(ctx, "IT-FAPAV", "industry")
    with ctx.database.transaction() as conn:
        conn.execute(
            insert(WORKS).values(
                id="dune-part-three-2026",
                kind="movie",
                title="Dune: Part Three",
                year=2026,
                imdb_id="tt31378509",
                updated_at=NOW,
            )
        )
        release_id = conn.execute(
            insert(RELEASES)
            .values(
                name="Dune.Part.Three.2026.1080p.WEB-DL-LEAKERS",
                title="Dune Part Three",
                year=2026,
                kind="movie",
                work_id="dune-part-three-2026",
                status="leak",
                released_at=NOW - timedelta(days=30),
            )
            .returning(RELEASES.c.id)
        ).scalar_one()
    return World(
        ctx=ctx,
        smtp=handler,
        industry=agency_actor(ctx, "US-MPA"),
        other_industry=agency_actor(ctx, "IT-FAPAV"),
        police=agency_actor(ctx, "NL-POL"),
        work_id="dune-part-three-2026",
        release_id=int(release_id),
    )


def notice_row(
    w: World,
    *,
    agency_id: int | None,
    urls: Sequence[str] = ("https://files.example/dune.mkv",),
    email: str | None = "abuse@files.example",
    name: str | None = "Files Example Abuse",
    key: str = "files.example",
    country: str | None = "NL",
    status: str = "drafted",
    case_id: int | None = None,
    sent_at: datetime | None = None,
    host_id: int | None = None,
    form: str = "dmca",
) -> int:
    """A notice as drafting leaves it (its text lists its URLs), written into the store."""
    body = "\n".join(
        [
            "Dear Files Example Abuse,",
            "I am writing on behalf of Example Studios Inc. about Dune: Part Three (2026).",
            "Infringing material:",
            *(f"  {u}" for u in urls),
            "/s/ Jane Roe",
        ]
    )
    at = sent_at or NOW
    with w.ctx.database.transaction() as conn:
        notice_id = notice_tracking.insert_notice(
            conn,
            {
                "agency_id": agency_id,
                "case_id": case_id,
                "form": form,
                "language": "en",
                "recipient_key": key,
                "recipient_name": name,
                "recipient_email": email,
                "recipient_country": country,
                "status": status,
                "template": f"{form}.en.txt",
                "subject": "Notice of infringement (pending reference)",
                "body": body,
                "sender": json.dumps(SENDER, sort_keys=True),
                "created_by": "test",
                "created_at": at - timedelta(hours=1),
                "updated_at": at,
                "sent_at": sent_at,
            },
            [
                {
                    "url": u,
                    "host": u.split("/")[2],
                    "host_id": host_id,
                    "release_id": w.release_id,
                    "work_id": w.work_id,
                    "release_name": "Dune.Part.Three.2026.1080p.WEB-DL-LEAKERS",
                    "status": "sent" if status != "drafted" else "drafted",
                    "status_at": at,
                }
                for u in urls
            ],
        )
        conn.execute(
            update(NOTICES)
            .where(NOTICES.c.id == notice_id)
            .values(subject=f"Notice of infringement LT-N-{notice_id:06d}")
        )
        if sent_at is not None:
            conn.execute(
                update(NOTICES)
                .where(NOTICES.c.id == notice_id)
                .values(message_id=f"<lt-n-{notice_id}@studio.example>")
            )
    return notice_id


def locations(w: World, notice_id: int) -> list[dict[str, Any]]:
    with w.ctx.database.reading() as conn:
        rows = conn.execute(
            select(NOTICE_LOCATIONS)
            .where(NOTICE_LOCATIONS.c.notice_id == notice_id)
            .order_by(NOTICE_LOCATIONS.c.id)
        ).all()
    return [dict(r._mapping) for r in rows]


def changes_of(w: World, notice_id: int) -> list[tuple[str, str, bool]]:
    """(status, via, of a location) of each change, oldest first."""
    with w.ctx.database.reading() as conn:
        rows = conn.execute(
            select(NOTICE_CHANGES.c.status, NOTICE_CHANGES.c.via, NOTICE_CHANGES.c.location_id)
            .where(NOTICE_CHANGES.c.notice_id == notice_id)
            .order_by(NOTICE_CHANGES.c.id)
        ).all()
    return [(r.status, r.via, r.location_id is not None) for r in rows]


def make_due(w: World) -> None:
    """Every pending delivery due now (instead of waiting out its back-off)."""
    with w.ctx.database.transaction() as conn:
        conn.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.status == "pending")
            .values(next_attempt_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def add_sighting(w: World, url: str, seen_at: datetime, *, release_id: int | None = None) -> None:
    with w.ctx.database.transaction() as conn:
        conn.execute(
            insert(SIGHTINGS).values(
                release_id=release_id or w.release_id,
                fingerprint=hashlib.sha1(f"{url} {seen_at.isoformat()}".encode()).hexdigest(),
                seen_at=seen_at,
                origin="test",
                url=url,
            )
        )
