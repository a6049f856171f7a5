"""A second process judging a large file ingest's names: the same rows as judging them in
the ingest's own process, and the same rows when it fails, lags or cannot start."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import leaktrace.pipeline.ingest as ingest_module
from leaktrace.config import Settings, load_settings
from leaktrace.feeds.jsonl import read_feed
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import IngestReport, ingest_files, ingest_stream
from leaktrace.pipeline.judging import ParallelJudge, can_judge_apart, judge_batches
from leaktrace.store.database import Database
from leaktrace.store.works import load_works

from .test_ingest import ROWS
from .test_ingest_deferred_indexes import fresh, table_rows

Write = Callable[..., Path]


def feed_rows() -> list[object]:
    """Thirty distinct releases, repeats and bad lines, over several small batches."""
    rows: list[object] = []
    for k in range(6):
        for row in ROWS:
            rows.append({**row, "name": f"{row['name']} [{k}]" if k else row["name"]})
        rows.append(dict(ROWS[0]))  # a repeat sighting
        rows.append("{not json")  # a bad line, skipped by both processes alike
    return rows


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest_module, "PARALLEL_MIN_LINES", 1)


def ingest_both(
    tmp_path: Path, catalog_csv: Path, feed: Path, **update: object
) -> tuple[IngestReport, IngestReport, Database, Database]:
    plain, settings = fresh(tmp_path, "plain.db", catalog_csv)
    one = ingest_files(
        plain, [feed], settings.model_copy(update={"batch_size": 4, "parallel_judging": False})
    )
    other, settings = fresh(tmp_path, "parallel.db", catalog_csv)
    two = ingest_files(other, [feed], settings.model_copy(update={"batch_size": 4, **update}))
    return one, two, plain, other


def test_the_second_process_judges_every_new_release_alike(
    tmp_path: Path, catalog_csv: Path, write_feed: Write, parallel: None
) -> None:
    one, two, plain, other = ingest_both(tmp_path, catalog_csv, write_feed(feed_rows()))
    assert (one.judged_in_parallel, two.judged_in_parallel) == (0, 30)
    assert two.new_releases == one.new_releases == 30
    assert two.statuses == one.statuses and one.statuses["leak"] >= 3
    assert (two.rejected, two.new_alerts) == (one.rejected, one.new_alerts)
    assert one.rejected == 6 and one.new_alerts == one.statuses["leak"]
    assert table_rows(other) == table_rows(plain)
    plain.close()
    other.close()


def test_a_small_ingest_or_the_setting_off_keeps_to_one_process(
    tmp_path: Path, catalog_csv: Path, write_feed: Write
) -> None:
    _, two, plain, other = ingest_both(tmp_path, catalog_csv, write_feed(feed_rows()))
    assert two.judged_in_parallel == 0  # far below PARALLEL_MIN_LINES
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
    assert two.judged_in_parallel == 0
    assert two.as_dict() | {"seconds": 0, "run_id": 0, "files": []} == one.as_dict() | {
        "seconds": 0,
        "run_id": 0,
        "files": [],
    }
    assert table_rows(other) == table_rows(plain)
    plain.close()
    other.close()


def test_conclusions_drawn_from_other_items_are_not_used(
    tmp_path: Path, catalog_csv: Path, write_feed: Write, settings: Settings
) -> None:
    """The child read a file that is not what the ingest stores (it changed meanwhile):
    the names match, the times do not, so the ingest judges them itself."""
    rows = feed_rows()
    stored = write_feed(rows)
    shifted = write_feed(
        [{**r, "time": "2020-01-01T00:00:00Z"} if isinstance(r, dict) else r for r in rows]
    )
    db, settings = fresh(tmp_path, "lt.db", catalog_csv)
    small = settings.model_copy(update={"batch_size": 4})
    with db.transaction() as conn:
        report = ingest_stream(
            conn, read_feed(stored), small, files=[str(stored)], judge_paths=[shifted]
        )
    assert report.judged_in_parallel == 0
    assert report.statuses["leak"] >= 3  # the stored file's times: 2020 would leak none
    plain, _ = fresh(tmp_path, "plain.db", catalog_csv)
    ingest_files(plain, [stored], small)
    assert table_rows(db) == table_rows(plain)
    db.close()
    plain.close()


def test_a_child_that_dies_leaves_the_ingest_to_judge_the_rest(
    tmp_path: Path, catalog_csv: Path, write_feed: Write
) -> None:
    feed = write_feed(feed_rows())
    db, _ = fresh(tmp_path, "lt.db", catalog_csv)
    with db.reading() as conn:
        works = load_works(conn)
    expected = list(judge_batches(read_feed(feed), 4, Assessor(Matcher(works, 88.0))))
    with ParallelJudge([feed], 512, 4, works, 88.0) as judge:
        batches = []
        while batch := judge.next_batch():
            batches.append(batch)
        assert judge.stopped and judge.stop_reason is None  # all judged
    assert batches == expected and len(expected) == 9  # 36 good lines, 4 a batch
    with ParallelJudge([feed], 512, 4, works, 88.0) as judge:
        assert judge.next_batch() == expected[0] and not judge.stopped
        assert judge._process is not None
        judge._process.kill()
        judge._process.wait()
        for _ in range(len(expected)):  # what it wrote before dying, then nothing
            if not judge.next_batch():
                break
        assert judge.stopped and judge.next_batch() == {}
    db.close()


def test_a_job_the_child_cannot_do_is_reported_not_raised(tmp_path: Path) -> None:
    feed = tmp_path / "f.jsonl"
    feed.write_text('{"name": "A.2020.BluRay-G", "time": 1600000000}\n')
    with ParallelJudge([feed], 512, 4, [object()], 88.0) as judge:  # type: ignore[list-item]
        assert judge.next_batch() == {}
    assert judge.stopped and judge.stop_reason is not None
    assert judge.stop_reason.startswith(("AttributeError", "TypeError"))
    with ParallelJudge([tmp_path], 512, 4, [], 88.0) as judge:
        assert judge.next_batch() == {}  # a folder: read_feed's error line, skipped
    assert judge.stop_reason is None


def test_only_regular_files_are_judged_apart(tmp_path: Path, write_feed: Write) -> None:
    feed = write_feed(feed_rows())
    assert can_judge_apart([feed])
    assert not can_judge_apart([feed, tmp_path])  # a folder
    assert not can_judge_apart([Path("/dev/stdin")])  # another stream in another process
    assert not can_judge_apart([tmp_path / "missing.jsonl"])


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
    assert report.new_releases == report.judged_in_parallel == 30
    assert report.statuses["leak"] >= 3
