"""Torrent metadata: v1 single/multi-file, v2, hybrid; infohashes over the exact info bytes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from leaktrace.errors import InputError
from leaktrace.formats.bencode import BencodeError, decode_document, encode
from leaktrace.formats.torrent import TorrentError, TorrentFile, read_torrent
from tests.formats.builders import (
    hybrid_info,
    multi_info,
    single_info,
    torrent,
    v2_info,
)


def _info_bytes(data: bytes) -> bytes:
    span = decode_document(data).info_span
    assert span is not None
    return data[span[0] : span[1]]


def test_single_file_torrent() -> None:
    info = single_info(private=1, source="PTP")
    data = torrent(
        info,
        **{
            "announce-list": [
                ["udp://tracker.example.org:1337/announce", "http://b.example.net/ann"],
                ["http://c.example.com/announce", "http://b.example.net/ann"],
            ],
            "url-list": "https://seed.example.com/file.mkv",
            "httpseeds": ["http://hs.example.com/seed"],
            "creation date": 1_600_000_000,
            "created by": "qBittorrent v4.2.5",
            "comment": "hello",
        },
    )
    meta = read_torrent(data, filename="a.torrent")
    assert meta.name == "Some.Movie.2020.1080p.BluRay.x264-SPARKS.mkv"
    assert meta.files == (TorrentFile("Some.Movie.2020.1080p.BluRay.x264-SPARKS.mkv", 123_456_789),)
    assert meta.total_size == 123_456_789
    assert not meta.multi_file
    assert meta.piece_length == 262144
    assert meta.trackers == (
        "udp://tracker.example.org:1337/announce",
        "http://b.example.net/ann",
        "http://c.example.com/announce",
    )
    assert meta.web_seeds == ("https://seed.example.com/file.mkv", "http://hs.example.com/seed")
    assert meta.creation_date == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert meta.created_by == "qBittorrent v4.2.5"
    assert meta.comment == "hello"
    assert meta.private is True
    assert meta.source == "PTP"
    assert meta.infohash == hashlib.sha1(encode(info)).hexdigest()
    assert meta.infohash_v2 is None
    assert meta.meta_version == 1 and not meta.is_hybrid
    assert meta.filename == "a.torrent"
    assert meta.warnings == ()


def test_multi_file_torrent_skips_padding_files() -> None:
    info = multi_info()
    meta = read_torrent(torrent(info, **{"url-list": ["http://w1/", "http://w2/", "http://w1/"]}))
    assert meta.multi_file
    assert meta.files == (
        TorrentFile("some.movie.mkv", 1000),
        TorrentFile("Sample/sample.mkv", 200),
        TorrentFile("some.movie.nfo", 10),
    )
    assert meta.total_size == 1210
    assert meta.web_seeds == ("http://w1/", "http://w2/")
    assert meta.infohash == hashlib.sha1(encode(info)).hexdigest()
    assert meta.creation_date is None


def test_pure_v2_torrent() -> None:
    info = v2_info()
    data = torrent(info)
    meta = read_torrent(data)
    assert meta.meta_version == 2
    assert meta.infohash is None
    assert meta.infohash_v2 == hashlib.sha256(encode(info)).hexdigest()
    assert [f.path for f in meta.files] == ["Sample/sample.mkv", "some.movie.mkv", "some.movie.nfo"]
    assert meta.total_size == 1210
    assert meta.multi_file


def test_single_file_v2_torrent() -> None:
    info = {
        "name": "a.mkv",
        "piece length": 16384,
        "meta version": 2,
        "file tree": {"a.mkv": {"": {"length": 5}}},
    }
    meta = read_torrent(torrent(info))
    assert meta.files == (TorrentFile("a.mkv", 5),)
    assert not meta.multi_file


def test_hybrid_torrent_has_both_hashes_over_the_same_bytes() -> None:
    info = hybrid_info()
    data = torrent(info)
    meta = read_torrent(data)
    raw = _info_bytes(data)
    assert raw == encode(info)
    assert meta.infohash == hashlib.sha1(raw).hexdigest()
    assert meta.infohash_v2 == hashlib.sha256(raw).hexdigest()
    assert meta.is_hybrid
    assert meta.total_size == 1210  # from the file tree, no padding


def test_infohash_uses_the_raw_bytes_of_an_unsorted_info_dict() -> None:
    info = single_info()
    raw_info = encode(dict(reversed(list(info.items()))), sort_keys=False)
    data = b"d8:announce3:abc4:info" + raw_info + b"e"
    meta = read_torrent(data)
    assert meta.infohash == hashlib.sha1(raw_info).hexdigest()
    assert meta.infohash != hashlib.sha1(encode(info)).hexdigest()


def test_reordering_keys_outside_info_does_not_change_the_infohash() -> None:
    info = single_info()
    a = encode({"announce": "x", "comment": "c", "info": info}, sort_keys=True)
    b = b"d7:comment1:c4:info" + encode(info) + b"8:announce1:xe"
    c = encode({"info": info, "zzz": {"b": 1, "a": [1, 2]}, "announce": "y"})
    hashes = {read_torrent(d).infohash for d in (a, b, c)}
    assert hashes == {hashlib.sha1(encode(info)).hexdigest()}


def test_text_prefers_utf8_keys_and_handles_undecodable_bytes() -> None:
    info = single_info(name="Caf\xe9".encode("latin-1"))
    info["name.utf-8"] = "Café"
    assert read_torrent(torrent(info)).name == "Café"
    meta = read_torrent(torrent(single_info(name=b"Bad\xff\xfeName")))
    assert meta.name == "Bad\ufffd\ufffdName"
    assert any("info.name" in w for w in meta.warnings)
    meta = read_torrent(torrent(single_info(name="电影".encode("gbk")), encoding="GBK"))
    assert meta.name == "电影"
    assert meta.warnings == ()


def test_absurd_creation_date_is_none() -> None:
    for value in (1_600_000_000_000, -5, 0, 10**30):
        meta = read_torrent(torrent(single_info(), **{"creation date": value}))
        assert meta.creation_date is None
        assert meta.warnings


def test_tolerates_bad_optional_fields() -> None:
    data = torrent(
        single_info(private="yes"),
        announce=5,
        **{
            "announce-list": ["http://flat.example/a", [b"\xff"], [7]],
            "url-list": "",
            "comment": ["x"],
            "creation date": "2020",
        },
    )
    meta = read_torrent(data)
    assert meta.trackers == ("http://flat.example/a",)
    assert meta.web_seeds == ()
    assert meta.comment is None and meta.creation_date is None and not meta.private
    assert len(meta.warnings) >= 5


@pytest.mark.parametrize(
    ("data", "reason", "field"),
    [
        (b"le", "not a list", None),
        (encode({"announce": "x"}), "no info dict", "info"),
        (encode({"info": "x"}), "info must be a dict", "info"),
        (encode({"info": {"piece length": 1, "length": 1}}), "no name", "info.name"),
        (encode({"info": {"name": "", "piece length": 1, "length": 1}}), "no name", "info.name"),
        (encode({"info": {"name": "a", "length": 1}}), "piece length", "info.piece length"),
        (
            encode({"info": {"name": "a", "piece length": 0, "length": 1}}),
            "piece length",
            "info.piece length",
        ),
        (encode({"info": {"name": "a", "piece length": 1}}), "no length, files", "info"),
        (
            encode({"info": {"name": "a", "piece length": 1, "length": -1}}),
            "non-negative",
            "info.length",
        ),
        (
            encode({"info": {"name": "a", "piece length": 1, "length": 1, "files": []}}),
            "both length and files",
            "info",
        ),
        (
            encode({"info": {"name": "a", "piece length": 1, "files": {}}}),
            "files must be a list",
            "info.files",
        ),
        (
            encode({"info": {"name": "a", "piece length": 1, "files": [{"length": 1}]}}),
            "path must be",
            "info.files[0].path",
        ),
        (
            encode({"info": {"name": "a", "piece length": 1, "files": [{"path": ["a"]}]}}),
            "length must be",
            "info.files[0].length",
        ),
        (
            encode({"info": {"name": "a", "piece length": 1, "meta version": 2}}),
            "without a file tree",
            "info.file tree",
        ),
        (
            encode(
                {
                    "info": {
                        "name": "a",
                        "piece length": 1,
                        "meta version": 2,
                        "file tree": {"a": {"": {"length": "x"}}},
                    }
                }
            ),
            "length must be",
            "info.file tree",
        ),
        (
            encode(
                {"info": {"name": "a", "piece length": 1, "meta version": 2, "file tree": {"a": 1}}}
            ),
            "must be dicts",
            "info.file tree",
        ),
    ],
)
def test_unusable_torrents(data: bytes, reason: str, field: str | None) -> None:
    with pytest.raises(TorrentError) as caught:
        read_torrent(data, filename="x.torrent")
    assert reason in caught.value.reason
    assert caught.value.field == field
    assert caught.value.file == "x.torrent"


def test_bad_bencode_is_a_torrent_error_with_the_cause() -> None:
    with pytest.raises(TorrentError, match="not bencode") as caught:
        read_torrent(torrent(single_info())[:-3])
    assert isinstance(caught.value.__cause__, BencodeError)
    assert isinstance(caught.value, InputError)
    assert caught.value.field is not None and caught.value.field.startswith("byte ")
