"""Write releases, sightings and alerts in batches (portable SQL, no ORM sessions)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from leaktrace.detect.detector import Alert
from leaktrace.errors import StoreError
from leaktrace.store.portable import (
    chunked,
    insert_ignore,
    newest,
    newest_id,
    sqlite_bulk,
    sqlite_cursor,
    sqlite_insert_ignore,
    sqlite_rows,
    sqlite_run_many,
    sqlite_time_of,
)
from leaktrace.store.schema import ALERTS, INGEST_RUNS, NFOS, RELEASES, SIGHTINGS, WORKS

__all__ = [
    "BULK_CACHE_MIB",
    "DEFERRABLE_INDEXES",
    "DEFERRED_CACHE_MIB",
    "DEFER_MIN_ROWS",
    "FINGERPRINT_INDEX",
    "KEYED_CACHE_MIB",
    "KEYED_DEFERRAL",
    "NAME_INDEX",
    "fingerprints_of",
    "KnownRelease",
    "bulk_writing",
    "deferred_indexes",
    "should_defer_indexes",
    "StoredRelease",
    "iter_releases",
    "delete_alerts",
    "find_releases",
    "finish_run",
    "insert_releases",
    "insert_nfos",
    "insert_sightings",
    "ROW_TIMES",
    "RowTimes",
    "row_times",
    "row_times_name",
    "nfos_of",
    "release_by_id",
    "largest_release_id",
    "release_ids",
    "releases_by_id",
    "set_release_times",
    "sightings_of",
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
    return {k.name: k for k in _known_releases(conn, _R.c.name, names)}


def releases_by_id(conn: Connection, ids: Sequence[int]) -> list[KnownRelease]:
    """The stored releases of ``ids`` (those there)."""
    return _known_releases(conn, _R.c.id, ids)


def _known_releases(conn: Connection, key: Any, values: Sequence[Any]) -> list[KnownRelease]:
    found: list[KnownRelease] = []
    cols = (
        _R.c.id,
        _R.c.name,
        _R.c.released_at,
        _R.c.work_id,
        _R.c.source,
        _R.c.status,
        _R.c.group_name,
    )
    cursor = sqlite_cursor(conn)
    if cursor is not None:  # the same query without SQLAlchemy's cost per statement
        as_time = _R.c.released_at.type.dialect_impl(conn.dialect).result_processor(
            conn.dialect, None
        )
        head = f"SELECT {', '.join(c.name for c in cols)} FROM releases WHERE {key.name} IN "
        for part in chunked(values):
            for rid, name, at, *rest in sqlite_rows(
                cursor, head + f"({', '.join('?' * len(part))})", part
            ):
                moment = cast(datetime, as_time(at) if as_time is not None else at)
                found.append(KnownRelease(rid, name, moment, *rest))
        return found
    for part in chunked(values):
        found.extend(KnownRelease(*row) for row in conn.execute(select(*cols).where(key.in_(part))))
    return found


def release_ids(conn: Connection, chunk: int = 50_000) -> Iterator[list[tuple[str, int]]]:
    """Every stored release's name and id, ``chunk`` at a time (by id)."""
    last = 0
    while True:
        rows = conn.execute(
            select(_R.c.name, _R.c.id).where(_R.c.id > last).order_by(_R.c.id).limit(chunk)
        ).all()
        if not rows:
            return
        yield [(name, rid) for name, rid in rows]
        last = rows[-1][1]


def largest_release_id(conn: Connection) -> int:
    """The highest release id (0 when there is none)."""
    return int(conn.execute(select(func.max(_R.c.id))).scalar_one() or 0)


BULK_CACHE_MIB = 160
"""SQLite page cache while a file ingest runs (the connection's usual is 64 MiB): a large
ingest inserts into the name and fingerprint indexes at random places, and once they
outgrow the cache every insert reads pages back. Peak memory of a 1,000,000-line ingest
stays under 500 MB (BENCHMARKS.md)."""
DEFERRED_CACHE_MIB = 96
"""The page cache when the secondary indexes are deferred (:func:`deferred_indexes`): only
the name and fingerprint indexes are then written at random places, and a larger cache
gained nothing in the 1,000,000-line bench."""
KEYED_CACHE_MIB = 64
"""The page cache when the name and fingerprint indexes are deferred too (``keys``): rows
only go to the tables' ends then, and 32, 64 and 96 MiB ran alike in the 1,000,000-line
bench, the smaller ones 33 MB lighter (the index builds at the end sort in as much memory
as the page cache)."""


