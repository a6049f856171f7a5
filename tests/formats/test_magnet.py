"""Magnet URIs: v1 hex and base32, v2 multihash, hybrid, trackers, web seeds, errors."""

from __future__ import annotations

import base64

import pytest

from leaktrace.formats.magnet import MagnetError, parse_magnet

HEX = "C12FE1C06BBA254A9DC9F519B335AA7C1367A88A"
V2 = "a" * 64


def test_hex_btih_with_trackers_and_name() -> None:
    uri = (
        f"magnet:?xt=urn:btih:{HEX}&dn=Some.Movie.2020.1080p.BluRay.x264-SPARKS"
        "&tr=udp%3A%2F%2Ftracker.example.org%3A1337%2Fannounce"
        "&tr=http%3A%2F%2Fb.example.net%2Fann&tr=http%3A%2F%2Fb.example.net%2Fann"
        "&ws=https%3A%2F%2Fseed.example.com%2Fx&xl=1234"
    )
    magnet = parse_magnet(uri)
    assert magnet.infohash == HEX.lower()
    assert magnet.infohash_v2 is None
    assert magnet.name == "Some.Movie.2020.1080p.BluRay.x264-SPARKS"
    assert magnet.trackers == (
        "udp://tracker.example.org:1337/announce",
        "http://b.example.net/ann",
    )
    assert magnet.web_seeds == ("https://seed.example.com/x",)
    assert magnet.size == 1234
    assert magnet.warnings == ()


def test_base32_btih_is_normalised_to_hex() -> None:
    b32 = base64.b32encode(bytes.fromhex(HEX)).decode()
    assert len(b32) == 32
    assert parse_magnet(f"magnet:?xt=urn:btih:{b32}").infohash == HEX.lower()
    assert parse_magnet(f"MAGNET:?XT=URN:BTIH:{b32.lower()}").infohash == HEX.lower()


def test_btmh_and_hybrid() -> None:
    magnet = parse_magnet(f"magnet:?xt=urn:btmh:1220{V2.upper()}&dn=a+b%20c")
    assert magnet.infohash is None
    assert magnet.infohash_v2 == V2
    assert magnet.name == "a b c"
    hybrid = parse_magnet(f"magnet:?xt=urn:btih:{HEX}&xt=urn:btmh:1220{V2}")
    assert (hybrid.infohash, hybrid.infohash_v2) == (HEX.lower(), V2)


def test_indexed_parameters_and_lenient_extras() -> None:
    magnet = parse_magnet(
        f"  magnet:?xt.1=urn:btih:{HEX}&xt.2=urn:btih:{'b' * 40}&xt.3=urn:sha1:xyz"
        "&tr.1=http://a/&tr.2=http://b/&xl=12x&dn=&foo=bar  "
    )
    assert magnet.infohash == HEX.lower()
    assert magnet.trackers == ("http://a/", "http://b/")
    assert magnet.name is None
    assert magnet.size is None
    assert len(magnet.warnings) == 3


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "http://example.com/?xt=urn:btih:" + HEX,
        "magnet:",
        "magnet:?dn=Some.Movie",
        "magnet:?xt=urn:btih:1234",
        "magnet:?xt=urn:btih:" + HEX + "00",
        "magnet:?xt=urn:btih:" + "Z" * 40,
        "magnet:?xt=urn:btih:" + "1" * 32,  # '1' is not base32
        "magnet:?xt=urn:btmh:1114" + "a" * 40,  # SHA-1 multihash: not v2
        "magnet:?xt=urn:btmh:1220" + "a" * 63,
        "magnet:?xt=urn:btih:" + HEX + "&dn=" + "x" * 70_000,
    ],
)
def test_bad_magnets(uri: str) -> None:
    with pytest.raises(MagnetError):
        parse_magnet(uri)
