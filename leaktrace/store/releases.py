"""Write releases, sightings and alerts in batches (portable SQL, no ORM sessions)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection

from leaktrace.detect.detector import Alert
from leaktrace.store.portable import chunked, insert_ignore
from leaktrace.store.schema import ALERTS, INGEST_RUNS, NFOS, RELEASES, SIGHTINGS

__all__ = [
    "KnownRelease",
    "StoredRelease",
    "iter_releases",
    "delete_alerts",
    "find_releases",
    "finish_run",
    "insert_releases",
    "insert_nfos",
    "insert_sightings",
    "known_fingerprints",
    "set_release_times",
    "start_run",
    "update_releases",
    "upsert_alerts",
]

_R = RELEASES
_S = SIGHTINGS
_AL = ALERTS
_RUN = INGEST_RUNS


@dataclass(slots=True)
class KnownRelease:
    id: int
    name: str
    released_at: datetime
    work_id: str | None
    source: str | None
    status: str
    group_name: str | None


def find_releases(conn: Connection, names: Sequence[str]) -> dict[str, KnownRelease]:
    """The stored releases among ``names``, by name."""
    found: dict[str, KnownRelease] = {}
    cols = (
        _R.c.id,
        _R.c.name,
        _R.c.released_at,
        _R.c.work_id,
        _R.c.source,
        _R.c.status,
        _R.c.group_name,
    )
    for part in chunked(names):
        for row in conn.execute(select(*cols).where(_R.c.name.in_(part))):
            found[row.name] = KnownRelease(*row)
    return found


def insert_releases(conn: Connection, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert new releases; a name another writer stored meanwhile is left alone.

    Returns the ids of the releases inserted, by name."""
    return {name: rid for rid, name in insert_ignore(conn, _R, rows, ["name"], ("id", "name"))}


def update_releases(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Update outcome columns (time, work, score, reason, status) by release id."""
    if not rows:
        return
    stmt = (
        update(_R)
        .where(_R.c.id == bindparam("rid"))
        .values(
            released_at=bindparam("released_at"),
            work_id=bindparam("work_id"),
            match_score=bindparam("match_score"),
            match_reason=bindparam("match_reason"),
            status=bindparam("status"),
        )
    )
    conn.execute(stmt, [dict(r) for r in rows])


def set_release_times(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Move releases to an earlier first time, with their new status (``rid`` keyed)."""
    if not rows:
        return
    stmt = (
        update(_R)
        .where(_R.c.id == bindparam("rid"))
        .values(released_at=bindparam("released_at"), status=bindparam("status"))
    )
    conn.execute(stmt, [dict(r) for r in rows])


def known_fingerprints(conn: Connection, fingerprints: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in chunked(fingerprints):
        found.update(
            conn.execute(select(_S.c.fingerprint).where(_S.c.fingerprint.in_(part))).scalars()
        )
    return found


def insert_sightings(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert sightings not stored yet and add them to their releases' sighting counts.

    Returns how many were new."""
    if not rows:
        return 0
    inserted = insert_ignore(conn, _S, rows, ["fingerprint"], ("release_id",))
    counts: dict[int, int] = {}
    for (rid,) in inserted:
        counts[rid] = counts.get(rid, 0) + 1
    if not counts:
        return 0
    bump = (
        update(_R)
        .where(_R.c.id == bindparam("rid"))
        .values(sightings=_R.c.sightings + bindparam("n"))
    )
    conn.execute(bump, [{"rid": rid, "n": n} for rid, n in counts.items()])
    return len(inserted)


def upsert_alerts(conn: Connection, alerts: Iterable[tuple[int, Alert]]) -> list[int]:
    """Store each release's alert (one per release), replacing an older one.

    Returns the ids of releases that had no alert before (new alerts)."""
    pairs = list(alerts)
    if not pairs:
        return []
    ids = [rid for rid, _ in pairs]
    before: dict[int, datetime] = {}
    for part in chunked(ids):
        for rid, created in conn.execute(
            select(ALERTS.c.release_id, ALERTS.c.created_at).where(ALERTS.c.release_id.in_(part))
        ):
            before[rid] = created
    delete_alerts(conn, [rid for rid in ids if rid in before])
    now = datetime.now(UTC)
    conn.execute(
        ALERTS.insert(),
        [
            {
                "release_id": rid,
                "work_id": a.work_id,
                "rule": a.rule,
                "window": a.window.value,
                "window_date": a.window_date,
                "source": a.source,
                "released_at": a.released_at,
                "lead_days": a.lead_days,
                "severity": a.severity.value,
                "explanation": a.explanation,
                "created_at": before.get(rid, now),
                "updated_at": now,
            }
            for rid, a in pairs
        ],
    )
    return [rid for rid in ids if rid not in before]


def delete_alerts(conn: Connection, release_ids: Sequence[int]) -> None:
    for part in chunked(release_ids):
        conn.execute(delete(_AL).where(_AL.c.release_id.in_(part)))


def start_run(conn: Connection, files: Sequence[str]) -> int:
    result = conn.execute(
        _RUN.insert().values(
            started_at=datetime.now(UTC),
            files="\n".join(files),
            lines=0,
            accepted=0,
            rejected=0,
            new_releases=0,
            new_sightings=0,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def finish_run(conn: Connection, run_id: int, **counts: int) -> None:
    conn.execute(
        update(_RUN).where(_RUN.c.id == run_id).values(finished_at=datetime.now(UTC), **counts)
    )


@dataclass(slots=True)
class StoredRelease:
    id: int
    name: str
    released_at: datetime
    work_id: str | None
    match_score: float
    match_reason: str
    status: str
    imdb_id: str | None
    group_name: str | None


def iter_releases(conn: Connection, chunk: int = 2000) -> Iterator[list[StoredRelease]]:
    """Every stored release, in id order, ``chunk`` at a time (keyset paging)."""
    cols = (
        _R.c.id,
        _R.c.name,
        _R.c.released_at,
        _R.c.work_id,
        _R.c.match_score,
        _R.c.match_reason,
        _R.c.status,
        _R.c.imdb_id,
        _R.c.group_name,
    )
    last = 0
    while True:
        rows = conn.execute(
            select(*cols).where(_R.c.id > last).order_by(_R.c.id).limit(chunk)
        ).all()
        if not rows:
            return
        yield [StoredRelease(*row) for row in rows]
        last = rows[-1].id


NFO_TEXT_LIMIT = 65536


def insert_nfos(conn: Connection, rows: Sequence[tuple[int, str | None, str, datetime]]) -> None:
    """Keep NFO texts (release id, group key, text, seen at), once per release and text."""
    if not rows:
        return
    insert_ignore(
        conn,
        NFOS,
        [
            {
                "release_id": rid,
                "group_key": group,
                "text": text[:NFO_TEXT_LIMIT],
                "sha256": hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(),
                "seen_at": seen,
            }
            for rid, group, text, seen in rows
        ],
        ["release_id", "sha256"],
    )
