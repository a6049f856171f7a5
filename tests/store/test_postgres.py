"""The same store and pipeline on a real PostgreSQL server: the SQL stays portable."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from leaktrace.config import load_settings
from leaktrace.errors import FeedError
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import ingest_files
from leaktrace.store.database import Database
from leaktrace.store.queries import LeakFilter, ReleaseFilter, list_leaks, list_releases, overview

ROWS = [
    {
        "name": "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE",
        "time": "2026-05-16T08:00:00Z",
    },
    {
        "name": "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE",
        "time": "2026-05-14T08:00:00+02:00",
        "site": "elsewhere",
    },
    {"name": "The.Office.US.S04E01.720p.HDTV.x264-LOL", "time": "2007-09-20T02:00:00Z"},
    {"name": "Halloween.1080p.BluRay.x264-GRP", "time": "2019-01-01T00:00:00Z"},
]


@pytest.fixture
def pg(postgres_url: str) -> Iterator[Database]:
    database = Database(postgres_url)
    with database.transaction() as conn:
        for table in ("alerts", "sightings", "releases", "ingest_runs", "work_aliases", "works"):
            conn.execute(text(f"DELETE FROM {table}"))
    yield database
    database.close()


def test_pipeline_on_postgres(
    pg: Database, postgres_url: str, catalog_csv: Path, write_feed: Callable[..., Path]
) -> None:
    settings = load_settings(db=postgres_url)
    assert pg.dialect == "postgresql"
    import_catalog(pg, catalog_csv, settings)
    feed = write_feed(ROWS)
    first = ingest_files(pg, [feed], settings)
    assert (first.new_releases, first.new_sightings, first.new_alerts) == (3, 4, 2)
    again = ingest_files(pg, [feed], settings)
    assert (again.new_releases, again.new_sightings, again.new_alerts) == (0, 0, 0)
    with pg.reading() as conn:
        leaks = {r["release"]: r for r in list_leaks(conn, LeakFilter(), sort="severity")}
        releases = list_releases(conn, ReleaseFilter(group="sparkle"))
        counts = overview(conn)
    disc = leaks["Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE"]
    assert disc["released_at"] == "2026-05-14T06:00:00Z"
    assert disc["lead_days"] == 4.75
    assert leaks["The.Office.US.S04E01.720p.HDTV.x264-LOL"]["window"] == "broadcast"
    assert releases[0]["sightings"] == 2
    assert counts["releases_by_status"] == {"leak": 2, "unmatched": 1}


def test_failed_strict_ingest_leaves_nothing_on_postgres(
    pg: Database, postgres_url: str, write_feed: Callable[..., Path]
) -> None:
    settings = load_settings(db=postgres_url)
    feed = write_feed([*ROWS, "garbage"])
    with pytest.raises(FeedError):
        ingest_files(pg, [feed], settings, strict=True)
    with pg.reading() as conn:
        assert conn.execute(text("SELECT count(*) FROM releases")).scalar_one() == 0
        assert conn.execute(text("SELECT count(*) FROM ingest_runs")).scalar_one() == 0


def test_a_postgresql_database_pools_enough_connections_for_a_server(postgres_url: str) -> None:
    """uvicorn runs up to 40 requests at once: the pool keeps 20 and may open 20 more."""
    with Database(postgres_url) as db:
        pool = db.engine.pool
        assert pool.size() == 20  # type: ignore[attr-defined]
        assert pool._max_overflow == 20  # type: ignore[attr-defined]
        assert pool._pre_ping
