"""Every SQL statement of swarm observations: import, linking to releases, retention, impact.

Ordinary peers arrive here already reduced to a keyed hash; nothing in this module sees a
downloader's address.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, and_, cast, delete, func, select, update
from sqlalchemy.engine import Connection

from leaktrace.store.portable import chunked, insert_ignore
from leaktrace.store.schema import (
    HOST_EVIDENCE,
    RELEASES,
    SIGHTINGS,
    SWARM_KEY,
    SWARM_OBSERVATIONS,
    WORKS,
)

__all__ = [
    "count_older",
    "delete_older",
    "insert_observations",
    "leak_works",
    "infrastructure_sample",
    "link_infohashes",
    "observation_breakdown",
    "observation_count",
    "observation_span",
    "referenced_id_floor",
    "relink_observations",
    "store_key_check",
    "stored_key_check",
    "work_titles",
]

_SO = SWARM_OBSERVATIONS
_S = SIGHTINGS
_R = RELEASES
_W = WORKS
_K = SWARM_KEY
PEER = "peer"
INFRASTRUCTURE = "infrastructure"


def stored_key_check(conn: Connection) -> tuple[str, datetime] | None:
    """The swarm key's check value stored by the first import, and when; None before."""
    found = conn.execute(select(_K.c.key_check, _K.c.stored_at).where(_K.c.id == 1)).first()
    return None if found is None else (str(found[0]), found[1])


def store_key_check(conn: Connection, check: str, at: datetime) -> tuple[str, datetime]:
    """Store ``check`` unless a check value is stored already; return the one in force
    (another import may have stored its own first)."""
    insert_ignore(conn, _K, [{"id": 1, "key_check": check, "stored_at": at}], ["id"])
    stored = stored_key_check(conn)
    assert stored is not None
    return stored


def infrastructure_sample(conn: Connection, limit: int = 20) -> list[tuple[str, str]]:
    """(address, peer_key) of some infrastructure rows, whose addresses are kept in clear:
    enough to tell whether a key is the one a database's rows were hashed with."""
    rows = conn.execute(
        select(_SO.c.peer_ip, _SO.c.peer_key)
        .where(and_(_SO.c.role == INFRASTRUCTURE, _SO.c.peer_ip.is_not(None)))
        .order_by(_SO.c.id)
        .limit(limit)
    )
    return [(str(ip), str(key)) for ip, key in rows]


def observation_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(_SO)).scalar_one())


def observation_span(conn: Connection) -> tuple[datetime | None, datetime | None]:
    """The earliest and the latest ``observed_at`` stored (None, None when empty)."""
    earliest, latest = conn.execute(
        select(func.min(_SO.c.observed_at), func.max(_SO.c.observed_at))
    ).one()
    return _aware(earliest), _aware(latest)


def _aware(value: object) -> datetime | None:
    """``min``/``max`` lose the column type on SQLite (ISO text, naive UTC)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


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


_EVIDENCE_PREFIX = "swarm:"


def referenced_id_floor(conn: Connection) -> int:
    """The highest observation id that evidence names (``swarm:<id>``), on SQLite; 0
    elsewhere. SQLite gives a new row the highest id stored plus one, so once retention
    has deleted the highest rows their ids would come back and the evidence of a deleted
    observation would name a new one: new rows get ids above this floor
    (:func:`insert_observations`). PostgreSQL's sequences never hand an id out twice."""
    if conn.dialect.name != "sqlite":
        return 0
    number = func.substr(HOST_EVIDENCE.c.reference, len(_EVIDENCE_PREFIX) + 1)
    found = conn.execute(
        select(func.max(cast(number, Integer))).where(
            HOST_EVIDENCE.c.reference.like(f"{_EVIDENCE_PREFIX}%")
        )
    ).scalar_one()
    return int(found or 0)


def insert_observations(conn: Connection, rows: Sequence[dict[str, Any]], *, above: int = 0) -> int:
    """Insert observations, skipping fingerprints already stored; returns how many were new.
    New rows get ids above ``above`` (:func:`referenced_id_floor`) as well as above every
    stored one."""
    if above and rows:
        top = int(conn.execute(select(func.coalesce(func.max(_SO.c.id), 0))).scalar_one())
        if top < above:
            rows = [{**row, "id": above + n} for n, row in enumerate(rows, start=1)]
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


def observation_breakdown(
    conn: Connection,
) -> tuple[dict[str, int], dict[str, int], int, int]:
    """Observations by role, by country (None as ``unknown``), distinct torrents and
    torrents tied to a known release: aggregates only, never a peer."""
    roles = {
        str(role): int(n)
        for role, n in conn.execute(select(_SO.c.role, func.count()).group_by(_SO.c.role))
    }
    countries = {
        str(country or "unknown"): int(n)
        for country, n in conn.execute(select(_SO.c.country, func.count()).group_by(_SO.c.country))
    }
    torrents = conn.execute(select(func.count(func.distinct(_SO.c.infohash)))).scalar_one()
    linked = conn.execute(
        select(func.count(func.distinct(_SO.c.infohash))).where(_SO.c.release_id.is_not(None))
    ).scalar_one()
    return roles, countries, int(torrents), int(linked)
