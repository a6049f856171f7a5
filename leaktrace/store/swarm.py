"""Every SQL statement of swarm observations: import, linking to releases, retention, impact.

Ordinary peers arrive here already reduced to a keyed hash; nothing in this module sees a
downloader's address.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.engine import Connection

from leaktrace.store.portable import chunked, insert_ignore
from leaktrace.store.schema import RELEASES, SIGHTINGS, SWARM_OBSERVATIONS, WORKS

__all__ = [
    "ImpactFilter",
    "ImpactRow",
    "count_older",
    "delete_older",
    "insert_observations",
    "leak_works",
    "link_infohashes",
    "relink_observations",
    "stream_impact_rows",
    "work_titles",
]

_SO = SWARM_OBSERVATIONS
_S = SIGHTINGS
_R = RELEASES
_W = WORKS
PEER = "peer"


def link_infohashes(
    conn: Connection, infohashes: Sequence[str]
) -> dict[str, tuple[int, str | None]]:
    """infohash → (release id, work id) for the infohashes sightings know (earliest
    sighting wins when several releases share one)."""
    found: dict[str, tuple[int, str | None]] = {}
    unique = sorted(set(infohashes))
    for part in chunked(unique):
        rows = conn.execute(
            select(_S.c.infohash, _S.c.release_id, _R.c.work_id)
            .join(_R, _R.c.id == _S.c.release_id)
            .where(_S.c.infohash.in_(part))
            .order_by(_S.c.id.desc())
        )
        for infohash, release_id, work_id in rows:
            found[str(infohash).lower()] = (int(release_id), work_id)
    return found


def insert_observations(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert observations, skipping fingerprints already stored; returns how many were new."""
    added = insert_ignore(conn, _SO, rows, ["fingerprint"], returning=["id"])
    return len(added)


def relink_observations(conn: Connection) -> int:
    """Give release and work to stored observations whose infohash sightings now know."""
    pending = [
        str(row[0])
        for row in conn.execute(select(_SO.c.infohash).where(_SO.c.release_id.is_(None)).distinct())
    ]
    changed = 0
    for infohash, (release_id, work_id) in link_infohashes(conn, pending).items():
        result = conn.execute(
            update(_SO)
            .where(and_(_SO.c.infohash == infohash, _SO.c.release_id.is_(None)))
            .values(release_id=release_id, work_id=work_id)
        )
        changed += result.rowcount or 0
    return changed


def count_older(conn: Connection, cutoff: datetime) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(_SO).where(_SO.c.observed_at < cutoff)
        ).scalar_one()
    )


def delete_older(conn: Connection, cutoff: datetime) -> int:
    """Delete observations before ``cutoff``. On SQLite the freed pages are overwritten
    (``secure_delete``) so infrastructure addresses do not linger in the file."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA secure_delete=ON")
    result = conn.execute(delete(_SO).where(_SO.c.observed_at < cutoff))
    return int(result.rowcount or 0)


@dataclass(frozen=True, slots=True)
class ImpactFilter:
    work_id: str | None = None
    country: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ImpactRow:
    """One observation of an ordinary peer, as the impact estimate needs it."""

    work: str
    """The work id, or ``infohash:<hex>`` for a torrent no sighting ties to a work."""
    country: str | None
    day: date
    peer_key: str
    completed: bool


def stream_impact_rows(conn: Connection, filters: ImpactFilter) -> Iterator[ImpactRow]:
    """Ordinary peers' observations (infrastructure is not a download), streamed."""
    conditions = [_SO.c.role == PEER]
    if filters.work_id is not None:
        conditions.append(_SO.c.work_id == filters.work_id)
    if filters.country is not None:
        conditions.append(_SO.c.country == filters.country.upper())
    if filters.since is not None:
        conditions.append(_SO.c.observed_at >= filters.since)
    if filters.until is not None:
        conditions.append(_SO.c.observed_at < filters.until)
    query = select(
        _SO.c.work_id,
        _SO.c.infohash,
        _SO.c.country,
        _SO.c.observed_at,
        _SO.c.peer_key,
        _SO.c.completed,
        _SO.c.seeder,
    ).where(and_(*conditions))
    result = conn.execution_options(yield_per=5000).execute(query)
    for work_id, infohash, country, observed_at, key, completed, seeder in result:
        yield ImpactRow(
            work=str(work_id) if work_id is not None else f"infohash:{infohash}",
            country=country,
            day=observed_at.date(),
            peer_key=str(key),
            completed=bool(completed) or bool(seeder),
        )


def leak_works(conn: Connection, work_ids: Sequence[str]) -> set[str]:
    """Of ``work_ids``, those whose observed torrents are releases flagged as leaks
    (out before their window opened)."""
    found: set[str] = set()
    for part in chunked(sorted(set(work_ids))):
        rows = conn.execute(
            select(_SO.c.work_id)
            .join(_R, _R.c.id == _SO.c.release_id)
            .where(and_(_SO.c.work_id.in_(part), _R.c.status == "leak"))
            .distinct()
        )
        found.update(str(row[0]) for row in rows)
    return found


def work_titles(conn: Connection, work_ids: Sequence[str]) -> dict[str, str]:
    titles: dict[str, str] = {}
    for part in chunked(sorted(set(work_ids))):
        for work_id, title, year in conn.execute(
            select(_W.c.id, _W.c.title, _W.c.year).where(_W.c.id.in_(part))
        ):
            titles[str(work_id)] = f"{title} ({year})" if year else str(title)
    return titles
