"""Where hosts are found: the sightings and infrastructure swarm rows ``hosts collect``
reads, and release ids by name (for imports)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.engine import Connection

from leaktrace.store.portable import chunked
from leaktrace.store.schema import (
    RELEASES,
    SIGHTINGS,
    SWARM_OBSERVATIONS,
)

HostKey = tuple[str, str]
UNKNOWN = "unknown"
"""``country`` of :func:`load_hosts` for the hosts no source locates."""
_SOURCE_MAX = 256


@dataclass(frozen=True, slots=True)
class SightingHostRow:
    id: int
    release_id: int
    seen_at: datetime
    url: str | None
    site: str | None
    extra: str | None
    group_key: str | None
    origin: str | None = None
    infohash: str | None = None
    release_name: str | None = None


@dataclass(frozen=True, slots=True)
class SwarmHostRow:
    id: int
    observed_at: datetime
    first_observed_at: datetime
    """When the swarm of the same infohash was first observed at all."""
    infohash: str
    peer_ip: str
    release_id: int | None
    seeder: bool
    client: str | None
    group_key: str | None
    release_name: str | None = None


def iter_sightings(conn: Connection, batch: int = 5000) -> Iterator[SightingHostRow]:
    """Every sighting with what names hosts in it, with its release's group, by id."""
    last = 0
    while True:
        rows = conn.execute(
            select(
                SIGHTINGS.c.id,
                SIGHTINGS.c.release_id,
                SIGHTINGS.c.seen_at,
                SIGHTINGS.c.url,
                SIGHTINGS.c.site,
                SIGHTINGS.c.extra,
                RELEASES.c.group_key,
                SIGHTINGS.c.origin,
                SIGHTINGS.c.infohash,
                RELEASES.c.name,
            )
            .join(RELEASES, RELEASES.c.id == SIGHTINGS.c.release_id)
            .where(SIGHTINGS.c.id > last)
            .order_by(SIGHTINGS.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return
        for r in rows:
            yield SightingHostRow(
                r.id,
                r.release_id,
                r.seen_at,
                r.url,
                r.site,
                r.extra,
                r.group_key,
                r.origin,
                r.infohash,
                r.name,
            )
        last = rows[-1].id


def load_infra_swarm(conn: Connection) -> list[SwarmHostRow]:
    """Swarm observations of role ``infrastructure`` (the only ones with an address)."""
    first = (
        select(
            SWARM_OBSERVATIONS.c.infohash.label("ih"),
            func.min(SWARM_OBSERVATIONS.c.observed_at).label("first_at"),
        )
        .group_by(SWARM_OBSERVATIONS.c.infohash)
        .subquery()
    )
    rows = conn.execute(
        select(
            SWARM_OBSERVATIONS.c.id,
            SWARM_OBSERVATIONS.c.observed_at,
            first.c.first_at,
            SWARM_OBSERVATIONS.c.infohash,
            SWARM_OBSERVATIONS.c.peer_ip,
            SWARM_OBSERVATIONS.c.release_id,
            SWARM_OBSERVATIONS.c.seeder,
            SWARM_OBSERVATIONS.c.client,
            RELEASES.c.group_key,
            RELEASES.c.name,
        )
        .join(first, first.c.ih == SWARM_OBSERVATIONS.c.infohash)
        .outerjoin(RELEASES, RELEASES.c.id == SWARM_OBSERVATIONS.c.release_id)
        .where(
            and_(
                SWARM_OBSERVATIONS.c.role == "infrastructure",
                SWARM_OBSERVATIONS.c.peer_ip.is_not(None),
            )
        )
        .order_by(SWARM_OBSERVATIONS.c.id)
    ).all()
    out: list[SwarmHostRow] = []
    for r in rows:
        first_at = r.first_at
        if isinstance(first_at, str):  # SQLite gives MIN() of a datetime back as text
            first_at = datetime.fromisoformat(first_at).replace(tzinfo=r.observed_at.tzinfo)
        elif first_at.tzinfo is None:
            first_at = first_at.replace(tzinfo=r.observed_at.tzinfo)
        out.append(
            SwarmHostRow(
                r.id,
                r.observed_at,
                first_at,
                r.infohash,
                r.peer_ip,
                r.release_id,
                bool(r.seeder),
                r.client,
                r.group_key,
                r.name,
            )
        )
    return out


def find_release_ids(conn: Connection, names: Sequence[str]) -> dict[str, tuple[int, str | None]]:
    """Release name → (id, group key) for the names that exist."""
    found: dict[str, tuple[int, str | None]] = {}
    unique = sorted(set(names))
    for part in chunked(unique):
        for r in conn.execute(
            select(RELEASES.c.name, RELEASES.c.id, RELEASES.c.group_key).where(
                RELEASES.c.name.in_(part)
            )
        ):
            found[r.name] = (r.id, r.group_key)
    return found
