from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaktrace.config import Settings
from leaktrace.errors import FeedError, StoreError
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import ingest_files
from leaktrace.store.database import Database
from leaktrace.store.queries import LeakFilter, ReleaseFilter, list_leaks, list_releases
from leaktrace.store.schema import ALERTS, INGEST_RUNS, RELEASES, SIGHTINGS

Write = Callable[..., Path]

ROWS = [
    # a disc rip three days before street date (2026-05-19): supply-chain leak
    {
        "name": "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE",
        "time": "2026-05-16T08:00:00Z",
        "site": "predb-a",
    },
    # a P2P re-encode of it, hours later
    {
        "name": "Northern Lights Protocol (2026) [1080p] [BluRay] [5.1] [YTS.MX]",
        "time": "2026-05-16T13:00:00Z",
        "site": "p2p",
    },
    # inside its window: kept, counted, not a leak
    {
        "name": "Northern.Lights.Protocol.2026.720p.WEB-DL.DDP5.1.H.264-WEBGRP",
        "time": "2026-04-15T03:00:00Z",
    },
    # a cam before theatrical (2026-03-06)
    {"name": "Protocollo.Aurora.2026.iTALiAN.TS.XviD-CAMGRP", "time": "2026-03-01T22:00:00Z"},
    # not in the catalogue
    {"name": "Some.Other.Film.2026.1080p.BluRay.x264-GRP", "time": "2026-01-01T00:00:00Z"},
]


def count(db: Database, table: object) -> int:
    with db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


@pytest.fixture
def loaded(db: Database, settings: Settings, catalog_csv: Path) -> Database:
    import_catalog(db, catalog_csv, settings)
    return db


def test_ingest_detects_and_counts(loaded: Database, settings: Settings, write_feed: Write) -> None:
    report = ingest_files(loaded, [write_feed(ROWS)], settings)
    assert (report.lines, report.accepted, report.rejected) == (5, 5, 0)
    assert report.new_releases == 5
    assert report.new_alerts == 3
    assert report.statuses == {"leak": 3, "in-window": 1, "unmatched": 1}
    with loaded.reading() as conn:
        leaks = {r["release"]: r for r in list_leaks(conn, LeakFilter())}
        releases = list_releases(conn, ReleaseFilter())
    disc = leaks["Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE"]
    assert disc["window"] == "physical"
    assert disc["lead_days"] == pytest.approx(2.67, abs=0.01)
    assert disc["severity"] == "high"
    assert disc["group"] == "SPARKLE"
    assert disc["rule"] == "disc-before-street-date"
    assert leaks["Protocollo.Aurora.2026.iTALiAN.TS.XviD-CAMGRP"]["window"] == "theatrical"
    assert len(releases) == 5


def test_reingest_is_idempotent(loaded: Database, settings: Settings, write_feed: Write) -> None:
    path = write_feed(ROWS)
    ingest_files(loaded, [path], settings)
    before = [count(loaded, t) for t in (RELEASES, SIGHTINGS, ALERTS)]
    again = ingest_files(loaded, [path], settings)
    assert again.new_releases == 0 and again.new_sightings == 0 and again.new_alerts == 0
    assert again.repeated_sightings == 5
    assert [count(loaded, t) for t in (RELEASES, SIGHTINGS, ALERTS)] == before == [5, 5, 3]


def test_same_release_keeps_earliest_time_and_every_sighting(
    loaded: Database, settings: Settings, write_feed: Write
) -> None:
    name = "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE"
    ingest_files(
        loaded,
        [write_feed([{"name": name, "time": "2026-05-20T00:00:00Z", "site": "late"}])],
        settings,
    )
    with loaded.reading() as conn:
        (row,) = list_releases(conn, ReleaseFilter())
    assert row["status"] == "in-window"
    assert count(loaded, ALERTS) == 0
    # seen earlier elsewhere, and twice in the same file: one release, three sightings
    report = ingest_files(
        loaded,
        [
            write_feed(
                [
                    {"name": name, "time": "2026-05-10T00:00:00Z", "site": "early"},
                    {"name": name, "time": "2026-05-12T00:00:00Z", "site": "middle"},
                ]
            )
        ],
        settings,
    )
    assert report.earlier_times == 1 and report.new_alerts == 1
    with loaded.reading() as conn:
        (row,) = list_releases(conn, ReleaseFilter())
        (leak,) = list_leaks(conn, LeakFilter())
    assert row["released_at"] == "2026-05-10T00:00:00Z"
    assert row["sightings"] == 3 and row["status"] == "leak"
    assert leak["lead_days"] == 9.0 and leak["severity"] == "high"


