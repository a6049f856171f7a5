"""Takedown notices in the database: contacts, the locations a draft is made from, the
notices, their locations and their changes (portable SQL).

The services decide who may see and change what (:mod:`leaktrace.services.notices` and
its siblings); this module only reads and writes rows. Reads of many rows are set-based
(one query per concept, ``IN`` lists in chunks), writes are bulk inserts.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    or_,
    select,
    tuple_,
    union_all,
    update,
)
from sqlalchemy.engine import Connection, Row

from leaktrace.store.portable import chunked
from leaktrace.store.schema import (
    ALERTS,
    HOST_EVIDENCE,
    HOSTS,
    RELEASES,
    SIGHTINGS,
    SWARM_OBSERVATIONS,
    WORKS,
)
from leaktrace.store.schema_access import AGENCIES
from leaktrace.store.schema_notices import (
    NOTICE_CHANGES,
    NOTICE_CONTACTS,
    NOTICE_LOCATIONS,
    NOTICES,
)

__all__ = [
    "AlertRecord",
    "ChangeRecord",
    "ContactInput",
    "HostInfo",
    "LocationRecord",
    "NewLocation",
    "NewNotice",
    "NoticeRecord",
    "SourceLocation",
    "StoredContact",
    "WorkRecord",
    "all_contacts",
    "alert_by_id",
    "alerts_by_id",
    "first_seen",
    "changes_of",
    "contact_count",
    "hosts_by_value",
    "insert_changes",
    "insert_locations",
    "insert_notices",
    "location_counts",
    "location_of",
    "locations_of",
    "lock_notice",
    "lock_recipient_change",
    "notice_by_id",
    "notice_of",
    "notice_query",
    "notices_of",
    "open_locations",
    "peer_roles",
    "put_contacts",
    "scope_locations",
    "swarm_observed",
    "update_locations",
    "update_notice",
    "update_notice_texts",
    "work_ids_of",
    "works_by_id",
]

FINAL = ("removed", "rejected", "no-response")
"""The final statuses (``leaktrace.notices.model.FINAL_STATUSES`` as text: the store
does not import the domain)."""


# --- contacts ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoredContact:
    id: int
    match: str
    match_kind: str
    name: str
    email: str
    country: str | None
    form: str | None
    origin: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ContactInput:
    """A contact to add or update (``match`` normalised by the caller)."""

    match: str
    match_kind: str
    name: str
    email: str
    country: str | None = None
    form: str | None = None


def _contact(row: Row[Any]) -> StoredContact:
    return StoredContact(
        id=row.id,
        match=row.match,
        match_kind=row.match_kind,
        name=row.name,
        email=row.email,
        country=row.country,
        form=row.form,
        origin=row.origin,
        updated_at=row.updated_at,
    )


def all_contacts(conn: Connection) -> list[StoredContact]:
    """Every contact, by match."""
    rows = conn.execute(select(NOTICE_CONTACTS).order_by(NOTICE_CONTACTS.c.match))
    return [_contact(row) for row in rows]


def contact_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(NOTICE_CONTACTS)).scalar_one())


def put_contacts(
    conn: Connection,
    contacts: Sequence[ContactInput],
    *,
    origin: str,
    now: datetime,
    replace_origin_prefix: str | None = None,
) -> tuple[int, int, int]:
    """Add or update ``contacts`` (the last of one match wins); ``(added, updated,
    unchanged)``. A contact whose name, e-mail, country and form are the same is
    unchanged (its origin stays). With ``replace_origin_prefix``, an existing contact is
    updated only when its origin starts with it (a host list's abuse columns never
    replace a contact the user entered or imported); others count as unchanged."""
    wanted: dict[str, ContactInput] = {c.match: c for c in contacts}
    existing: dict[str, StoredContact] = {}
    for part in chunked(list(wanted)):
        for row in conn.execute(select(NOTICE_CONTACTS).where(NOTICE_CONTACTS.c.match.in_(part))):
            existing[row.match] = _contact(row)
    added: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    unchanged = 0
    for match, c in wanted.items():
        values = {
            "match_kind": c.match_kind,
            "name": c.name,
            "email": c.email,
            "country": c.country,
            "form": c.form,
        }
        old = existing.get(match)
        if old is None:
            added.append({"match": match, **values, "origin": origin, "updated_at": now})
        elif (old.match_kind, old.name, old.email, old.country, old.form) == tuple(
            values.values()
        ) or (
            replace_origin_prefix is not None and not old.origin.startswith(replace_origin_prefix)
        ):
            unchanged += 1
        else:
            changed.append({"b_id": old.id, **values, "origin": origin, "updated_at": now})
    if added:
        conn.execute(insert(NOTICE_CONTACTS), added)
    if changed:
        conn.execute(
            update(NOTICE_CONTACTS)
            .where(NOTICE_CONTACTS.c.id == bindparam("b_id"))
            .values(
                match_kind=bindparam("match_kind"),
                name=bindparam("name"),
                email=bindparam("email"),
                country=bindparam("country"),
                form=bindparam("form"),
                origin=bindparam("origin"),
                updated_at=bindparam("updated_at"),
            ),
            changed,
        )
    return len(added), len(changed), unchanged


# --- what a draft is made from -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlertRecord:
    id: int
    release_id: int
    work_id: str
    release_name: str
    explanation: str
    window: str
    window_date: date
    lead_days: float
    source: str
    released_at: datetime


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """A URL where a leak was seen: a sighting's URL or a host's evidence reference."""

    url: str
    alert_id: int
    release_id: int
    release_name: str
    work_id: str
    explanation: str
    seen_at: datetime | None


@dataclass(frozen=True, slots=True)
class WorkRecord:
    id: str
    title: str
    year: int | None
    kind: str
    imdb_id: str | None


@dataclass(frozen=True, slots=True)
class HostInfo:
    id: int
    kind: str
    value: str
    asn: int | None
    country: str | None


_ALERT_COLUMNS = (
    ALERTS.c.id,
    ALERTS.c.release_id,
    ALERTS.c.work_id,
    RELEASES.c.name,
    ALERTS.c.explanation,
    ALERTS.c.window,
    ALERTS.c.window_date,
    ALERTS.c.lead_days,
    ALERTS.c.source,
    ALERTS.c.released_at,
)


def alert_by_id(conn: Connection, alert_id: int) -> AlertRecord | None:
    row = conn.execute(
        select(*_ALERT_COLUMNS)
        .select_from(ALERTS.join(RELEASES, RELEASES.c.id == ALERTS.c.release_id))
        .where(ALERTS.c.id == alert_id)
    ).first()
    return None if row is None else _alert(row)


def _alert(row: Any) -> AlertRecord:
    values: tuple[Any, ...] = tuple(row)
    return AlertRecord(*values)


def alerts_by_id(conn: Connection, alert_ids: Iterable[int]) -> dict[int, AlertRecord]:
    """The alerts (with their release's name) of ``alert_ids``."""
    found: dict[int, AlertRecord] = {}
    for part in chunked(sorted(set(alert_ids))):
        rows = conn.execute(
            select(*_ALERT_COLUMNS)
            .select_from(ALERTS.join(RELEASES, RELEASES.c.id == ALERTS.c.release_id))
            .where(ALERTS.c.id.in_(part))
        )
        for row in rows:
            found[int(row[0])] = _alert(row)
    return found


def scope_locations(
    conn: Connection,
    *,
    alert_id: int | None = None,
    work_id: str | None = None,
    since: datetime | None = None,
    url_contains: str | None = None,
) -> list[SourceLocation]:
    """The URLs of the sightings of alerted releases (``magnet:`` links excepted: they
    are no location on a host) and the http(s) references of their hosts' evidence,
    narrowed to one alert, one work, things seen since ``since``, or URLs containing
    ``url_contains`` (the caller checks the host exactly). One query (a union)."""
    alert_cond: list[Any] = []
    if alert_id is not None:
        alert_cond.append(ALERTS.c.id == alert_id)
    if work_id is not None:
        alert_cond.append(ALERTS.c.work_id == work_id)
    pattern = None if url_contains is None else f"%{_like_escape(url_contains.lower())}%"
    base = ALERTS.join(RELEASES, RELEASES.c.id == ALERTS.c.release_id)

    def branch(table: Any, url: Any, wanted: Any, origin: int) -> Any:
        """The locations of one table: ``url`` its URL column, ``wanted`` which."""
        cond: list[Any] = [wanted]
        if since is not None:
            cond.append(table.c.seen_at >= since)
        if pattern is not None:
            cond.append(func.lower(url).like(pattern, escape="\\"))
        return (
            select(
                url.label("url"),
                ALERTS.c.id.label("alert_id"),
                ALERTS.c.release_id,
                RELEASES.c.name.label("release_name"),
                ALERTS.c.work_id,
                ALERTS.c.explanation,
                table.c.seen_at.label("seen_at"),
                literal(origin).label("origin"),
            )
            .select_from(base.join(table, table.c.release_id == ALERTS.c.release_id))
            .where(and_(*alert_cond, *cond))
        )

    sightings = branch(
        SIGHTINGS,
        SIGHTINGS.c.url,
        and_(SIGHTINGS.c.url.is_not(None), ~func.lower(SIGHTINGS.c.url).like("magnet:%")),
        0,
    )
    evidence = branch(
        HOST_EVIDENCE,
        HOST_EVIDENCE.c.reference,
        or_(
            func.lower(HOST_EVIDENCE.c.reference).like("http://%"),
            func.lower(HOST_EVIDENCE.c.reference).like("https://%"),
        ),
        1,
    )
    query = union_all(sightings, evidence)
    sub = query.subquery()
    rows = conn.execute(select(sub).order_by(sub.c.alert_id, sub.c.origin, sub.c.url))
    return [
        SourceLocation(
            url=row.url,
            alert_id=row.alert_id,
            release_id=row.release_id,
            release_name=row.release_name,
            work_id=row.work_id,
            explanation=row.explanation,
            seen_at=row.seen_at,
        )
        for row in rows
    ]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def works_by_id(conn: Connection, ids: Iterable[str]) -> dict[str, WorkRecord]:
    found: dict[str, WorkRecord] = {}
    for part in chunked(sorted(set(ids))):
        rows = conn.execute(
            select(WORKS.c.id, WORKS.c.title, WORKS.c.year, WORKS.c.kind, WORKS.c.imdb_id).where(
                WORKS.c.id.in_(part)
            )
        )
        for row in rows:
            found[row.id] = WorkRecord(*row)
    return found


def hosts_by_value(conn: Connection, values: Iterable[str]) -> dict[str, HostInfo]:
    """Stored hosts (IP addresses and domains) by their value."""
    found: dict[str, HostInfo] = {}
    for part in chunked(sorted(set(values))):
        rows = conn.execute(
            select(HOSTS.c.id, HOSTS.c.kind, HOSTS.c.value, HOSTS.c.asn, HOSTS.c.country).where(
                HOSTS.c.value.in_(part)
            )
        )
        for row in rows:
            found[row.value] = HostInfo(*row)
    return found


def swarm_observed(conn: Connection) -> bool:
    """Whether any swarm observation is stored."""
    return conn.execute(select(SWARM_OBSERVATIONS.c.id).limit(1)).first() is not None


def peer_roles(conn: Connection, keys: Iterable[str]) -> dict[str, set[str]]:
    """The roles each peer key (keyed hash of an address) was observed with."""
    found: dict[str, set[str]] = {}
    for part in chunked(sorted(set(keys))):
        rows = conn.execute(
            select(SWARM_OBSERVATIONS.c.peer_key, SWARM_OBSERVATIONS.c.role)
            .where(SWARM_OBSERVATIONS.c.peer_key.in_(part))
            .distinct()
        )
        for key, role in rows:
            found.setdefault(key, set()).add(role)
    return found


def open_locations(
    conn: Connection, urls: Iterable[str], *, form: str, agency_id: int | None, every: bool
) -> dict[str, int]:
    """URL → the id of a notice of ``form`` not in a final status that lists it (of the
    agency ``agency_id``; of any agency when ``every``)."""
    found: dict[str, int] = {}
    for part in chunked(sorted(set(urls))):
        query = (
            select(NOTICE_LOCATIONS.c.url, func.min(NOTICES.c.id))
            .select_from(
                NOTICE_LOCATIONS.join(NOTICES, NOTICES.c.id == NOTICE_LOCATIONS.c.notice_id)
            )
            .where(
                NOTICE_LOCATIONS.c.url.in_(part),
                NOTICES.c.form == form,
                NOTICES.c.status.not_in(FINAL),
            )
            .group_by(NOTICE_LOCATIONS.c.url)
        )
        if not every:
            query = query.where(_agency_is(agency_id))
        for url, notice_id in conn.execute(query):
            found[url] = int(notice_id)
    return found


def _agency_is(agency_id: int | None) -> Any:
    return NOTICES.c.agency_id.is_(None) if agency_id is None else NOTICES.c.agency_id == agency_id


# --- notices -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewNotice:
    agency_id: int | None
    case_id: int | None
    form: str
    language: str
    recipient_key: str
    contact_id: int | None
    recipient_name: str | None
    recipient_email: str | None
    recipient_country: str | None
    sender: str
    """JSON of the sender identity."""
    created_by: str
    previous_id: int | None = None


@dataclass(frozen=True, slots=True)
class NewLocation:
    notice_id: int
    url: str
    host: str
    host_id: int | None
    release_id: int | None
    work_id: str | None
    alert_id: int | None
    release_name: str | None


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    id: int
    agency_id: int | None
    agency_code: str | None
    case_id: int | None
    form: str
    language: str
    recipient_key: str
    contact_id: int | None
    recipient_name: str | None
    recipient_email: str | None
    recipient_country: str | None
    status: str
    template: str
    subject: str
    body: str
    sender: str
    message_id: str | None
    previous_id: int | None
    delivery: str | None
    delivery_error: str | None
    evidence_item_id: int | None
    created_by: str
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None
    closed_at: datetime | None

    def sender_data(self) -> dict[str, Any]:
        """The stored sender identity (``{}`` when missing or unreadable)."""
        try:
            loaded = json.loads(self.sender) if self.sender else {}
        except ValueError:
            return {}
        return loaded if isinstance(loaded, dict) else {}


@dataclass(frozen=True, slots=True)
class LocationRecord:
    id: int
    notice_id: int
    url: str
    host: str
    host_id: int | None
    release_id: int | None
    work_id: str | None
    alert_id: int | None
    release_name: str | None
    status: str
    status_at: datetime
    removed_at: datetime | None
    seen_again_at: datetime | None


@dataclass(frozen=True, slots=True)
class ChangeRecord:
    id: int
    notice_id: int
    location_id: int | None
    location_url: str | None
    status: str
    at: datetime
    by: str
    via: str
    detail: str | None


def insert_notices(conn: Connection, notices: Sequence[NewNotice], *, now: datetime) -> list[int]:
    """Insert drafted notices (subject and body empty until rendered: the text quotes the
    id); their ids, in the order given."""
    if not notices:
        return []
    rows = [
        {
            "agency_id": n.agency_id,
            "case_id": n.case_id,
            "form": n.form,
            "language": n.language,
            "recipient_key": n.recipient_key,
            "contact_id": n.contact_id,
            "recipient_name": n.recipient_name,
            "recipient_email": n.recipient_email,
            "recipient_country": n.recipient_country,
            "status": "drafted",
            "template": "",
            "subject": "",
            "body": "",
            "sender": n.sender,
            "previous_id": n.previous_id,
            "created_by": n.created_by,
            "created_at": now,
            "updated_at": now,
        }
        for n in notices
    ]
    result = conn.execute(
        insert(NOTICES).returning(NOTICES.c.id, sort_by_parameter_order=True), rows
    )
    return [int(i) for i in result.scalars()]


def update_notice_texts(
    conn: Connection, texts: Sequence[tuple[int, str, str, str]], *, now: datetime
) -> None:
    """Set (id, template, subject, body) of rendered notices."""
    if not texts:
        return
    conn.execute(
        update(NOTICES)
        .where(NOTICES.c.id == bindparam("b_id"))
        .values(
            template=bindparam("b_template"),
            subject=bindparam("b_subject"),
            body=bindparam("b_body"),
            updated_at=now,
        ),
        [{"b_id": i, "b_template": t, "b_subject": s, "b_body": b} for i, t, s, b in texts],
    )


def insert_locations(
    conn: Connection, locations: Sequence[NewLocation], *, status: str, now: datetime
) -> None:
    if not locations:
        return
    conn.execute(
        insert(NOTICE_LOCATIONS),
        [
            {
                "notice_id": loc.notice_id,
                "url": loc.url,
                "host": loc.host,
                "host_id": loc.host_id,
                "release_id": loc.release_id,
                "work_id": loc.work_id,
                "alert_id": loc.alert_id,
                "release_name": loc.release_name,
                "status": status,
                "status_at": now,
            }
            for loc in locations
        ],
    )


def insert_changes(
    conn: Connection,
    changes: Sequence[tuple[int, int | None, str, datetime, str | None]],
    *,
    by: str,
    via: str,
) -> None:
    """(notice id, location id or None, status, at, detail) rows."""
    if not changes:
        return
    conn.execute(
        insert(NOTICE_CHANGES),
        [
            {
                "notice_id": notice_id,
                "location_id": location_id,
                "status": status,
                "at": at,
                "by": by,
                "via": via,
                "detail": detail,
            }
            for notice_id, location_id, status, at, detail in changes
        ],
    )


_NOTICE_COLUMNS = (*NOTICES.c, AGENCIES.c.code.label("agency_code"))


def notice_query() -> Any:
    """``SELECT`` of the columns a :class:`NoticeRecord` is made from (:func:`notice_of`)."""
    return select(*_NOTICE_COLUMNS).select_from(
        NOTICES.outerjoin(AGENCIES, AGENCIES.c.id == NOTICES.c.agency_id)
    )


def notice_of(row: Row[Any]) -> NoticeRecord:
    """The record of a row of :func:`notice_query`."""
    return NoticeRecord(
        id=row.id,
        agency_id=row.agency_id,
        agency_code=row.agency_code,
        case_id=row.case_id,
        form=row.form,
        language=row.language,
        recipient_key=row.recipient_key,
        contact_id=row.contact_id,
        recipient_name=row.recipient_name,
        recipient_email=row.recipient_email,
        recipient_country=row.recipient_country,
        status=row.status,
        template=row.template,
        subject=row.subject,
        body=row.body,
        sender=row.sender,
        message_id=row.message_id,
        previous_id=row.previous_id,
        delivery=row.delivery,
        delivery_error=row.delivery_error,
        evidence_item_id=row.evidence_item_id,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
        sent_at=row.sent_at,
        acknowledged_at=row.acknowledged_at,
        closed_at=row.closed_at,
    )


def notice_by_id(
    conn: Connection, notice_id: int, *, agency_id: int | None, every: bool
) -> NoticeRecord | None:
    """The notice, if the agency ``agency_id`` owns it (any notice when ``every``)."""
    query = notice_query().where(NOTICES.c.id == notice_id)
    if not every:
        query = query.where(_agency_is(agency_id))
    row = conn.execute(query).first()
    return None if row is None else notice_of(row)


def lock_notice(conn: Connection, notice_id: int, at: datetime) -> None:
    """Take the notice row's write lock until the transaction ends (PostgreSQL: the row
    lock; SQLite: the database's write lock): changes of one notice are serialised."""
    conn.execute(update(NOTICES).where(NOTICES.c.id == notice_id).values(updated_at=at))


def lock_recipient_change(conn: Connection, notice_id: int, at: datetime) -> bool:
    """Take the notice row's write lock (as :func:`lock_notice`) only while its
    recipient may change: drafted, and no mail of it in the outbox (``delivery`` none, or
    ``failed``); False — nothing locked or changed — otherwise. The condition is in the
    UPDATE itself, so a send that queued the mail since the notice was read wins."""
    result = conn.execute(
        update(NOTICES)
        .where(
            NOTICES.c.id == notice_id,
            NOTICES.c.status == "drafted",
            or_(NOTICES.c.delivery.is_(None), NOTICES.c.delivery == "failed"),
        )
        .values(updated_at=at)
    )
    return bool(result.rowcount)


def notices_of(
    conn: Connection,
    *,
    agency_id: int | None,
    every: bool,
    status: str | None = None,
    form: str | None = None,
    ids: Sequence[int] | None = None,
) -> list[NoticeRecord]:
    """Notices of the agency (every notice when ``every``), newest first."""
    query = notice_query().order_by(NOTICES.c.id.desc())
    if not every:
        query = query.where(_agency_is(agency_id))
    if status is not None:
        query = query.where(NOTICES.c.status == status)
    if form is not None:
        query = query.where(NOTICES.c.form == form)
    if ids is None:
        return [notice_of(row) for row in conn.execute(query)]
    found: list[NoticeRecord] = []
    for part in chunked(sorted(set(ids))):
        found += [notice_of(row) for row in conn.execute(query.where(NOTICES.c.id.in_(part)))]
    found.sort(key=lambda n: -n.id)
    return found


def update_notice(conn: Connection, notice_id: int, **values: Any) -> None:
    conn.execute(update(NOTICES).where(NOTICES.c.id == notice_id).values(**values))


def location_counts(conn: Connection, notice_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Notice id → (locations, removed); a removed location seen again since is not
    removed (as in the figures)."""
    found: dict[int, tuple[int, int]] = {}
    still_gone = and_(
        NOTICE_LOCATIONS.c.status == "removed", NOTICE_LOCATIONS.c.seen_again_at.is_(None)
    )
    removed = func.sum(case((still_gone, 1), else_=0))
    for part in chunked(sorted(set(notice_ids))):
        rows = conn.execute(
            select(NOTICE_LOCATIONS.c.notice_id, func.count(), removed)
            .where(NOTICE_LOCATIONS.c.notice_id.in_(part))
            .group_by(NOTICE_LOCATIONS.c.notice_id)
        )
        for notice_id, total, gone in rows:
            found[int(notice_id)] = (int(total), int(gone or 0))
    return found


def work_ids_of(conn: Connection, notice_ids: Sequence[int]) -> dict[int, list[str]]:
    """Notice id → the ids of the works its locations are copies of."""
    found: dict[int, list[str]] = {}
    for part in chunked(sorted(set(notice_ids))):
        rows = conn.execute(
            select(NOTICE_LOCATIONS.c.notice_id, NOTICE_LOCATIONS.c.work_id)
            .where(NOTICE_LOCATIONS.c.notice_id.in_(part), NOTICE_LOCATIONS.c.work_id.is_not(None))
            .distinct()
            .order_by(NOTICE_LOCATIONS.c.notice_id, NOTICE_LOCATIONS.c.work_id)
        )
        for notice_id, work_id in rows:
            found.setdefault(int(notice_id), []).append(work_id)
    return found


def location_of(row: Row[Any]) -> LocationRecord:
    """The record of a ``notice_locations`` row."""
    return LocationRecord(
        id=row.id,
        notice_id=row.notice_id,
        url=row.url,
        host=row.host,
        host_id=row.host_id,
        release_id=row.release_id,
        work_id=row.work_id,
        alert_id=row.alert_id,
        release_name=row.release_name,
        status=row.status,
        status_at=row.status_at,
        removed_at=row.removed_at,
        seen_again_at=row.seen_again_at,
    )


def locations_of(conn: Connection, notice_id: int) -> list[LocationRecord]:
    rows = conn.execute(
        select(NOTICE_LOCATIONS)
        .where(NOTICE_LOCATIONS.c.notice_id == notice_id)
        .order_by(NOTICE_LOCATIONS.c.id)
    )
    return [location_of(row) for row in rows]


def update_locations(conn: Connection, changes: Sequence[dict[str, Any]]) -> None:
    """Set ``status``, ``status_at``, ``removed_at`` of locations (dicts with ``id``)."""
    if not changes:
        return
    conn.execute(
        update(NOTICE_LOCATIONS)
        .where(NOTICE_LOCATIONS.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            status_at=bindparam("b_status_at"),
            removed_at=bindparam("b_removed_at"),
        ),
        [
            {
                "b_id": c["id"],
                "b_status": c["status"],
                "b_status_at": c["status_at"],
                "b_removed_at": c["removed_at"],
            }
            for c in changes
        ],
    )


def changes_of(conn: Connection, notice_id: int) -> list[ChangeRecord]:
    """Every change of the notice and its locations, oldest first."""
    rows = conn.execute(
        select(*NOTICE_CHANGES.c, NOTICE_LOCATIONS.c.url.label("location_url"))
        .select_from(
            NOTICE_CHANGES.outerjoin(
                NOTICE_LOCATIONS, NOTICE_LOCATIONS.c.id == NOTICE_CHANGES.c.location_id
            )
        )
        .where(NOTICE_CHANGES.c.notice_id == notice_id)
        .order_by(NOTICE_CHANGES.c.id)
    )
    return [
        ChangeRecord(
            id=row.id,
            notice_id=row.notice_id,
            location_id=row.location_id,
            location_url=row.location_url,
            status=row.status,
            at=row.at,
            by=row.by,
            via=row.via,
            detail=row.detail,
        )
        for row in rows
    ]


def first_seen(
    conn: Connection, pairs: Sequence[tuple[int | None, str]]
) -> dict[tuple[int | None, str], datetime]:
    """(release id, URL) → when the URL was first seen for that release: in a sighting,
    else in a host's evidence (one query per table and chunk of pairs)."""
    wanted = sorted({(r, u) for r, u in pairs if r is not None})
    found: dict[tuple[int | None, str], datetime] = {}
    for part in chunked(wanted, 400):
        for table, column, seen in (
            (SIGHTINGS, SIGHTINGS.c.url, SIGHTINGS.c.seen_at),
            (HOST_EVIDENCE, HOST_EVIDENCE.c.reference, HOST_EVIDENCE.c.seen_at),
        ):
            rows = conn.execute(
                select(table.c.release_id, column, func.min(seen))
                .where(tuple_(table.c.release_id, column).in_(part))
                .group_by(table.c.release_id, column)
            )
            for release_id, url, at in rows:
                if at is not None:
                    key = (int(release_id), str(url))
                    at = _utc(at)
                    found[key] = min(found.get(key, at), at)
    return found


def _utc(value: datetime) -> datetime:
    from datetime import UTC

    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
