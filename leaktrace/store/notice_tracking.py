"""Reads and writes of takedown notices once drafted: sending (settling what the outbox
delivered), tracking (replies, LeakTrace's own later sightings, no answer) and re-notices
(portable SQL). The figures are :mod:`leaktrace.store.notice_figures`.

Visibility is the caller's ``agency`` argument: an agency id sees only its own notices,
:data:`ALL_AGENCIES` (the command line's operator) sees every one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy import exists, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from leaktrace.store.notices import (
    LocationRecord,
    NoticeRecord,
    location_of,
    notice_of,
    notice_query,
)
from leaktrace.store.portable import chunked
from leaktrace.store.schema import SIGHTINGS
from leaktrace.store.schema_access import AGENCIES
from leaktrace.store.schema_notices import NOTICE_CHANGES, NOTICE_LOCATIONS, NOTICES

__all__ = [
    "ALL_AGENCIES",
    "NOT_IN_CASE",
    "LocationRecord",
    "NoticeRecord",
    "Sighting",
    "agency_kind",
    "claim_notice",
    "insert_changes",
    "insert_notice",
    "locations_of",
    "notices_by_ids",
    "notices_by_message_ids",
    "notices_in_delivery",
    "renotice_candidates",
    "sent_without_evidence",
    "set_locations",
    "set_seen_again",
    "sightings_after",
    "stale_sent_notices",
    "unseen_sent_locations",
    "visible_to",
]

ALL_AGENCIES: Final = -1
"""The ``agency`` of the command line's operator: every notice is visible."""


def visible_to(agency: int | None) -> ColumnElement[bool]:
    """The condition on ``notices`` rows that ``agency`` (an agency id, None for the
    operator's own, :data:`ALL_AGENCIES` for every one) sees."""
    if agency == ALL_AGENCIES:
        return NOTICES.c.id.isnot(None)
    if agency is None:
        return NOTICES.c.agency_id.is_(None)
    return NOTICES.c.agency_id == agency


def agency_kind(conn: Connection, agency_id: int) -> str | None:
    """The kind of agency ``agency_id`` (``industry``, ``police`` ...), None if unknown."""
    value = conn.execute(
        select(AGENCIES.c.kind).where(AGENCIES.c.id == agency_id)
    ).scalar_one_or_none()
    return None if value is None else str(value)


def notices_by_ids(
    conn: Connection, ids: Sequence[int] | None, agency: int | None, *, status: str | None = None
) -> list[NoticeRecord]:
    """The visible notices among ``ids`` (None: all visible), oldest first, optionally of
    one ``status``."""
    where: list[ColumnElement[bool]] = [visible_to(agency)]
    if status is not None:
        where.append(NOTICES.c.status == status)
    if ids is None:
        rows = conn.execute(notice_query().where(*where).order_by(NOTICES.c.id)).all()
        return [notice_of(r) for r in rows]
    out: list[NoticeRecord] = []
    wanted = [i for i in dict.fromkeys(ids) if 0 < i < 2**31]
    for part in chunked(wanted):
        rows = conn.execute(notice_query().where(NOTICES.c.id.in_(part), *where)).all()
        out.extend(notice_of(r) for r in rows)
    return sorted(out, key=lambda n: n.id)


NOT_IN_CASE: Final = "not added to case"
"""How a change says a sent notice's message could not be added to its case."""


def sent_without_evidence(conn: Connection, agency: int | None) -> list[NoticeRecord]:
    """Visible sent notices of a case whose message is not in the case yet (and was not
    refused by it)."""
    refused = (
        select(NOTICE_CHANGES.c.id)
        .where(
            NOTICE_CHANGES.c.notice_id == NOTICES.c.id,
            NOTICE_CHANGES.c.via == "send",
            NOTICE_CHANGES.c.detail.like(f"{NOT_IN_CASE} %"),
        )
        .exists()
    )
    rows = conn.execute(
        notice_query()
        .where(
            NOTICES.c.sent_at.isnot(None),
            NOTICES.c.case_id.isnot(None),
            NOTICES.c.evidence_item_id.is_(None),
            visible_to(agency),
            ~refused,
        )
        .order_by(NOTICES.c.id)
    ).all()
    return [notice_of(r) for r in rows]


