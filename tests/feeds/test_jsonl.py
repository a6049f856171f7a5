from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.errors import FeedError
from leaktrace.feeds import FeedItem, item_from_row, read_feed

Write = Callable[..., Path]


def items(path: Path) -> list[FeedItem | FeedError]:
    return list(read_feed(path))


def test_leaktrace_rows(write_feed: Write) -> None:
    path = write_feed(
        [
            {
                "name": "A.2020.1080p.BluRay.x264-GRP",
                "time": "2020-08-25T14:03:00Z",
                "group": "GRP",
                "size": 123,
                "url": "https://example.invalid/a",
                "site": "tracker",
            },
            {"name": "B.2020.720p.WEB-DL-GRP", "time": 1598364180},
            {"name": "C.2020.720p.WEB-DL-GRP", "time": "2020-08-25T16:03:00+02:00"},
        ]
    )
    a, b, c = items(path)
    assert isinstance(a, FeedItem) and isinstance(b, FeedItem) and isinstance(c, FeedItem)
    assert a.time == datetime(2020, 8, 25, 14, 3, tzinfo=UTC)
    assert (a.group, a.size_bytes, a.site, a.origin, a.line) == ("GRP", 123, "tracker", "jsonl", 1)
    assert b.time == datetime(2020, 8, 25, 14, 3, tzinfo=UTC)
    assert c.time == datetime(2020, 8, 25, 14, 3, tzinfo=UTC)


def test_predb_rows(write_feed: Write) -> None:
    path = write_feed(
        [
            {
                "id": 1,
                "name": "Show.S02E07.BDRip.x264-TEAM",
                "team": "TEAM",
                "cat": "TV-DVDRIP",
                "genre": "",
                "url": "http://imdb.com/title/tt3498622",
                "size": 258,
                "files": 19,
                "preAt": 1493762423,
                "nuke": None,
            }
        ]
    )
    (item,) = items(path)
    assert isinstance(item, FeedItem)
    assert item.origin == "predb"
    assert item.site == "predb"
    assert item.group == "TEAM"
    assert item.size_bytes == 258 * 1024 * 1024
    assert item.imdb_id == "tt3498622"
    assert item.extra == {"id": 1, "cat": "TV-DVDRIP", "files": 19}


def test_predb_api_reply_document(tmp_path: Path) -> None:
    path = tmp_path / "reply.json"
    path.write_text(
        json.dumps(
            {
                "status": "success",
                "message": "",
                "data": {
                    "rowCount": 2,
                    "rows": [
                        {"name": "A.2020.BDRip.x264-T", "team": "T", "preAt": 1600000000},
                        {"name": "", "team": "T", "preAt": 1600000000},
                    ],
                },
            }
        )
    )
    good, bad = items(path)
    assert isinstance(good, FeedItem)
    assert isinstance(bad, FeedError) and bad.field == "name" and bad.line == 2


@pytest.mark.parametrize(
    ("line", "field", "reason"),
    [
        (b'{"name": "A", "time": "2020-08-25 14:03"}', "time", "no UTC offset"),
        (b'{"name": "A", "time": "yesterday"}', "time", "not a time"),
        (b'{"name": "A", "time": 12}', "time", "outside 1990-2099"),
        (b'{"name": "A", "time": true}', "time", "not a time"),
        (b'{"name": "A"}', "time", "missing time"),
        (b'{"time": "2020-08-25T14:03:00Z"}', "name", "missing release name"),
        (b'{"name": "   ", "time": "2020-08-25T14:03:00Z"}', "name", "empty"),
        (b'{"name": 5, "time": "2020-08-25T14:03:00Z"}', "name", "must be text"),
        (b'{"name": "A\\u0000B", "time": "2020-08-25T14:03:00Z"}', "name", "control"),
        (b'{"name": "A", "time": "2020-08-25T14:03:00Z", "size": -1}', "size", "non-negative"),
        (b'{"name": "A", "time": "2020-08-25T14:03:00Z", "group": 7}', "group", "text"),
        (b'{"name": "A", "time": "2020-08-25T14:03:00Z"', None, "not JSON"),
        (b'["A", "2020"]', None, "expected a JSON object"),
        (b'{"name": "Caf\xe9", "time": "2020-08-25T14:03:00Z"}', None, "UTF-8"),
    ],
)
def test_bad_lines_name_file_line_field(
    write_feed: Write, line: bytes, field: str | None, reason: str
) -> None:
    path = write_feed([{"name": "Good.2020.BluRay-G", "time": 1600000000}, line])
    good, bad = items(path)
    assert isinstance(good, FeedItem)
    assert isinstance(bad, FeedError)
    assert (bad.file, bad.line, bad.field) == (str(path), 2, field)
    assert reason in bad.reason


def test_absurd_name_length(write_feed: Write) -> None:
    path = write_feed([{"name": "A" * 600, "time": 1600000000}])
    (bad,) = items(path)
    assert isinstance(bad, FeedError) and "600 characters" in bad.reason


def test_blank_lines_are_skipped_and_missing_file_is_an_error(
    write_feed: Write, tmp_path: Path
) -> None:
    path = write_feed(["", {"name": "A.2020.BluRay-G", "time": 1600000000}, "   "])
    assert len(items(path)) == 1
    (missing,) = items(tmp_path / "nope.jsonl")
    assert isinstance(missing, FeedError) and "cannot read" in missing.reason


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(
            ["name", "time", "preAt", "team", "group", "size", "url", "site", "imdb", "nuke", "cat"]
        ),
        json_values,
        max_size=8,
    )
)
def test_any_row_gives_item_or_feed_error(row: dict[str, object]) -> None:
    result = item_from_row(row, file="f", line=1)
    assert isinstance(result, FeedItem | FeedError)
    if isinstance(result, FeedItem):
        assert result.name.strip() and result.time.tzinfo is not None


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_any_bytes_never_crash_the_reader(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "f.jsonl"
    path.write_bytes(data)
    for result in read_feed(path):
        assert isinstance(result, FeedItem | FeedError)


def test_every_field_lands_where_it_belongs() -> None:
    row = {
        "name": " A.2020.1080p.BluRay.x264-GRP ",
        "time": "2020-08-25T16:03:00+02:00",
        "group": " GRP ",
        "size": 123,
        "url": "https://example.invalid/a",
        "site": "tracker",
        "imdb_id": "tt0000001",
        "infohash": "ABCDEF0123456789ABCDEF0123456789ABCDEF01",
    }
    assert item_from_row(row, file="feed.jsonl", line=7) == FeedItem(
        name="A.2020.1080p.BluRay.x264-GRP",
        time=datetime(2020, 8, 25, 14, 3, tzinfo=UTC),
        origin="jsonl",
        group="GRP",
        size_bytes=123,
        url="https://example.invalid/a",
        site="tracker",
        imdb_id="tt0000001",
        file="feed.jsonl",
        line=7,
        infohash="abcdef0123456789abcdef0123456789abcdef01",
    )
