"""How the ingest's rows go into SQLite, in isolation: the rows of a database that
``bench/ingest_speed.py`` filled, inserted again into an empty copy of its schema (the
name and fingerprint unique indexes, as an ingest that keeps them; the secondary ones
stay out, as in a large ingest) in batches of 5,000, in ways the ingest could bind them.

    python bench/ingest_speed.py --lines 300000 --repeat-share 0.01 --one-process
    python bench/ingest_rows.py bench/out/ingest-300000-r0.01.db

Prints CPU µs per release (its row and its first sighting's row) for: every column
bound; columns NULL in every row of a batch left out (what the ingest does); the same
with foreign keys not enforced; and a whole batch as one JSON parameter read by
``json_each`` (releases only).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

DEFERRED = (
    "ix_releases_released_at",
    "ix_releases_status_released_at",
    "ix_releases_work_id",
    "ix_releases_group_key",
    "ix_sightings_release_id",
)
BATCH = 5_000
Rows = list[tuple[Any, ...]]


def _without_nulls(columns: list[str], rows: Rows) -> tuple[list[str], Rows]:
    """The columns with a value in some row, and the rows less the others (the ingest does
    this per batch; here over all rows, which gives the same statement for this feed)."""
    keep = [j for j, col in enumerate(zip(*rows, strict=True)) if any(v is not None for v in col)]
    return [columns[j] for j in keep], [tuple(r[j] for j in keep) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", type=Path)
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    if not args.database.exists():
        sys.exit(f"{args.database}: no such database (run bench/ingest_speed.py first)")
    src = sqlite3.connect(args.database)
    tables = ("releases", "sightings", "works", "ingest_runs")
    marks = ",".join("?" * len(tables))
    schema = [
        sql
        for (sql,) in src.execute(
            f"SELECT sql FROM sqlite_master WHERE type = 'table' AND name IN ({marks})", tables
        )
    ]
    indexes = [
        sql
        for name, sql in src.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('releases', 'sightings')"
        )
        if name not in DEFERRED
    ]
    rcols = [r[1] for r in src.execute("PRAGMA table_info(releases)") if r[1] != "id"]
    scols = [r[1] for r in src.execute("PRAGMA table_info(sightings)") if r[1] != "id"]
    releases: Rows = src.execute(
        f"SELECT {', '.join(rcols)} FROM releases ORDER BY id LIMIT ?", (args.rows,)
    ).fetchall()
    first = len(releases)
    sightings: Rows = src.execute(
        f"SELECT {', '.join(scols)} FROM sightings WHERE release_id <= ? ORDER BY id", (first,)
    ).fetchall()
    works = src.execute("SELECT * FROM works").fetchall()
    runs = src.execute("SELECT * FROM ingest_runs").fetchall()
    print(
        f"{first:,} releases and {len(sightings):,} sightings from {args.database.name}, "
        f"SQLite {sqlite3.sqlite_version}"
    )

    def fresh(folder: str, fk: bool) -> sqlite3.Connection:
        path = os.path.join(folder, "rows.db")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "cache_size=-98304"):
            conn.execute(f"PRAGMA {pragma}")
        conn.execute(f"PRAGMA foreign_keys={'ON' if fk else 'OFF'}")
        for sql in [*schema, *indexes]:
            conn.execute(sql)
        for table, rows in (("works", works), ("ingest_runs", runs)):
            if rows:
                conn.executemany(
                    f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows
                )
        conn.commit()
        return conn

    def insert(conn: sqlite3.Connection, table: str, cols: Sequence[str], rows: Rows) -> None:
        sql = (
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            "ON CONFLICT DO NOTHING"
        )
        for start in range(0, len(rows), BATCH):
            conn.executemany(sql, rows[start : start + BATCH])

    trimmed_r = _without_nulls(rcols, releases)
    trimmed_s = _without_nulls(scols, sightings)

    def every_column(conn: sqlite3.Connection) -> None:
        insert(conn, "releases", rcols, releases)
        insert(conn, "sightings", scols, sightings)

    def nulls_left_out(conn: sqlite3.Connection) -> None:
        insert(conn, "releases", *trimmed_r)
        insert(conn, "sightings", *trimmed_s)

    def json_batches(conn: sqlite3.Connection) -> None:  # releases only
        cols, rows = trimmed_r
        picks = ", ".join(f"value->>{j}" for j in range(len(cols)))
        sql = (
            f"INSERT INTO releases ({', '.join(cols)}) SELECT {picks} FROM json_each(?) "
            "WHERE 1 ON CONFLICT DO NOTHING"
        )
        for start in range(0, len(rows), BATCH):
            conn.execute(sql, (orjson.dumps(rows[start : start + BATCH]).decode(),))

    def releases_only(conn: sqlite3.Connection) -> None:
        insert(conn, "releases", *trimmed_r)

    ways: list[tuple[str, Callable[[sqlite3.Connection], None], bool]] = [
        ("every column bound", every_column, True),
        ("NULL columns left out (the ingest)", nulls_left_out, True),
        ("  and foreign keys not enforced", nulls_left_out, False),
        ("releases only, NULL columns left out", releases_only, True),
        ("releases only, one JSON parameter a batch", json_batches, True),
    ]
    with tempfile.TemporaryDirectory() as folder:
        for label, way, fk in ways:
            best = float("inf")
            for _ in range(2):
                conn = fresh(folder, fk)
                started = time.process_time()
                way(conn)
                conn.commit()
                best = min(best, time.process_time() - started)
                conn.close()
            print(f"{label:44s} {best / first * 1e6:6.2f} µs a release")


if __name__ == "__main__":
    main()
