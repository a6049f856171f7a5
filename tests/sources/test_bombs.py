"""Compression bombs and Content-Encoding: the cap holds on every layer, memory stays low.

Real local servers; the memory of a fetch is measured in a child process (its peak
resident size), so nothing else in the test run can hide or inflate it.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.sources.base import SourceError
from leaktrace.sources.http import HttpFetcher
from leaktrace.sources.http_decoding import (
    MAX_LAYERS,
    BadEncoding,
    BodyTooLarge,
    BoundedBody,
    codings_of,
)
from tests.sources._bombs import BOMBS, MIB, gzip_bomb
from tests.sources._servers import Reply, Request, Running, http_server

ROOT = Path(__file__).resolve().parents[2]
SECRET = "k3y-0f-the-indexer-123456"
BOMB_MIB = 1024
CAP = MIB
MEMORY_BOUND_MIB = 48
"""Generous: the fetcher keeps about CAP plus one 64 KB piece per layer. httpx's own
decoding of the same replies takes 64 MB (one network chunk) to over 1 GB (stacked)."""


@pytest.fixture(scope="module")
def bomb_server() -> Iterator[Running]:
    bodies = {name: (encoding, build(BOMB_MIB)) for name, (encoding, build) in BOMBS.items()}

    def app(req: Request) -> Reply:
        encoding, body = bodies[req.query["bomb"]]
        return Reply(200, body, {"Content-Encoding": encoding}, "application/rss+xml")

    with http_server(app) as srv:
        yield srv


@pytest.mark.parametrize("name", list(BOMBS))
def test_bomb_is_refused_with_memory_bounded(bomb_server: Running, name: str) -> None:
    url = f"{bomb_server.url}/feed?bomb={quote(name)}&apikey={SECRET}"
    done = subprocess.run(
        [sys.executable, "-m", "tests.sources._memory_probe", str(CAP), url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["body"] is None, got
    assert got["error"].split(": ", 1)[1].startswith(f"oversize reply: response larger than {CAP}")
    assert "decoded" in got["error"] or "layers" in got["error"]
    assert got["url"].endswith("apikey=***") and SECRET not in got["url"]
    assert (
        got["sample"].startswith("\\x00\\x00") and f"({BOMB_MIB * MIB} bytes)" not in got["sample"]
    )
    assert got["growth_mib"] < MEMORY_BOUND_MIB, got


def _serve(encoding: str, body: bytes) -> Reply:
    return Reply(200, body, {"Content-Encoding": encoding}, "application/xml")


FEED = (
    b"<rss><channel><title>t</title>"
    + b"<item><title>x</title></item>" * 2000
    + b"</channel></rss>"
)


def test_honest_encodings_are_decoded() -> None:
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    replies = {
        "/gzip": _serve("gzip", gzip.compress(FEED)),
        "/x-gzip": _serve("x-gzip", gzip.compress(FEED)),
        "/stacked": _serve("gzip, gzip", gzip.compress(gzip.compress(FEED))),
        "/deflate": _serve("deflate", zlib.compress(FEED)),
        "/raw-deflate": _serve("deflate", raw_deflate.compress(FEED) + raw_deflate.flush()),
        "/members": _serve("gzip", gzip.compress(FEED[:100]) + gzip.compress(FEED[100:])),
        "/identity": _serve("identity", FEED),
        "/trailing-junk": _serve("gzip", gzip.compress(FEED) + b"\n\x00junk"),
    }
    with (
        http_server(lambda req: replies[req.path]) as srv,
        HttpFetcher(source="t", max_bytes=len(FEED)) as fetcher,
    ):
        for path in replies:
            assert fetcher.fetch(srv.url + path).content == FEED, path


def test_unsupported_corrupt_and_too_many_layers_are_refused() -> None:
    replies = {
        "/br": _serve("br", b"\x1b\x03\x00\xf8\xa5\x00"),
        "/zstd": _serve("zstd", b"(\xb5/\xfd"),
        "/corrupt": _serve("gzip", b"\x1f\x8b\x08\x00" + b"\xff" * 100),
        "/layers": _serve(", ".join(["gzip"] * (MAX_LAYERS + 1)), b"x"),
    }
    with http_server(lambda req: replies[req.path]) as srv, HttpFetcher(source="t") as fetcher:
        for path, words in (
            ("/br", "unsupported Content-Encoding 'br'"),
            ("/zstd", "unsupported Content-Encoding 'zstd'"),
            ("/corrupt", "corrupt gzip data"),
            ("/layers", f"at most {MAX_LAYERS} are decoded"),
        ):
            with pytest.raises(SourceError, match=words) as info:
                fetcher.fetch(f"{srv.url}{path}?apikey={SECRET}")
            assert not info.value.transient
            assert info.value.url == f"{srv.url}{path}?apikey=***"
            assert info.value.sample  # the start of the reply as sent, escaped


def test_declared_oversize_keeps_a_sample_and_redacts_it() -> None:
    body = f"<error>bad key {SECRET} apikey={SECRET}</error>".encode() + b"\x00\xff" * 200_000

    def app(req: Request) -> Reply:
        return Reply(200, body, content_type="application/xml")

    with http_server(app) as srv, HttpFetcher(source="t", secrets=[SECRET]) as fetcher:
        fetcher.max_bytes = 100_000
        with pytest.raises(SourceError, match="Content-Length 400") as info:
            fetcher.fetch(srv.url + "/feed")
    sample = info.value.sample
    assert sample is not None and SECRET not in sample
    assert sample.startswith("<error>bad key *** apikey=***</error>\\x00\\xff")
    assert len(sample) < 4 * 512


def test_a_small_bomb_under_the_cap_is_read_whole() -> None:
    with http_server(lambda req: _serve("gzip", gzip_bomb(4))) as srv:
        with HttpFetcher(source="t", max_bytes=4 * MIB) as fetcher:
            assert fetcher.fetch(srv.url).content == bytes(4 * MIB)
        with HttpFetcher(source="t", max_bytes=4 * MIB - 1) as fetcher:
            with pytest.raises(SourceError, match="once decoded"):
                fetcher.fetch(srv.url)


def _encode(data: bytes, codings: list[str]) -> bytes:
    for coding in codings:
        data = gzip.compress(data, 1) if coding == "gzip" else zlib.compress(data, 1)
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.one_of(st.binary(max_size=3000), st.integers(0, 300_000).map(bytes)),
    codings=st.lists(st.sampled_from(["gzip", "deflate"]), max_size=MAX_LAYERS),
    cap=st.integers(1, 200_000),
    cuts=st.lists(st.integers(1, 5000), max_size=20),
)
def test_bounded_body_property(data: bytes, codings: list[str], cap: int, cuts: list[int]) -> None:
    """Decoded in any chunking, the body is the original, unless some layer (as sent, or
    after undoing any coding) is larger than the cap: then it is refused."""
    sent = _encode(data, codings)
    layers = [data] + [_encode(data, codings[: i + 1]) for i in range(len(codings))]
    too_large = any(len(layer) > cap for layer in layers)
    body = BoundedBody(codings_of([", ".join(codings)]), cap)
    pos = 0
    try:
        for cut in [*cuts, len(sent)]:
            body.feed(sent[pos : pos + cut])
            pos += cut
            assert len(body.body) <= cap
        assert body.finish() == data
        assert not too_large
    except BodyTooLarge:
        assert too_large


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["gzip", "deflate", "gzip, deflate"]))
def test_bounded_body_fuzz(raw: bytes, encoding: str) -> None:
    body = BoundedBody(codings_of([encoding]), 10_000)
    try:
        body.feed(raw)
        body.finish()
    except (BadEncoding, BodyTooLarge):
        pass


def test_a_malformed_head_or_a_cut_body_still_names_the_url_and_keeps_a_sample() -> None:
    """Replies refused before or while their body is read: a head too large for the HTTP
    parser, and a body shorter than its Content-Length, carry the URL (redacted) and, for
    the body, what was read of it."""

    def app(req: Request) -> None:
        if req.path == "/head":
            req.write_raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n")
        else:
            req.write_raw(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
                b"Content-Length: 999999\r\nConnection: close\r\n\r\n<rss>cut short"
            )

    with http_server(app) as srv, HttpFetcher(source="t", secrets=[SECRET]) as fetcher:
        for path in ("/head", "/cut"):
            with pytest.raises(SourceError) as info:
                fetcher.fetch(f"{srv.url}{path}?apikey={SECRET}")
            assert info.value.url == f"{srv.url}{path}?apikey=***", path
        assert info.value.sample == "<rss>cut short"
