"""``watch --once`` reads at most ``max_items`` lines of a jsonl source and says what is left."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

from leaktrace.feeds.jsonl import MAX_LINE_BYTES
from leaktrace.sources.jsonl_tail import JsonlSource, JsonlSourceConfig, count_lines
from tests.cli.conftest import Run, run  # noqa: F401  (the fixture)


def _write(path: Path, count: int, start: int = 0) -> None:
    with path.open("a", encoding="utf-8") as handle:
        for i in range(start, start + count):
            row = {"name": f"Some.Title.{i:04d}.2026.1080p.WEB-DL-GRP", "time": "2026-01-01T00:00Z"}
            handle.write(json.dumps(row) + "\n")


def test_once_reports_unread_lines_until_done(run: Run, tmp_path: Path) -> None:  # noqa: F811
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    _write(first, 25)
    _write(second, 4, start=100)
    config = tmp_path / "watch.toml"
    config.write_text(
        f'[[source]]\nname = "feed"\nkind = "jsonl"\npaths = ["{first}", "{second}"]\n'
        "max_items = 10\n"
    )
    db = str(tmp_path / "w.db")

    def once() -> list[str]:
        result = run("watch", "-c", str(config), "--db", db, "--once")
        assert result.code == 0, result.err
        return [line for line in result.out.splitlines() if "left unread" in line]

    assert once() == [
        f"feed: {first}: read 10 lines, 15 left unread (max_items=10; run again to continue)",
        f"feed: {second}: read 0 lines, 4 left unread (max_items=10; run again to continue)",
    ]
    assert once() == [
        f"feed: {first}: read 10 lines, 5 left unread (max_items=10; run again to continue)",
        f"feed: {second}: read 0 lines, 4 left unread (max_items=10; run again to continue)",
    ]
    assert once() == []  # 5 + 4 lines fit in max_items: nothing left
    _write(first, 12, start=200)
    assert once() == [
        f"feed: {first}: read 10 lines, 2 left unread (max_items=10; run again to continue)"
    ]


def test_backlog_in_the_poll_result(tmp_path: Path) -> None:
    feed = tmp_path / "f.jsonl"
    _write(feed, 7)
    with feed.open("a") as handle:
        handle.write("\n\n")  # blank lines are not items
    _write(feed, 2, start=7)
    with feed.open("a") as handle:
        handle.write('{"name": "Still.Being.Writ')  # a line still being written
    source = JsonlSource(JsonlSourceConfig(name="f", paths=[feed], max_items=5))
    first = source.poll(None)
    assert len(first.items) == 5 and len(first.backlog) == 1
    left = first.backlog[0]
    assert (left.location, left.read, left.limit) == (str(feed), 5, 5)
    assert count_lines(feed, left.offset) == 6  # 2 + 2 blank + 2; the partial line not counted
    second = source.poll(first.checkpoint)
    assert len(second.items) == 4 and second.backlog == []  # only the partial line is left
    assert count_lines(tmp_path / "missing.jsonl", 0) == 0


def test_an_overlong_line_is_skipped_without_reading_it_whole(tmp_path: Path) -> None:
    """A line far longer than MAX_LINE_BYTES (a runaway writer, 48 MB without a newline)
    is quarantined and skipped in bounded pieces, not read into memory whole."""
    feed = tmp_path / "feed.jsonl"
    good = '{"name": "Some.Film.2025.1080p.WEB-DL.x264-GRP", "time": "2025-01-01T00:00:00Z"}\n'
    with feed.open("wb") as handle:
        handle.write(b'{"name": "' + b"x" * MAX_LINE_BYTES)
        for _ in range(47):
            handle.write(b"x" * (1 << 20))
        handle.write(b'"}\n' + good.encode())
    source = JsonlSource(JsonlSourceConfig(name="feed", paths=[feed]))
    tracemalloc.start()
    try:
        result = source.poll(None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [i.name for i in result.items] == ["Some.Film.2025.1080p.WEB-DL.x264-GRP"]
    assert len(result.quarantined) == 1 and "longer than" in result.quarantined[0].reason
    assert peak < 8 * MAX_LINE_BYTES
