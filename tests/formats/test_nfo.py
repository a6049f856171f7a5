"""NFO files: CP437 art, UTF-8, release names, groups, IMDb ids, URLs."""

from __future__ import annotations

import time

from leaktrace.formats.nfo import MAX_NFO_BYTES, read_nfo

ART = bytes([0xDB, 0xDB, 0xB0, 0xB1, 0xB2, 0xDC, 0xDF]) * 6

CP437_NFO = (
    ART
    + b"\r\n"
    + b"   \xdb\xdb -=[ SPARKS ]=- proudly presents \xdb\xdb\r\n"
    + ART
    + b"\r\n\r\n"
    + b"  Release....: Some.Movie.2020.1080p.BluRay.x264-SPARKS\r\n"
    + b"  IMDb.......: http://www.imdb.com/title/tt1234567/\xb3\r\n"
    + b"  Size.......: 7.95 GB\r\n"
    + b"  Greets to www.example.org and (https://nfo.example.com/path?a=1).\r\n"
    + b"\x1a\x00\x00"
)


def test_cp437_nfo_with_art() -> None:
    info = read_nfo(CP437_NFO)
    assert info.encoding == "cp437"
    assert "██░▒▓▄▀" in info.text
    assert "\r" not in info.text and "\x1a" not in info.text and "\x00" not in info.text
    assert info.release_name == "Some.Movie.2020.1080p.BluRay.x264-SPARKS"
    assert info.group == "SPARKS"
    assert info.groups == ("SPARKS",)
    assert info.imdb_id == "tt1234567"
    assert info.urls == (
        "http://www.imdb.com/title/tt1234567/",
        "www.example.org",
        "https://nfo.example.com/path?a=1",
    )
    assert not info.truncated


def test_utf8_nfo_and_bare_imdb_id() -> None:
    text = (
        "▓▓▓ Café Crew presents ▓▓▓\n"
        "Show.Name.S01E02.720p.HDTV.x264-LOL\n"
        "imdb: tt7654321  (not an id far away below)\n" + " " * 300 + "tt1111111\n"
        "Released by: DIMENSiON\n"
    )
    info = read_nfo(text.encode("utf-8"))
    assert info.encoding == "utf-8"
    assert info.text == text
    assert info.release_name == "Show.Name.S01E02.720p.HDTV.x264-LOL"
    assert info.groups == ("LOL", "DIMENSiON")  # "Crew presents" is not a group name
    assert info.imdb_ids == ("tt7654321",)


def test_bom_ascii_and_no_release_name() -> None:
    info = read_nfo(b"\xef\xbb\xbfjust some text, www.imdb.com/title/tt0111161")
    assert info.encoding == "utf-8"
    assert info.release_name is None
    assert info.imdb_ids == ("tt0111161",)
    assert read_nfo(b"plain").encoding == "ascii"
    utf16 = read_nfo("\ufeffMovie.2019.720p.WEB.h264-GRP".encode("utf-16-le"))
    assert utf16.encoding == "utf-16"
    assert utf16.release_name == "Movie.2019.720p.WEB.h264-GRP"
    empty = read_nfo(b"")
    assert empty.text == "" and empty.release_name is None and empty.group is None


def test_phrase_groups_and_not_groups() -> None:
    info = read_nfo(b"We proudly presents\nThe team presents\nFLUX presents\nGroup...: NTb\n")
    assert info.groups == ("FLUX", "NTb")
    assert read_nfo(b"Release by - RARBG\n").groups == ("RARBG",)


def test_best_release_name_wins() -> None:
    data = b"see Movie.2020.x264-AAA or Movie.2020.1080p.BluRay.x264-BBB\n"
    info = read_nfo(data)
    assert info.release_names == ("Movie.2020.1080p.BluRay.x264-BBB", "Movie.2020.x264-AAA")
    assert info.release_name == "Movie.2020.1080p.BluRay.x264-BBB"
    assert read_nfo(b"my-file.name.here-x and cool.stuff-OK").release_name is None


def test_truncated_to_the_bound() -> None:
    data = "é".encode() * (MAX_NFO_BYTES // 2) + b"\xc3"  # 256 KiB of UTF-8, then one more byte
    info = read_nfo(data)
    assert info.truncated
    assert info.encoding == "utf-8"
    assert info.text == "é" * (MAX_NFO_BYTES // 2)
    cut = read_nfo(b"x" + "é".encode() * (MAX_NFO_BYTES // 2))
    assert cut.encoding == "utf-8" and len(cut.text) == MAX_NFO_BYTES // 2


def test_pathological_inputs_are_fast() -> None:
    started = time.perf_counter()
    for data in (
        b"released by" + b" " * 200_000 + b"x",
        b"GRP" + b" " * 200_000 + b"x",
        b"www." + b"a" * 200_000,
        b"imdb " * 20_000 + b"tt1234567 " * 10_000,
        b"a.b.c-" * 40_000,
        b"A" * MAX_NFO_BYTES,
        bytes(range(256)) * 1024,
    ):
        read_nfo(data)
    assert time.perf_counter() - started < 3.0
