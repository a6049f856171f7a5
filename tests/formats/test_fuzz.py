"""Property tests: the parsers give a result or their typed error, never anything else."""

from __future__ import annotations

import hashlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.errors import LeakTraceError
from leaktrace.formats.bencode import BencodeError, decode, decode_document, encode
from leaktrace.formats.errors import FormatError
from leaktrace.formats.magnet import Magnet, MagnetError, parse_magnet
from leaktrace.formats.nfo import NfoInfo, read_nfo
from leaktrace.formats.torrent import TorrentError, TorrentMeta, read_torrent
from tests.formats.builders import hybrid_info, multi_info, single_info, torrent, v2_info

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SEEDS = [
    torrent(single_info(), **{"creation date": 1_600_000_000, "url-list": "http://w/"}),
    torrent(multi_info(), **{"announce-list": [["http://a/"], ["http://b/"]]}),
    torrent(v2_info()),
    torrent(hybrid_info(), comment="c"),
]

bencodable = st.recursive(
    st.integers(min_value=-(10**30), max_value=10**30) | st.binary(max_size=40),
    lambda children: (
        st.lists(children, max_size=6)
        | st.dictionaries(st.binary(max_size=10), children, max_size=6)
    ),
    max_leaves=30,
)


def _mutate(data: bytes, draw: Any) -> bytes:
    buf = bytearray(data)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        action = draw(st.sampled_from(["flip", "cut", "insert", "delete", "splice"]))
        at = draw(st.integers(min_value=0, max_value=max(len(buf) - 1, 0)))
        if action == "flip" and buf:
            buf[at] = draw(st.integers(min_value=0, max_value=255))
        elif action == "cut":
            del buf[at:]
        elif action == "insert":
            buf[at:at] = draw(
                st.sampled_from(
                    [
                        b"l",
                        b"d",
                        b"e",
                        b"i",
                        b"0",
                        b"9:",
                        b"i-0e",
                        b"l" * 200,
                        b"99999999:",
                        b"\xff",
                    ]
                )
            )
        elif action == "delete":
            del buf[at : at + draw(st.integers(min_value=1, max_value=8))]
        else:
            buf[at:at] = draw(st.sampled_from(SEEDS))[:40]
    return bytes(buf)


@FUZZ
@given(st.binary(max_size=300))
def test_decode_arbitrary_bytes(data: bytes) -> None:
    try:
        decode(data)
    except BencodeError as exc:
        assert isinstance(exc, LeakTraceError)
        assert 0 <= exc.offset <= len(data)


@FUZZ
@given(st.data())
def test_read_mutated_torrents(data: st.DataObject) -> None:
    mutated = _mutate(data.draw(st.sampled_from(SEEDS)), data.draw)
    try:
        meta = read_torrent(mutated)
    except TorrentError as exc:
        assert isinstance(exc, LeakTraceError)
        return
    assert isinstance(meta, TorrentMeta)
    doc = decode_document(mutated)
    assert doc.info_span is not None
    raw = mutated[doc.info_span[0] : doc.info_span[1]]
    if meta.infohash is not None:
        assert meta.infohash == hashlib.sha1(raw).hexdigest()


@FUZZ
@given(st.data())
def test_decode_mutated_torrents(data: st.DataObject) -> None:
    mutated = _mutate(data.draw(st.sampled_from(SEEDS)), data.draw)
    try:
        decode(mutated)
    except BencodeError:
        pass


@FUZZ
@given(st.binary(max_size=200))
def test_read_torrent_arbitrary_bytes(data: bytes) -> None:
    try:
        read_torrent(b"d4:info" + data)
    except TorrentError:
        pass


@FUZZ
@given(bencodable)
def test_round_trip(value: object) -> None:
    data = encode(value)
    assert decode(data, strict_order=True) == value
    assert encode(decode(data)) == data


@FUZZ
@given(st.binary(max_size=500))
def test_read_nfo_arbitrary_bytes(data: bytes) -> None:
    info = read_nfo(data)
    assert isinstance(info, NfoInfo)
    assert len(info.text) <= len(data)


@FUZZ
@given(
    st.text(max_size=200)
    | st.text(max_size=200).map(lambda t: "magnet:?" + t)
    | st.lists(
        st.sampled_from(
            [
                "xt=urn:btih:",
                "xt=urn:btmh:1220",
                "a" * 32,
                "b" * 40,
                "c" * 64,
                "&",
                "=",
                "%",
                "%zz",
                "dn=",
                "tr=",
                "xl=",
                "+",
                ".1",
                "\x00",
                "é",
            ]
        ),
        max_size=12,
    ).map(lambda parts: "magnet:?" + "".join(parts))
)
def test_parse_magnet_arbitrary_text(text: str) -> None:
    try:
        magnet = parse_magnet(text)
    except MagnetError as exc:
        assert isinstance(exc, FormatError)
        return
    assert isinstance(magnet, Magnet)
    assert magnet.infohash is None or len(magnet.infohash) == 40
    assert magnet.infohash_v2 is None or len(magnet.infohash_v2) == 64