@contextmanager
def bulk_writing(conn: Connection, cache_mib: int = BULK_CACHE_MIB) -> Iterator[None]:
    """A larger SQLite page cache on ``conn`` for a bulk ingest, the usual one after."""
    if conn.dialect.name != "sqlite":
        yield
        return
    before = int(conn.exec_driver_sql("PRAGMA cache_size").scalar_one())
    if before < 0 and -before >= cache_mib * 1024:  # already as large
        yield
        return
    conn.exec_driver_sql(f"PRAGMA cache_size=-{int(cache_mib) * 1024}")
    try:
        yield
    finally:
        try:
            conn.exec_driver_sql(f"PRAGMA cache_size={before}")
        except SQLAlchemyError:  # pragma: no cover - keep the error that ended the ingest
            pass


DEFERRABLE_INDEXES = (
    "ix_releases_released_at",
    "ix_releases_status_released_at",
    "ix_releases_work_id",
    "ix_releases_group_key",
    "ix_sightings_release_id",
)
"""Secondary indexes of releases and sightings that a large file ingest builds once at
its end instead of row by row (:func:`deferred_indexes`). None of them serves the
ingest's own look-ups (by name, by fingerprint, by id)."""
NAME_INDEX = "uq_releases_name"
FINGERPRINT_INDEX = "uq_sightings_fingerprint"
KEYED_DEFERRAL = (
    *(name for name in DEFERRABLE_INDEXES if name != "ix_sightings_release_id"),
    NAME_INDEX,
    FINGERPRINT_INDEX,
)
"""What :func:`deferred_indexes` drops when asked for the keys too: the unique name and
fingerprint indexes, where a large ingest inserts at random places (their largest cost),
beside the releases' secondary indexes. The ingest then has to know itself every stored
name (and insert releases ``known_new``) and which fingerprints are stored (it reads
those of the releases it knows by ``ix_sightings_release_id``, which stays: new
sightings add to its end)."""
DEFER_MIN_ROWS = 50_000
"""The least number of new rows for which building the indexes again pays."""


def should_defer_indexes(conn: Connection, expected_rows: int) -> bool:
    """Whether a bulk ingest of about ``expected_rows`` rows should defer the secondary
    indexes (SQLite only): when it brings at least :data:`DEFER_MIN_ROWS` rows and at
    least as many as the releases table holds (building an index again costs in
    proportion to the whole table; keeping it up costs per new row, dearly when the
    rows' times come in no order)."""
    if conn.dialect.name != "sqlite" or expected_rows < DEFER_MIN_ROWS:
        return False
    return expected_rows >= largest_release_id(conn)


@contextmanager
def deferred_indexes(conn: Connection, keys: bool = False) -> Iterator[None]:
    """Drop :data:`DEFERRABLE_INDEXES` (:data:`KEYED_DEFERRAL` with ``keys``) for the
    ingest inside, then build them again, all in the caller's transaction (SQLite's
    schema changes are transactional: other connections keep seeing the indexes until
    the commit; a rollback brings them back). They are built again whatever happens
    inside, so a caller that commits after an error still has them; building a unique
    index again fails (and so the transaction) if two rows came to share its key."""
    if conn.dialect.name != "sqlite":
        yield
        return
    dropped = KEYED_DEFERRAL if keys else DEFERRABLE_INDEXES
    names_sql = ", ".join(f"'{name}'" for name in dropped)
    found = conn.exec_driver_sql(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND name IN ({names_sql})"
    ).all()
    for name, _ in found:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for _, sql in found:
            conn.exec_driver_sql(re.sub(r"^(CREATE (UNIQUE )?INDEX )", r"\1IF NOT EXISTS ", sql))


