"""A LeakTrace database of N releases (default 1,000,000) for the web API benchmark.

Works: the 4,803 films of the shared TMDB catalogue (digital and physical dates added 45-150
days after the theatrical one, per film) plus synthetic TV seasons; without the corpus,
synthetic films instead. Releases: scene-style names by 2,500 groups (Zipf-sized: the
largest has tens of thousands of releases, most a few dozen; 8% name no group) over those
works and 10% unmatched titles; each is judged by LeakTrace's own detector
(``leaktrace.detect.detector.assess``), so about 4% are leaks with their alert. Every release
has one to three sightings (predb, Torznab, RSS, .torrent with trackers), 1.5% are nuked,
1% carry an NFO (the rows: ``api_service_rows.py``). Rows go in by bulk insert through the
store's tables (COPY on PostgreSQL) after the store's own migrations; the same seed gives
the same database.

    python bench/api_service_data.py --releases 1000000            # cached SQLite file
    python bench/api_service_data.py --db postgresql+psycopg://...   # fill a PostgreSQL db
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from api_service_rows import END, Generator, catalogue_works, group_names  # noqa: E402
from sqlalchemy import Table, text  # noqa: E402
from sqlalchemy.engine import Connection  # noqa: E402

from leaktrace.store.database import Database  # noqa: E402
from leaktrace.store.schema import (  # noqa: E402
    ALERTS,
    INGEST_RUNS,
    NFOS,
    NUKES,
    RELEASES,
    SIGHTINGS,
    WORK_ALIASES,
    WORKS,
)

__all__ = ["CACHE", "VERSION", "Built", "build", "cached_sqlite"]

CATALOGUE = ROOT.parent / "shared" / "corpora" / "catalogue" / "tmdb5000.csv"
CACHE = ROOT / "bench" / ".cache"
VERSION = 2  # bump when the generated data changes: cached files of older versions are stale


@dataclass(frozen=True)
class Built:
    """What was built: counts, and groups of several sizes for dossier requests."""

    releases: int
    works: int
    groups: int
    leaks: int
    sightings: int
    leaks_by_severity: dict[str, int]
    dossier_groups: dict[str, int]
    """Group name → its releases (groups ranked 2, 10, 50 and 200 by size)."""
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _write(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    raw: Any = conn.connection.driver_connection
    names = ", ".join(f'"{column}"' for column in columns)
    statement = f"COPY {table.name} ({names}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))


def build(target: str, releases: int, seed: int = 1, catalogue: Path = CATALOGUE) -> Built:
    """Fill the empty database ``target`` (a path or URL): migrate it, then write ``releases``
    releases with everything around them."""
    started = time.perf_counter()
    rng = random.Random(seed)
    works = catalogue_works(catalogue, rng)
    groups = group_names(rng, 2500)
    database = Database(target)
    try:
        now = END
        with database.transaction() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("PRAGMA synchronous=OFF"))
            _write(conn, WORKS, [
                {"id": w.id, "kind": w.kind, "title": w.title, "year": w.year, "season": w.season,
                 "country": w.country, "theatrical": w.theatrical, "digital": w.digital,
                 "physical": w.physical, "broadcast": w.broadcast, "imdb_id": w.imdb_id,
                 "tmdb_id": w.tmdb_id, "imported_from": "bench", "updated_at": now}
                for w in works
            ])  # fmt: skip
            _write(conn, WORK_ALIASES, [
                {"work_id": w.id, "alias": a} for w in works for a in w.aliases
            ])  # fmt: skip
            _write(conn, INGEST_RUNS, [
                {"id": 1, "started_at": now, "finished_at": now, "files": "bench",
                 "lines": releases, "accepted": releases, "rejected": 0,
                 "new_releases": releases, "new_sightings": 0}
            ])  # fmt: skip
        generator = Generator(works, groups, seed)
        severities: Counter[str] = Counter()
        sizes: Counter[str] = Counter()
        for chunk in generator.chunks(releases):
            with database.transaction() as conn:
                if conn.dialect.name == "sqlite":
                    conn.execute(text("PRAGMA synchronous=OFF"))
                _write(conn, RELEASES, chunk.releases)
                _write(conn, SIGHTINGS, chunk.sightings)
                _write(conn, ALERTS, chunk.alerts)
                _write(conn, NFOS, chunk.nfos)
                _write(conn, NUKES, chunk.nukes)
            severities.update(a["severity"] for a in chunk.alerts)
            sizes.update(r["group_name"] for r in chunk.releases if r["group_name"])
        with database.transaction() as conn:
            if conn.dialect.name == "postgresql":
                for table in (RELEASES, SIGHTINGS, ALERTS, INGEST_RUNS):
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                        f"(SELECT max(id) FROM {table.name}))"
                    ))  # fmt: skip
                conn.execute(text("UPDATE ingest_runs SET new_sightings = :n"),
                             {"n": generator.next_sighting - 1})  # fmt: skip
        if database.dialect == "postgresql":
            with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))  # autovacuum would, soon after a load
        else:
            with database.reading() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    finally:
        database.close()
    ranked = [name for name, _ in sizes.most_common()]
    picks = [ranked[i] for i in (1, 9, 49, 199) if i < len(ranked)]
    return Built(
        releases=releases,
        works=len(works),
        groups=len(sizes),
        leaks=sum(severities.values()),
        sightings=generator.next_sighting - 1,
        leaks_by_severity=dict(sorted(severities.items())),
        dossier_groups={name: sizes[name] for name in picks},
        seconds=round(time.perf_counter() - started, 1),
    )


def cached_sqlite(
    releases: int, seed: int = 1, *, rebuild: bool = False, cache: Path = CACHE
) -> tuple[Path, Built]:
    """The SQLite file for ``releases`` and ``seed`` under ``cache`` (built if missing)."""
    cache.mkdir(parents=True, exist_ok=True)
    (cache / ".gitignore").write_text("*\n")
    stem = cache / f"api-{releases}-s{seed}-v{VERSION}"
    path, meta = stem.with_suffix(".db"), stem.with_suffix(".json")
    if path.exists() and meta.exists() and not rebuild:
        Database(str(path)).close()  # newer migrations (indexes) once, not in every copy
        return path, Built(**json.loads(meta.read_text()))
    partial = stem.with_suffix(".building.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{partial}{suffix}").unlink(missing_ok=True)
    built = build(str(partial), releases, seed)
    shutil.move(partial, path)
    meta.write_text(json.dumps(built.as_dict(), indent=1))
    return path, built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="an empty database URL or path (default: the cached file)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached file")
    parser.add_argument("--cache", type=Path, default=CACHE, help="folder of cached files")
    args = parser.parse_args()
    if args.db:
        built = build(args.db, args.releases, args.seed)
        where = args.db
    else:
        path, built = cached_sqlite(
            args.releases, args.seed, rebuild=args.rebuild, cache=args.cache
        )
        where = str(path)
    print(json.dumps({"database": where, **built.as_dict()}, indent=1))


if __name__ == "__main__":
    main()
