"""The watched-folder source: items, quarantine, checkpoint, re-reads, oversize files."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from leaktrace.formats.bencode import encode
from leaktrace.sources.base import PollingSource, PollResult, SourceError
from leaktrace.sources.files import (
    PLUGIN,
    FolderSource,
    FolderSourceConfig,
    read_file,
)
from tests.formats.builders import multi_info, single_info, torrent

HEX = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"
MTIME_NS = 1_700_000_000_123_456_789
RELEASE = "Some.Movie.2020.1080p.BluRay.x264-SPARKS"


def _write(path: Path, data: bytes, mtime_ns: int = MTIME_NS) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "watch"
    good_info = single_info(name=RELEASE + ".mkv")
    _write(
        root / "good.torrent",
        torrent(
            good_info,
            **{
                "creation date": 1_600_000_000,
                "created by": "mktorrent 1.1",
                "url-list": ["https://seed.example.com/a", "https://seed.example.com/b"],
                "announce-list": [
                    ["udp://tracker.example.org:1337/announce"],
                    ["http://t2.example.net/ann"],
                ],
            },
        ),
    )
    _write(root / "nodate.TORRENT", torrent(multi_info("Other.Show.S01E01.720p.WEB.h264-GRP")))
    _write(root / "bad.torrent", b"d4:infod4:name")
    _write(
        root / "list.txt",
        (
            f"magnet:?xt=urn:btih:{HEX}&dn=First.Film.2021.2160p.WEB-DL.x265-AAA"
            "&tr=udp%3A%2F%2Fopen.example.org%3A6969&xl=42\n"
            "some note that is not a magnet\n"
            f"seen at: magnet:?xt=urn:btih:{HEX}\n"
            f"magnet:?xt=urn:btmh:1220{'ab' * 32}&dn=Second.Film.2021.1080p.BluRay.x264-BBB\n"
        ).encode(),
    )
    _write(root / "one.magnet", b"# comment\nnot a magnet\n\xff\xfe\n")
    _write(
        root / "release.nfo",
        (
            b"\xdb\xdb\xb0\xb0 SPARKS proudly presents \xb0\xb0\xdb\xdb\r\n"
            + RELEASE.encode()
            + b"\r\nhttps://www.imdb.com/title/tt1234567/\r\n"
        ),
    )
    _write(root / "art.nfo", b"\xdb\xdb\xdb\xb0\xb0\xb0 nothing here \xb2\xb2\r\n")
    _write(root / "notes.md", b"magnet:?xt=urn:btih:" + HEX.encode() + b"&dn=x")
    _write(root / ".hidden.torrent", b"garbage")
    _write(root / "sub" / "deep.torrent", torrent(single_info(name="Deep.2020.720p.HDTV.x264-C")))
    return root


def _source(root: Path, **more: object) -> FolderSource:
    return FolderSource(FolderSourceConfig(name="drop", path=root, **more))  # type: ignore[arg-type]


def _by_name(result: PollResult) -> dict[str, object]:
    return {item.name: item for item in result.items}


def test_first_poll_reads_good_files_and_quarantines_bad_ones(folder: Path) -> None:
    result = _source(folder).poll(None)
    items = {item.name: item for item in result.items}
    assert sorted(items) == [
        "First.Film.2021.2160p.WEB-DL.x265-AAA",
        "Other.Show.S01E01.720p.WEB.h264-GRP",
        "Second.Film.2021.1080p.BluRay.x264-BBB",
        RELEASE,
        RELEASE + ".mkv",
    ]
    mtime = datetime.fromtimestamp(MTIME_NS / 1e9, UTC)

    good = items[RELEASE + ".mkv"]
    assert good.origin == "torrent" and good.source == "drop"
    assert good.time == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert good.extra["time_from"] == "creation_date"
    assert good.size_bytes == 123_456_789
    assert good.infohash == hashlib.sha1(encode(single_info(name=RELEASE + ".mkv"))).hexdigest()
    assert good.infohash_v2 is None
    assert good.url == "https://seed.example.com/a"
    assert good.site == "tracker.example.org"
    assert good.attrs == {
        "trackers": "udp://tracker.example.org:1337/announce http://t2.example.net/ann",
        "web_seeds": "https://seed.example.com/a https://seed.example.com/b",
    }
    assert good.extra["created_by"] == "mktorrent 1.1"
    assert good.extra["files"] == 1 and good.extra["private"] is False
    assert good.file == str(folder / "good.torrent")

    nodate = items["Other.Show.S01E01.720p.WEB.h264-GRP"]
    assert nodate.time == mtime and nodate.extra["time_from"] == "file_mtime"
    assert nodate.extra["files"] == 3 and nodate.size_bytes == 1210

    first = items["First.Film.2021.2160p.WEB-DL.x265-AAA"]
    assert first.origin == "magnet" and first.infohash == HEX and first.line == 1
    assert first.time == mtime and first.size_bytes == 42
    assert first.site == "open.example.org"
    assert first.attrs["trackers"] == "udp://open.example.org:6969"
    second = items["Second.Film.2021.1080p.BluRay.x264-BBB"]
    assert second.infohash is None and second.infohash_v2 == "ab" * 32 and second.line == 4

    nfo = items[RELEASE]
    assert nfo.origin == "nfo" and nfo.group == "SPARKS" and nfo.imdb_id == "tt1234567"
    assert nfo.extra["urls"] == ["https://www.imdb.com/title/tt1234567/"]
    assert nfo.time == mtime

    reasons = {(Path(q.location or "").name, q.reason) for q in result.quarantined}
    assert reasons == {
        ("bad.torrent", "not bencode: truncated: data ends inside a value at byte 14"),
        ("list.txt:3", "magnet without a display name (dn)"),
        ("one.magnet:2", "not a magnet URI"),
        ("one.magnet:3", "line 3 is not valid UTF-8"),
        ("art.nfo", "no release name in NFO"),
    }
    bad = next(q for q in result.quarantined if q.location and q.location.endswith("bad.torrent"))
    assert bad.sample == "d4:infod4:name"
    art = next(q for q in result.quarantined if q.location and q.location.endswith("art.nfo"))
    assert art.sample is not None and art.sample.startswith("███░░░")

    assert result.checkpoint is not None
    assert sorted(result.checkpoint["files"]) == [
        "art.nfo",
        "bad.torrent",
        "good.torrent",
        "list.txt",
        "nodate.TORRENT",
        "one.magnet",
        "release.nfo",
    ]
    assert result.checkpoint["files"]["good.torrent"] == [
        (folder / "good.torrent").stat().st_size,
        MTIME_NS,
    ]


def test_second_poll_with_the_checkpoint_returns_nothing_new(folder: Path) -> None:
    source = _source(folder)
    first = source.poll(None)
    second = source.poll(first.checkpoint)
    assert second.items == [] and second.quarantined == []
    assert second.checkpoint == first.checkpoint


def test_touched_or_rewritten_files_are_read_again(folder: Path) -> None:
    source = _source(folder)
    checkpoint = source.poll(None).checkpoint
    os.utime(folder / "release.nfo", ns=(MTIME_NS + 10**9, MTIME_NS + 10**9))
    _write(folder / "bad.torrent", torrent(single_info(name="Fixed.2022.1080p.WEB.h264-FIX")))
    again = source.poll(checkpoint)
    assert sorted(item.name for item in again.items) == ["Fixed.2022.1080p.WEB.h264-FIX", RELEASE]
    assert again.quarantined == []
    assert source.poll(again.checkpoint).items == []


def test_deleted_files_leave_the_checkpoint(folder: Path) -> None:
    source = _source(folder)
    checkpoint = source.poll(None).checkpoint
    (folder / "art.nfo").unlink()
    after = source.poll(checkpoint)
    assert after.checkpoint is not None and "art.nfo" not in after.checkpoint["files"]
    assert after.items == []


def test_oversize_file_is_quarantined_not_read(folder: Path) -> None:
    _write(folder / "huge.torrent", b"x" * 5000)
    result = _source(folder, max_file_bytes=4096).poll(None)
    huge = [q for q in result.quarantined if q.location == str(folder / "huge.torrent")]
    assert len(huge) == 1
    assert "5000 bytes, more than the 4096 allowed" in huge[0].reason
    assert huge[0].sample is None
    assert result.checkpoint is not None and "huge.torrent" in result.checkpoint["files"]
    assert len(result.items) == 5


def test_recursive_and_patterns(folder: Path) -> None:
    result = _source(folder, recursive=True, patterns=["*.torrent"]).poll(None)
    assert sorted(item.name for item in result.items) == [
        "Deep.2020.720p.HDTV.x264-C",
        "Other.Show.S01E01.720p.WEB.h264-GRP",
        RELEASE + ".mkv",
    ]
    assert result.checkpoint is not None and "sub/deep.torrent" in result.checkpoint["files"]


def test_malformed_checkpoint_entries_are_ignored(folder: Path) -> None:
    source = _source(folder)
    result = source.poll({"files": {"good.torrent": "x", 5: [1, 2], "list.txt": [1, 2, 3]}})
    assert len(result.items) == 5
    assert len(source.poll({"unexpected": True}).items) == 5


def test_missing_folder_fails_the_whole_poll(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist") as caught:
        _source(tmp_path / "nope").poll(None)
    assert caught.value.transient and caught.value.source == "drop"


def test_one_off_import(folder: Path) -> None:
    got = read_file(folder / "release.nfo", source="cli")
    assert [item.name for item in got.items] == [RELEASE]
    assert got.items[0].source == "cli"
    assert read_file(folder / "does-not-exist.torrent").items == []
    sniffed = read_file(folder / "notes.md")
    assert [(i.origin, i.name) for i in sniffed.items] == [("magnet", "x")]  # sniffed


def test_plugin_and_config() -> None:
    assert PLUGIN.kind == "folder"
    config = PLUGIN.config_model.model_validate({"name": "d", "kind": "folder", "path": "/x"})
    assert isinstance(config, FolderSourceConfig)
    assert config.patterns == ["*.torrent", "*.magnet", "*.txt", "*.nfo"]
    assert config.max_file_bytes == 10 * 1024 * 1024 and not config.recursive
    source = PLUGIN.create(config)
    assert isinstance(source, PollingSource) and source.name == "d"
    source.close()
    with pytest.raises(ValidationError):
        FolderSourceConfig.model_validate({"name": "d", "kind": "rss", "path": "/x"})
    with pytest.raises(ValidationError):
        FolderSourceConfig.model_validate({"name": "d", "path": "/x", "bogus": 1})