def _as_is(value: datetime, _iso: str) -> datetime:
    return value


RowTimes = Callable[[datetime, str], Any]
"""A time as a row holds it, from the time and its ``isoformat()``."""
ROW_TIMES: dict[str, RowTimes] = {"sqlite": sqlite_time_of, "as-is": _as_is}
"""The ways rows may hold times, by name (a second process is told the name)."""


def row_times_name(conn: Connection) -> str:
    """How :func:`insert_releases` and :func:`insert_sightings` on ``conn`` take times
    (a key of :data:`ROW_TIMES`): as SQLite stores them when they go straight to the
    driver, else as they are."""
    return "sqlite" if sqlite_bulk(conn) else "as-is"


def row_times(conn: Connection) -> RowTimes:
    """:data:`ROW_TIMES` of :func:`row_times_name`."""
    return ROW_TIMES[row_times_name(conn)]


def insert_releases(
    conn: Connection,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    known_new: bool = False,
) -> dict[str, int]:
    """Insert new releases (values of ``columns``, one of them ``name``; times as
    :func:`row_times` gives them); a name another writer stored meanwhile is left alone.
    With ``known_new`` (SQLite) the caller knows that no name of ``rows`` is stored, and
    they are inserted without a conflict clause, which needs no name index (see
    :func:`deferred_indexes`).

    Returns the ids of the releases inserted, by name."""
    if not rows:
        return {}
    at = list(columns).index("name")
    cursor = sqlite_cursor(conn)
    if cursor is None:
        dicts = [dict(zip(columns, row, strict=True)) for row in rows]
        return {name: rid for rid, name in insert_ignore(conn, _R, dicts, ["name"], ("id", "name"))}
    conflict = () if known_new else ("name",)
    inserted = sqlite_insert_ignore(conn, cursor, _R, columns, rows, conflict)
    if inserted == len(rows):
        # all new: SQLite numbered them one after the other, in the order given, above
        # every id in the table (nobody else can write until this transaction ends)
        first = newest_id(cursor, _R) - inserted + 1
        return {row[at]: first + index for index, row in enumerate(rows)}
    ids = {name: rid for rid, name in newest(cursor, _R, ("id", "name"), inserted)}
    if len(ids) != inserted or not ids.keys() <= {r[at] for r in rows}:  # pragma: no cover
        raise StoreError("releases: the newest rows are not the ones just inserted")
    return ids


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


def fingerprints_of(conn: Connection, release_ids: Sequence[int]) -> set[str]:
    """The fingerprints of the stored sightings of ``release_ids``."""
    found: set[str] = set()
    for part in chunked(release_ids):
        found.update(
            conn.execute(select(_S.c.fingerprint).where(_S.c.release_id.in_(part))).scalars()
        )
    return found


def insert_sightings(
    conn: Connection,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    counted: Mapping[int, int] | None = None,
    known_new: bool = False,
) -> int:
    """Insert sightings not stored yet (values of ``columns``, among them ``release_id``
    and ``fingerprint``; times as :func:`row_times` gives them) and add them to their
    releases' sighting counts. With ``known_new`` (SQLite) the caller knows that no
    fingerprint of ``rows`` is stored, and they are inserted without a conflict clause,
    which needs no fingerprint index (see :func:`deferred_indexes`).

    ``counted`` gives, for releases inserted in this transaction, the sightings their
    ``sightings`` column already counts (the ones given here): only the difference, if
    any, is written. Returns how many sightings were new."""
    if not rows:
        return 0
    at = list(columns).index("release_id")
    cursor = sqlite_cursor(conn)
    release_ids: list[int]
    if cursor is None:
        dicts = [dict(zip(columns, row, strict=True)) for row in rows]
        release_ids = [
            rid for (rid,) in insert_ignore(conn, _S, dicts, ["fingerprint"], ("release_id",))
        ]
    else:
        conflict = () if known_new else ("fingerprint",)
        count = sqlite_insert_ignore(conn, cursor, _S, columns, rows, conflict)
        if count == len(rows):  # all new: no need to read which
            release_ids = [row[at] for row in rows]
        else:
            release_ids = [rid for (rid,) in newest(cursor, _S, ("release_id",), count)]
    counts: dict[int, int] = dict.fromkeys(counted or (), 0)
    for rid in release_ids:
        counts[rid] = counts.get(rid, 0) + 1
    if counted:
        counts = {rid: n - counted.get(rid, 0) for rid, n in counts.items()}
    if cursor is not None:
        sqlite_run_many(
            cursor,
            "UPDATE releases SET sightings = sightings + ? WHERE id = ?",
            [(n, rid) for rid, n in counts.items() if n],
        )
        return len(release_ids)
    bumps = [{"rid": rid, "n": n} for rid, n in counts.items() if n]
    if bumps:
        bump = (
            update(_R)
            .where(_R.c.id == bindparam("rid"))
            .values(sightings=_R.c.sightings + bindparam("n"))
        )
        conn.execute(bump, bumps)
    return len(release_ids)