def notices_in_delivery(conn: Connection) -> list[NoticeRecord]:
    """Every notice queued for sending (``delivery`` queued or retrying), oldest first."""
    rows = conn.execute(
        notice_query().where(NOTICES.c.delivery.in_(("queued", "retrying"))).order_by(NOTICES.c.id)
    ).all()
    return [notice_of(r) for r in rows]


def notices_by_message_ids(
    conn: Connection, message_ids: Sequence[str], agency: int | None
) -> list[NoticeRecord]:
    """The visible notices sent with one of ``message_ids``."""
    wanted = list(dict.fromkeys(m for m in message_ids if m))
    out: list[NoticeRecord] = []
    for part in chunked(wanted):
        rows = conn.execute(
            notice_query().where(NOTICES.c.message_id.in_(part), visible_to(agency))
        ).all()
        out.extend(notice_of(r) for r in rows)
    return sorted(out, key=lambda n: n.id)


def locations_of(conn: Connection, notice_ids: Sequence[int]) -> dict[int, list[LocationRecord]]:
    """The locations of each notice, in id order."""
    out: dict[int, list[LocationRecord]] = {i: [] for i in notice_ids}
    for part in chunked(list(notice_ids)):
        rows = conn.execute(
            select(NOTICE_LOCATIONS)
            .where(NOTICE_LOCATIONS.c.notice_id.in_(part))
            .order_by(NOTICE_LOCATIONS.c.id)
        ).all()
        for r in rows:
            out.setdefault(r.notice_id, []).append(location_of(r))
    return out


def claim_notice(
    conn: Connection,
    notice_id: int,
    *,
    when_delivery: Sequence[str | None],
    when_status: str | None = None,
    when_updated_at: datetime | None = None,
    **values: Any,
) -> bool:
    """Update the notice only while its ``delivery`` is one of ``when_delivery`` (None:
    not queued), and, when given, its status is ``when_status`` and it was last changed
    at ``when_updated_at`` (unchanged since it was read); False when another process got
    there first."""
    states = [d for d in when_delivery if d is not None]
    conditions: list[ColumnElement[bool]] = []
    if states:
        conditions.append(NOTICES.c.delivery.in_(states))
    if None in when_delivery:
        conditions.append(NOTICES.c.delivery.is_(None))
    where: list[ColumnElement[bool]] = [NOTICES.c.id == notice_id, or_(*conditions)]
    if when_status is not None:
        where.append(NOTICES.c.status == when_status)
    if when_updated_at is not None:
        where.append(NOTICES.c.updated_at == when_updated_at)
    result = conn.execute(update(NOTICES).where(*where).values(**values))
    return bool(result.rowcount)


def set_locations(
    conn: Connection, notice_id: int, *, from_status: str, status: str, at: datetime
) -> list[int]:
    """Move the notice's locations in ``from_status`` to ``status``; their ids."""
    ids = [
        int(i)
        for i in conn.execute(
            select(NOTICE_LOCATIONS.c.id).where(
                NOTICE_LOCATIONS.c.notice_id == notice_id,
                NOTICE_LOCATIONS.c.status == from_status,
            )
        ).scalars()
    ]
    if ids:
        conn.execute(
            update(NOTICE_LOCATIONS)
            .where(NOTICE_LOCATIONS.c.id.in_(ids))
            .values(status=status, status_at=at)
        )
    return ids


def insert_changes(conn: Connection, changes: Sequence[dict[str, Any]]) -> None:
    """``notice_changes`` rows (notice_id, location_id, status, at, by, via, detail)."""
    if changes:
        conn.execute(NOTICE_CHANGES.insert(), list(changes))


def insert_notice(
    conn: Connection, notice: dict[str, Any], locations: Sequence[dict[str, Any]]
) -> int:
    """A new notice and its locations; its id."""
    notice_id = int(
        conn.execute(NOTICES.insert().values(**notice).returning(NOTICES.c.id)).scalar_one()
    )
    if locations:
        conn.execute(
            NOTICE_LOCATIONS.insert(), [{**loc, "notice_id": notice_id} for loc in locations]
        )
    return notice_id