def test_bad_lines_are_skipped_and_reported(
    loaded: Database, settings: Settings, write_feed: Write
) -> None:
    path = write_feed([ROWS[0], "not json", {"name": "X", "time": "whenever"}, ROWS[1]])
    report = ingest_files(loaded, [path], settings)
    assert (report.accepted, report.rejected) == (2, 2)
    assert [(e.line, e.field) for e in report.errors] == [(2, None), (3, "time")]
    assert count(loaded, RELEASES) == 2


def test_strict_failure_leaves_nothing(
    loaded: Database, settings: Settings, write_feed: Write
) -> None:
    good = write_feed(ROWS)
    bad = write_feed([ROWS[0], {"name": "X", "time": "whenever"}])
    with pytest.raises(FeedError) as info:
        ingest_files(loaded, [good, bad], settings, strict=True)
    assert (info.value.file, info.value.line) == (str(bad), 2)
    assert [count(loaded, t) for t in (RELEASES, SIGHTINGS, ALERTS, INGEST_RUNS)] == [0] * 4


def test_database_failure_mid_ingest_rolls_back(
    loaded: Database, settings: Settings, write_feed: Write
) -> None:
    """A write that fails in the second batch undoes the first batch too."""
    small = settings.model_copy(update={"batch_size": 2})
    rows = [dict(r) for r in ROWS]
    rows[3]["url"] = "x" * 2048
    rows[3]["site"] = "s" * 300  # longer than the column: PostgreSQL refuses it
    path = write_feed(rows)
    with loaded.transaction() as conn:  # make SQLite refuse it too
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse BEFORE INSERT ON sightings "
            "WHEN length(NEW.site) > 256 BEGIN SELECT RAISE(ABORT, 'site too long'); END"
        )
    with pytest.raises(StoreError, match="site too long"):
        ingest_files(loaded, [path], small)
    assert [count(loaded, t) for t in (RELEASES, SIGHTINGS, ALERTS, INGEST_RUNS)] == [0] * 4


def test_catalogue_reimport_reassesses_stored_releases(
    db: Database, settings: Settings, catalog_csv: Path, write_feed: Write, tmp_path: Path
) -> None:
    ingest_files(db, [write_feed(ROWS)], settings)  # no catalogue yet: all unmatched
    assert count(db, ALERTS) == 0
    report = import_catalog(db, catalog_csv, settings)
    assert report.reassessed is not None and report.reassessed.new_alerts == 3
    # street date moved earlier: the disc rips are no longer leaks
    moved = tmp_path / "moved.csv"
    moved.write_text(catalog_csv.read_text().replace("2026-05-19", "2026-05-01"))
    again = import_catalog(db, moved, settings)
    assert again.summary.updated == 1 and again.summary.added == 0
    assert again.reassessed is not None and again.reassessed.cleared_alerts == 2
    with db.reading() as conn:
        assert {r["window"] for r in list_leaks(conn, LeakFilter())} == {"theatrical"}


def test_bad_catalogue_leaves_the_catalogue_as_it_was(
    db: Database, settings: Settings, catalog_csv: Path, tmp_path: Path
) -> None:
    from leaktrace.errors import CatalogError
    from leaktrace.store.schema import WORKS

    import_catalog(db, catalog_csv, settings)
    broken = tmp_path / "broken.csv"
    lines = catalog_csv.read_text().splitlines()
    lines[1] = lines[1].replace("It,2017", "It,2018")  # a valid change …
    lines.append("zz,movie,Zed,2020,,,not-a-date,,,,")  # … and a bad row after it
    broken.write_text("\n".join(lines) + "\n")
    with pytest.raises(CatalogError) as info:
        import_catalog(db, broken, settings)
    assert (info.value.line, info.value.field) == (19, "theatrical")
    assert count(db, WORKS) == 17
    with db.reading() as conn:
        from leaktrace.store.works import load_works

        assert {w.id: w.year for w in load_works(conn)}["it-2017"] == 2017
