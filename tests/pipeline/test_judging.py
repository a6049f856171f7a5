"""A second process reading and judging a large file ingest's feed: the same rows as in
one process, and the same rows when it fails, stops early or cannot start."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import leaktrace.pipeline.ingest as ingest_module
import leaktrace.store.releases as releases_store
from leaktrace.config import load_settings
from leaktrace.errors import FeedError
from leaktrace.feeds.jsonl import read_feed
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import IngestReport, ingest_files
from leaktrace.pipeline.judging import ParallelJudge, can_judge_apart, prepared_frames
from leaktrace.pipeline.prepare import RELEASE_COLUMNS
from leaktrace.store.database import Database
from leaktrace.store.releases import ROW_TIMES
from leaktrace.store.works import load_works

from .test_ingest import ROWS
from .test_ingest_deferred_indexes import fresh, table_rows

Write = Callable[..., Path]


def feed_rows(rounds: int = 6) -> list[object]:
    """Five distinct releases a round, a repeat sighting and a bad line after each."""
    rows: list[object] = []
    for k in range(rounds):
        for row in ROWS:
            rows.append({**row, "name": f"{row['name']} [{k}]" if k else row["name"]})
        rows.append(dict(ROWS[0]))  # a repeat sighting
        rows.append("{not json")  # a bad line, found by whichever process reads it
    return rows


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_LINES", 1)


def outcome(report: IngestReport) -> dict[str, Any]:
    """A report less what differs from run to run."""
    return report.as_dict() | {"seconds": 0, "run_id": 0}


def assert_alike(one: IngestReport, two: IngestReport, plain: Database, other: Database) -> None:
    """The same report and the same rows both ways (both databases closed after)."""
    assert outcome(two) == outcome(one)
    assert table_rows(other) == table_rows(plain)
    plain.close()
    other.close()


def ingest_plain(tmp_path: Path, catalog_csv: Path, feed: Path) -> tuple[IngestReport, Database]:
    """``feed`` ingested in one process, in batches of 4."""
    plain, settings = fresh(tmp_path, "plain.db", catalog_csv)
    one = ingest_files(
        plain, [feed], settings.model_copy(update={"batch_size": 4, "parallel_judging": False})
    )
    return one, plain


def ingest_parallel(
    tmp_path: Path, catalog_csv: Path, feed: Path, progress: Any = None
) -> tuple[IngestReport, Database]:
    """``feed`` ingested with the second process when it may start, in batches of 4."""
    other, settings = fresh(tmp_path, "parallel.db", catalog_csv)
    small = settings.model_copy(update={"batch_size": 4})
    return ingest_files(other, [feed], small, progress=progress), other


def ingest_both(
    tmp_path: Path, catalog_csv: Path, feed: Path, progress: Any = None
) -> tuple[IngestReport, IngestReport, Database, Database]:
    one, plain = ingest_plain(tmp_path, catalog_csv, feed)
    two, other = ingest_parallel(tmp_path, catalog_csv, feed, progress)
    return one, two, plain, other


def test_the_second_process_prepares_every_item_alike(
    tmp_path: Path, catalog_csv: Path, write_feed: Write, parallel: None
) -> None:
    one, two, plain, other = ingest_both(tmp_path, catalog_csv, write_feed(feed_rows()))
    assert (one.prepared_apart, two.prepared_apart) == (0, 36)
    assert outcome(two) == outcome(one)
    assert one.new_releases == 30 and one.statuses["leak"] >= 3
    assert (one.lines, one.rejected, one.new_alerts) == (42, 6, one.statuses["leak"])
    assert [(e.line, e.reason[:8]) for e in two.errors] == [
        (7 * k, "not JSON") for k in range(1, 7)
    ]
    assert table_rows(other) == table_rows(plain)
    plain.close()
    other.close()


def test_a_small_ingest_or_the_setting_off_keeps_to_one_process(
    tmp_path: Path, catalog_csv: Path, write_feed: Write
) -> None:
    _, two, plain, other = ingest_both(tmp_path, catalog_csv, write_feed(feed_rows()))
    assert two.prepared_apart == 0  # far below PARALLEL_MIN_LINES
    plain.close()
    other.close()


def test_a_child_that_cannot_start_changes_nothing(
    tmp_path: Path,
    catalog_csv: Path,
    write_feed: Write,
    parallel: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-python"))
    one, two, plain, other = ingest_both(tmp_path, catalog_csv, write_feed(feed_rows()))
    assert two.prepared_apart == 0
    assert_alike(one, two, plain, other)


def test_a_child_that_dies_midway_leaves_the_rest_to_the_ingest(
    tmp_path: Path,
    catalog_csv: Path,
    write_feed: Write,
    parallel: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: list[ParallelJudge] = []

    class Recorded(ParallelJudge):
        def __enter__(self) -> ParallelJudge:
            started.append(self)
            return super().__enter__()

    def kill_after_first_batch(lines: int) -> None:
        child = started[0]._process
        if child is not None and child.poll() is None:
            child.kill()

    monkeypatch.setattr(ingest_module, "ParallelJudge", Recorded)
    feed = write_feed(feed_rows(rounds=500))  # 3,500 lines, 875 batches: it is killed early
    one, two, plain, other = ingest_both(tmp_path, catalog_csv, feed, kill_after_first_batch)
    assert started and started[0].stopped and not started[0].finished
    assert 0 < two.prepared_apart < two.accepted
    assert_alike(one, two, plain, other)


def test_the_child_sends_what_one_process_would_prepare(
    tmp_path: Path, catalog_csv: Path, write_feed: Write
) -> None:
    feed = write_feed(feed_rows())
    db, _ = fresh(tmp_path, "lt.db", catalog_csv)
    with db.reading() as conn:
        works = load_works(conn)
    assessor = Assessor(Matcher(works, 88.0))
    expected = list(prepared_frames(read_feed(feed), 4, assessor, 7, ROW_TIMES["sqlite"]))
    with ParallelJudge([feed], 512, 4, works, 88.0, 7, "sqlite") as judge:
        frames = []
        while (frame := judge.next_frame()) is not None:
            frames.append(frame)
        assert judge.finished and judge.stop_reason is None
    assert frames == expected
    # 36 items, 4 a batch, then the last bad line alone
    assert len(frames) == 10 and sum(lines for lines, _, _ in frames) == 42
    assert frames[-1][0] == 1 and frames[-1][2] is None
    at = RELEASE_COLUMNS.index("first_run_id")
    runs = {row[at] for _, _, p in frames if p for row, _ in p.releases.values()}
    assert runs == {7}
    db.close()


def test_a_job_the_child_cannot_do_is_reported_not_raised(tmp_path: Path) -> None:
    feed = tmp_path / "f.jsonl"
    feed.write_text('{"name": "A.2020.BluRay-G", "time": 1600000000}\n')
    with ParallelJudge([feed], 512, 4, [object()], 88.0, None, "as-is") as judge:  # type: ignore[list-item]
        assert judge.next_frame() is None
    assert judge.stopped and not judge.finished and judge.stop_reason is not None
    assert judge.stop_reason.startswith(("AttributeError", "TypeError"))
    with ParallelJudge([tmp_path], 512, 4, [], 88.0, None, "as-is") as judge:
        frame = judge.next_frame()  # a folder: read_feed's error, as a frame with no batch
        assert frame is not None and frame[0] == 1 and frame[2] is None
        ((reason, file, _, _),) = frame[1]
        assert file == str(tmp_path) and "cannot read" in reason
        assert judge.next_frame() is None and judge.finished


def test_only_regular_files_are_judged_apart(tmp_path: Path, write_feed: Write) -> None:
    feed = write_feed(feed_rows())
    assert can_judge_apart([feed])
    assert not can_judge_apart([feed, tmp_path])  # a folder
    assert not can_judge_apart([Path("/dev/stdin")])  # another stream in another process
    assert not can_judge_apart([tmp_path / "missing.jsonl"])


def test_strict_stops_at_a_bad_line_the_child_found(
    tmp_path: Path, catalog_csv: Path, write_feed: Write, parallel: None
) -> None:
    db, settings = fresh(tmp_path, "lt.db", catalog_csv)
    with pytest.raises(FeedError) as info:
        ingest_files(db, [write_feed(feed_rows())], settings, strict=True)
    assert info.value.line == 7 and info.value.reason.startswith("not JSON")
    assert table_rows(db) == [[], [], []]
    db.close()


def test_the_second_process_serves_postgresql_too(
    postgres_database: str, catalog_csv: Path, write_feed: Write, parallel: None
) -> None:
    settings = load_settings(db=postgres_database).model_copy(update={"batch_size": 4})
    pg = Database(postgres_database)
    try:
        import_catalog(pg, catalog_csv, settings)
        report = ingest_files(pg, [write_feed(feed_rows())], settings)
    finally:
        pg.close()
    assert (report.prepared_apart, report.new_releases) == (36, 30)
    assert report.statuses["leak"] >= 3


def test_the_second_process_with_every_index_deferred_stores_alike(
    tmp_path: Path,
    catalog_csv: Path,
    write_feed: Write,
    parallel: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The writer then knows the names only from memory and reads known releases by id
    (a repeat sighting in a later batch is caught without the fingerprint index)."""
    feed = write_feed(feed_rows())
    one, plain = ingest_plain(tmp_path, catalog_csv, feed)  # nothing deferred
    keyed: list[bool] = []
    real = ingest_module.deferred_indexes

    def spy(conn: Any, keys: bool = False) -> Any:
        keyed.append(keys)
        return real(conn, keys)

    monkeypatch.setattr(ingest_module, "deferred_indexes", spy)
    monkeypatch.setattr(releases_store, "DEFER_MIN_ROWS", 1)
    two, other = ingest_parallel(tmp_path, catalog_csv, feed)
    assert keyed == [True] and two.prepared_apart == 36
    assert one.repeated_sightings == two.repeated_sightings == 6
    assert_alike(one, two, plain, other)