# --- tracking ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sighting:
    id: int
    release_id: int
    url: str
    seen_at: datetime


def unseen_sent_locations(
    conn: Connection, agency: int | None
) -> list[tuple[LocationRecord, datetime]]:
    """Locations of visible sent notices not yet seen again, with their notice's
    ``sent_at``."""
    rows = conn.execute(
        select(NOTICE_LOCATIONS, NOTICES.c.sent_at.label("notice_sent_at"))
        .select_from(NOTICE_LOCATIONS.join(NOTICES, NOTICES.c.id == NOTICE_LOCATIONS.c.notice_id))
        .where(
            NOTICES.c.sent_at.isnot(None),
            NOTICE_LOCATIONS.c.seen_again_at.is_(None),
            NOTICE_LOCATIONS.c.status != "drafted",
            visible_to(agency),
        )
        .order_by(NOTICE_LOCATIONS.c.id)
    ).all()
    return [(location_of(r), r.notice_sent_at) for r in rows]


def sightings_after(
    conn: Connection, release_ids: Sequence[int], urls: Sequence[str], since: datetime
) -> list[Sighting]:
    """Sightings with a URL seen after ``since``, of one of ``release_ids`` or at one of
    ``urls`` (exactly), oldest first."""
    found: dict[int, Sighting] = {}

    def add(condition: ColumnElement[bool]) -> None:
        rows = conn.execute(
            select(SIGHTINGS.c.id, SIGHTINGS.c.release_id, SIGHTINGS.c.url, SIGHTINGS.c.seen_at)
            .where(condition, SIGHTINGS.c.url.isnot(None), SIGHTINGS.c.seen_at > since)
            .order_by(SIGHTINGS.c.seen_at, SIGHTINGS.c.id)
        ).all()
        for r in rows:
            found[int(r.id)] = Sighting(int(r.id), int(r.release_id), str(r.url), r.seen_at)

    for part in chunked(list(dict.fromkeys(release_ids))):
        add(SIGHTINGS.c.release_id.in_(part))
    for url_part in chunked(list(dict.fromkeys(urls))):
        add(SIGHTINGS.c.url.in_(url_part))
    return sorted(found.values(), key=lambda s: (s.seen_at, s.id))


def set_seen_again(conn: Connection, location_id: int, at: datetime) -> bool:
    """Record the first later sighting of a location (False if one was recorded)."""
    result = conn.execute(
        update(NOTICE_LOCATIONS)
        .where(NOTICE_LOCATIONS.c.id == location_id, NOTICE_LOCATIONS.c.seen_again_at.is_(None))
        .values(seen_again_at=at)
    )
    return bool(result.rowcount)


def stale_sent_notices(conn: Connection, before: datetime, agency: int | None) -> list[int]:
    """Visible notices still ``sent`` (no answer at all) that were sent before
    ``before``."""
    return [
        int(i)
        for i in conn.execute(
            select(NOTICES.c.id)
            .where(NOTICES.c.status == "sent", NOTICES.c.sent_at < before, visible_to(agency))
            .order_by(NOTICES.c.id)
        ).scalars()
    ]


def renotice_candidates(conn: Connection, before: datetime, agency: int | None) -> list[int]:
    """Visible notices sent before ``before`` that no notice repeats yet and that list a
    location neither rejected nor removed (or removed but seen again)."""
    later = NOTICES.alias("later")
    pending = (
        select(NOTICE_LOCATIONS.c.id)
        .where(
            NOTICE_LOCATIONS.c.notice_id == NOTICES.c.id,
            NOTICE_LOCATIONS.c.status != "rejected",
            or_(
                NOTICE_LOCATIONS.c.status != "removed",
                NOTICE_LOCATIONS.c.seen_again_at.isnot(None),
            ),
        )
        .exists()
    )
    return [
        int(i)
        for i in conn.execute(
            select(NOTICES.c.id)
            .where(
                NOTICES.c.sent_at.isnot(None),
                NOTICES.c.sent_at < before,
                NOTICES.c.status != "drafted",
                visible_to(agency),
                ~exists().where(later.c.previous_id == NOTICES.c.id),
                pending,
            )
            .order_by(NOTICES.c.id)
        ).scalars()
    ]
