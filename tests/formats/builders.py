"""Torrents built in the tests (never downloaded): v1 single/multi-file, v2 and hybrid."""

from __future__ import annotations

from typing import Any

from leaktrace.formats.bencode import encode

PIECES = b"\x11" * 20 * 3
ROOT_HASH = b"\x22" * 32


def single_info(
    name: str | bytes = "Some.Movie.2020.1080p.BluRay.x264-SPARKS.mkv",
    length: int = 123_456_789,
    **more: Any,
) -> dict[str, Any]:
    return {"name": name, "length": length, "piece length": 262144, "pieces": PIECES, **more}


def multi_info(name: str = "Some.Movie.2020.1080p.BluRay.x264-SPARKS") -> dict[str, Any]:
    return {
        "name": name,
        "piece length": 1 << 20,
        "pieces": PIECES,
        "files": [
            {"length": 1000, "path": ["some.movie.mkv"]},
            {"length": 24, "path": [".pad", "24"], "attr": "p"},
            {"length": 200, "path": ["Sample", "sample.mkv"]},
            {"length": 10, "path": ["some.movie.nfo"]},
        ],
    }


def file_tree() -> dict[str, Any]:
    return {
        "some.movie.mkv": {"": {"length": 1000, "pieces root": ROOT_HASH}},
        "Sample": {"sample.mkv": {"": {"length": 200, "pieces root": ROOT_HASH}}},
        "some.movie.nfo": {"": {"length": 10}},
    }


def v2_info(name: str = "Some.Movie.2020.1080p.WEB-DL.x264-GRP") -> dict[str, Any]:
    return {"name": name, "piece length": 16384, "meta version": 2, "file tree": file_tree()}


def hybrid_info(name: str = "Some.Movie.2020.1080p.WEB-DL.x264-GRP") -> dict[str, Any]:
    info = multi_info(name)
    info.update({"meta version": 2, "file tree": file_tree()})
    return info


def torrent(info: dict[str, Any], **top: Any) -> bytes:
    return encode({"announce": "udp://tracker.example.org:1337/announce", **top, "info": info})