def upsert_alerts(conn: Connection, alerts: Iterable[tuple[int, Alert]]) -> list[int]:
    """Store each release's alert (one per release); an older one is updated in place, so
    it keeps its id, its first time and the agencies' triage of it.

    Returns the ids of releases that had no alert before (new alerts)."""
    pairs = list(alerts)
    if not pairs:
        return []
    ids = [rid for rid, _ in pairs]
    before: set[int] = set()
    for part in chunked(ids):
        before.update(
            conn.execute(select(_AL.c.release_id).where(_AL.c.release_id.in_(part))).scalars()
        )
    now = datetime.now(UTC)
    rows = [
        {
            "rid": rid,
            "work_id": a.work_id,
            "rule": a.rule,
            "window": a.window.value,
            "window_date": a.window_date,
            "source": a.source,
            "released_at": a.released_at,
            "lead_days": a.lead_days,
            "severity": a.severity.value,
            "explanation": a.explanation,
            "updated_at": now,
        }
        for rid, a in pairs
    ]
    old = [r for r in rows if r["rid"] in before]
    if old:
        fields = [k for k in old[0] if k != "rid"]  # bound as v_<column>: names must differ
        conn.execute(
            update(_AL)
            .where(_AL.c.release_id == bindparam("rid"))
            .values({k: bindparam(f"v_{k}") for k in fields}),
            [{"rid": r["rid"], **{f"v_{k}": r[k] for k in fields}} for r in old],
        )
    new = [
        {**{k: v for k, v in r.items() if k != "rid"}, "release_id": r["rid"], "created_at": now}
        for r in rows
        if r["rid"] not in before
    ]
    if new:
        conn.execute(_AL.insert(), new)
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


def release_by_id(conn: Connection, release_id: int) -> dict[str, Any] | None:
    """One stored release's columns, with its work's title, year and season (or None)."""
    query = (
        select(
            _R,
            WORKS.c.title.label("work_title"),
            WORKS.c.year.label("work_year"),
            WORKS.c.season.label("work_season"),
            WORKS.c.kind.label("work_kind"),
        )
        .select_from(_R.outerjoin(WORKS, _R.c.work_id == WORKS.c.id))
        .where(_R.c.id == release_id)
    )
    row = conn.execute(query).mappings().first()
    return None if row is None else dict(row)


def sightings_of(conn: Connection, release_id: int, limit: int) -> list[dict[str, Any]]:
    """The first ``limit`` sightings of a release, earliest first."""
    query = (
        select(_S).where(_S.c.release_id == release_id).order_by(_S.c.seen_at, _S.c.id).limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def nfos_of(conn: Connection, release_id: int, limit: int) -> list[dict[str, Any]]:
    """The release's NFO texts, newest first."""
    query = (
        select(NFOS.c.seen_at, NFOS.c.group_key, NFOS.c.text)
        .where(NFOS.c.release_id == release_id)
        .order_by(NFOS.c.seen_at.desc(), NFOS.c.id.desc())
        .limit(limit)
    )
    return [dict(r) for r in conn.execute(query).mappings()]
