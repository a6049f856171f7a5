"""What the figures of takedown notices are computed from (``leaktrace notices stats``,
the HTML report's "Takedown notices" section, the web page): notices by status, and one
row per location of a sent notice CHAIN (portable SQL, the chains followed in Python).

A re-notice (``notices.previous_id``) repeats the locations of an earlier notice that
were not removed. Counting each notice's locations on their own would count one URL once
per notice, restart the clock at each re-notice (a slow provider looks fast) and make
every re-noticed host look like a repeat offender. So the rows here follow
``previous_id`` back to the ROOT notice (the first one sent), and give:

* one row per (root notice, location URL), whichever notices of the chain list it;
* ``sent_at`` the ROOT's: time to takedown runs from the first notice;
* the outcome (status, ``removed_at``, ``seen_again_at``) of the LATEST sent notice of
  the chain that lists the URL (a location the first notice left as ``no-response`` and
  the re-notice got removed is removed); ``seen_again`` whether LeakTrace saw it again
  after any notice of the chain.

Need-to-know: only the notices ``agency`` sees count (see :data:`ALL_AGENCIES`); a chain
is followed only through visible notices (a visible re-notice of a notice the agency
does not see is a root of its own: nothing of the other notice shows). With ``since``,
notices by status and ``sent`` count the notices SENT at or after it, and the location
rows are those of the chains whose root was sent at or after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from leaktrace.store.notice_tracking import ALL_AGENCIES, visible_to
from leaktrace.store.schema import HOSTS
from leaktrace.store.schema_notices import NOTICE_LOCATIONS, NOTICES

__all__ = ["ALL_AGENCIES", "FigureRows", "LocationOutcome", "figure_rows"]


@dataclass(frozen=True, slots=True)
class LocationOutcome:
    """One location (URL) of one notice chain, and what became of it."""

    root_id: int
    """The first notice of the chain (the one no visible notice precedes)."""
    notice_id: int
    """The latest sent notice of the chain that lists the URL (whose outcome this is)."""
    notices: int
    """How many sent notices of the chain list the URL (1 + its re-notices)."""
    url: str
    host: str
    host_country: str | None
    provider: str
    """The latest notice's recipient name, else its recipient key."""
    recipient_country: str | None
    sent_at: datetime
    """When the ROOT notice was sent."""
    status: str
    removed_at: datetime | None
    seen_again_at: datetime | None
    """The latest notice's: seen again after it was sent (so not removed)."""
    seen_again: bool
    """Seen again after any notice of the chain was sent."""


@dataclass(frozen=True, slots=True)
class FigureRows:
    by_status: dict[str, int]
    """Visible notices (sent since ``since``, when given) by status."""
    sent: int
    """How many of them were sent (re-notices included)."""
    rows: list[LocationOutcome]
    """One per (root notice, URL), oldest root first."""


@dataclass(frozen=True, slots=True)
class _Notice:
    id: int
    previous_id: int | None
    sent_at: datetime
    provider: str
    recipient_country: str | None


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _roots(notices: dict[int, _Notice]) -> dict[int, int]:
    """Each notice's root: ``previous_id`` followed while it names a visible sent notice
    (a loop, which the data never holds, ends at the notice that closes it)."""
    roots: dict[int, int] = {}
    for start in notices:
        path: list[int] = []
        seen: set[int] = set()
        current = start
        while current not in roots:
            path.append(current)
            seen.add(current)
            previous = notices[current].previous_id
            if previous is None or previous not in notices or previous in seen:
                roots[current] = current
                break
            current = previous
        root = roots[current]
        for notice_id in path:
            roots[notice_id] = root
    return roots


def _sent_notices(conn: Connection, agency: int | None) -> dict[int, _Notice]:
    rows = conn.execute(
        select(
            NOTICES.c.id,
            NOTICES.c.previous_id,
            NOTICES.c.sent_at,
            func.coalesce(NOTICES.c.recipient_name, NOTICES.c.recipient_key).label("provider"),
            NOTICES.c.recipient_country,
        ).where(visible_to(agency), NOTICES.c.sent_at.isnot(None))
    ).all()
    return {
        int(r.id): _Notice(
            id=int(r.id),
            previous_id=None if r.previous_id is None else int(r.previous_id),
            sent_at=_utc(r.sent_at),
            provider=str(r.provider),
            recipient_country=r.recipient_country,
        )
        for r in rows
    }


def _location_rows(conn: Connection, agency: int | None) -> list[Any]:
    """Every location of a visible sent notice, in insertion order."""
    return list(
        conn.execute(
            select(
                NOTICE_LOCATIONS.c.id,
                NOTICE_LOCATIONS.c.notice_id,
                NOTICE_LOCATIONS.c.url,
                NOTICE_LOCATIONS.c.host,
                HOSTS.c.country.label("host_country"),
                NOTICE_LOCATIONS.c.status,
                NOTICE_LOCATIONS.c.removed_at,
                NOTICE_LOCATIONS.c.seen_again_at,
            )
            .select_from(
                NOTICE_LOCATIONS.join(
                    NOTICES, NOTICES.c.id == NOTICE_LOCATIONS.c.notice_id
                ).outerjoin(HOSTS, HOSTS.c.id == NOTICE_LOCATIONS.c.host_id)
            )
            .where(visible_to(agency), NOTICES.c.sent_at.isnot(None))
            .order_by(NOTICE_LOCATIONS.c.id)
        ).all()
    )


def figure_rows(
    conn: Connection, agency: int | None, *, since: datetime | None = None
) -> FigureRows:
    """Notices by status and one row per location of a sent notice chain, of the notices
    ``agency`` sees (:data:`ALL_AGENCIES`: every one); with ``since``, only what was
    sent at or after it (see the module's docstring)."""
    where: list[ColumnElement[bool]] = [visible_to(agency)]
    if since is not None:
        where.append(NOTICES.c.sent_at >= since)
    by_status = {
        str(status): int(n)
        for status, n in conn.execute(
            select(NOTICES.c.status, func.count()).where(*where).group_by(NOTICES.c.status)
        )
    }
    notices = _sent_notices(conn, agency)
    sent = (
        len(notices)
        if since is None
        else sum(1 for n in notices.values() if n.sent_at >= _utc(since))
    )
    roots = _roots(notices)
    wanted = {
        i for i, root in roots.items() if since is None or notices[root].sent_at >= _utc(since)
    }
    found = _location_rows(conn, agency)
    chains: dict[tuple[int, str], list[Any]] = {}
    for row in found:
        notice_id = int(row.notice_id)
        if notice_id in wanted:
            chains.setdefault((roots[notice_id], str(row.url)), []).append(row)
    rows: list[LocationOutcome] = []
    for (root_id, url), listed in sorted(chains.items(), key=lambda c: (c[0][0], int(c[1][0].id))):
        latest = max(listed, key=lambda r: (notices[int(r.notice_id)].sent_at, int(r.notice_id)))
        notice = notices[int(latest.notice_id)]
        rows.append(
            LocationOutcome(
                root_id=root_id,
                notice_id=notice.id,
                notices=len({int(r.notice_id) for r in listed}),
                url=url,
                host=str(latest.host),
                host_country=latest.host_country,
                provider=notice.provider,
                recipient_country=notice.recipient_country,
                sent_at=notices[root_id].sent_at,
                status=str(latest.status),
                removed_at=latest.removed_at,
                seen_again_at=latest.seen_again_at,
                seen_again=any(r.seen_again_at is not None for r in listed),
            )
        )
    return FigureRows(by_status=by_status, sent=sent, rows=rows)
