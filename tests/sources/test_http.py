"""The hardened fetcher against real local servers."""

from __future__ import annotations

import logging
import random
import socket
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from leaktrace.errors import LeakTraceError
from leaktrace.sources.base import SourceError
from leaktrace.sources.http import (
    FetchResult,
    HttpFetcher,
    backoff_delay,
    check_content_type,
    parse_retry_after,
    redact_text,
    redact_url,
)
from tests.sources._servers import Reply, Request, http_server

SECRET = "s3cr3t-API-k3y-0123456789"


def test_redact_url_masks_every_secret_parameter() -> None:
    url = (
        f"https://x.test/api?t=search&apikey={SECRET}&API_KEY=a1&key=k&token=t"
        f"&passkey=p&q=keyboard&monkey=1#frag"
    )
    out = redact_url(url)
    assert SECRET not in out
    for name in ("apikey", "API_KEY", "key", "token", "passkey"):
        assert f"{name}=***" in out
    assert "q=keyboard" in out and "monkey=1" in out and out.endswith("#frag")
    # Newznab download links put the key after '&' with no '?'
    assert (
        redact_url("http://nzb.su/getnzb/ab.nzb&i=1&r=deadbeef")
        == "http://nzb.su/getnzb/ab.nzb&i=1&r=***"
    )


def test_redact_url_twice_keeps_what_follows_a_masked_value() -> None:
    once = redact_url(f"http://x.test/api?apikey={SECRET}") + ": HTTP 500"
    assert once == "http://x.test/api?apikey=***: HTTP 500"
    assert redact_url(once) == once  # messages are redacted again when they are raised


def test_redact_text_masks_literal_secrets() -> None:
    text = f"failed for /api/{SECRET}/feed?apikey={SECRET}"
    assert SECRET not in redact_text(text, [SECRET])


def test_backoff_delay_is_exponential_with_full_jitter() -> None:
    rng = random.Random(7)
    assert backoff_delay(0, 1.0, 60.0, rng) == 0.0
    for failures in range(1, 12):
        upper = min(60.0, 2.0 ** (failures - 1))
        values = [backoff_delay(failures, 1.0, 60.0, rng) for _ in range(50)]
        assert all(0.0 <= v <= upper for v in values)
    assert max(backoff_delay(10_000, 1.0, 60.0, rng) for _ in range(20)) <= 60.0
    assert backoff_delay(3, 0.5, 60.0) <= 2.0  # the module's own generator


def test_parse_retry_after() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(later, now=now) == pytest.approx(90.0)
    assert parse_retry_after(format_datetime(now - timedelta(hours=1), usegmt=True), now) == 0.0


def _fetcher(**kwargs: object) -> HttpFetcher:
    return HttpFetcher(source="test", secrets=[SECRET], **kwargs)  # type: ignore[arg-type]


def test_etag_and_304() -> None:
    def app(req: Request) -> Reply:
        if req.headers.get("if-none-match") == '"v1"':
            return Reply(304, headers={"ETag": '"v1"'})
        return Reply(
            200,
            b"<rss/>",
            {"ETag": '"v1"', "Last-Modified": "Wed, 01 May 2024 10:00:00 GMT"},
            "application/rss+xml; charset=utf-8",
        )

    with http_server(app) as srv, _fetcher() as fetcher:
        first = fetcher.get(srv.url + "/feed", expect="xml")
        assert first.content == b"<rss/>" and first.etag == '"v1"'
        assert first.content_type == "application/rss+xml" and first.charset == "utf-8"
        assert first.last_modified is not None
        second = fetcher.get(
            srv.url + "/feed", etag=first.etag, last_modified=first.last_modified, expect="xml"
        )
        assert second.not_modified and second.status == 304 and second.content == b""
        assert srv.seen[1].headers["if-modified-since"] == first.last_modified


@pytest.mark.parametrize("header", ["7", "date"])
def test_429_is_transient_with_retry_after(header: str) -> None:
    value = (
        "7"
        if header == "7"
        else format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    )

    with http_server(lambda req: Reply(429, b"slow down", {"Retry-After": value})) as srv:
        with _fetcher() as fetcher, pytest.raises(SourceError) as info:
            fetcher.get(f"{srv.url}/api?apikey={SECRET}")
    err = info.value
    assert err.transient and err.status == 429
    assert err.retry_after is not None
    if header == "7":
        assert err.retry_after == 7.0
    else:
        assert 25.0 <= err.retry_after <= 31.0
    assert SECRET not in str(err) and "apikey=***" in str(err)


def test_500_transient_and_404_permanent() -> None:
    def app(req: Request) -> Reply:
        return Reply(500 if req.path == "/boom" else 404, b"x", content_type="text/plain")

    with http_server(app) as srv, _fetcher() as fetcher:
        with pytest.raises(SourceError) as boom:
            fetcher.get(srv.url + "/boom")
        assert boom.value.transient and boom.value.status == 500
        with pytest.raises(SourceError) as missing:
            fetcher.get(srv.url + "/missing")
        assert not missing.value.transient and missing.value.status == 404


def test_redirects_same_origin_followed_other_host_refused() -> None:
    def app(req: Request) -> Reply:
        if req.path == "/old":
            return Reply(301, headers={"Location": "/new"})
        if req.path == "/away":
            port = req.handler.headers["Host"].rsplit(":", 1)[1]
            return Reply(302, headers={"Location": f"http://localhost:{port}/new?apikey={SECRET}"})
        if req.path == "/loop":
            return Reply(302, headers={"Location": "/loop"})
        return Reply(200, b"{}", content_type="application/json")

    with http_server(app) as srv, _fetcher(max_redirects=3) as fetcher:
        assert fetcher.get(srv.url + "/old", expect="json").content == b"{}"
        with pytest.raises(SourceError) as away:
            fetcher.get(f"{srv.url}/away?apikey={SECRET}")
        assert "another host" in str(away.value) and not away.value.transient
        assert SECRET not in str(away.value)
        with pytest.raises(SourceError, match="redirects"):
            fetcher.get(srv.url + "/loop")


def test_huge_response_cut_at_the_cap() -> None:
    def app(req: Request) -> Reply | None:
        if req.path == "/declared":
            return Reply(200, b"x" * 300_000)
        # no Content-Length: stream 5 MB until the client hangs up
        req.write_raw(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close\r\n\r\n"
        )
        for _ in range(80):
            req.write_raw(b"y" * 65536)
        return None

    with http_server(app) as srv, _fetcher(max_bytes=200_000) as fetcher:
        for path in ("/declared", "/streamed"):
            with pytest.raises(SourceError, match="response larger than 200000") as info:
                fetcher.get(srv.url + path)
            assert not info.value.transient


def _slow(req: Request, headers_too: bool) -> None:
    if headers_too:
        req.write_raw(b"HTTP/1.1 200 OK\r\n")
        for _ in range(60):
            req.write_raw(b"X")  # one byte of a header every 0.2 s
            time.sleep(0.2)
        return
    req.write_raw(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n"
    )
    for _ in range(60):
        req.write_raw(b"<")
        time.sleep(0.2)


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "headers"])
def test_slow_loris_cut_by_total_deadline(headers_too: bool) -> None:
    def app(req: Request) -> None:
        try:
            _slow(req, headers_too)
        except OSError:
            pass
        return None

    with http_server(app) as srv, _fetcher(total_timeout=1.0, read_timeout=5.0) as fetcher:
        started = time.monotonic()
        with pytest.raises(SourceError, match="total deadline") as info:
            fetcher.get(f"{srv.url}/slow?apikey={SECRET}")
        elapsed = time.monotonic() - started
    assert elapsed < 2.5
    assert info.value.transient and SECRET not in str(info.value)


def test_content_type_checks_lenient_within_family() -> None:
    def result(ctype: str | None) -> FetchResult:
        return FetchResult(
            url="http://x.test/api?apikey=***", status=200, content=b"", content_type=ctype
        )

    for ctype in (
        "text/xml",
        "application/rss+xml",
        "application/xml",
        "application/atom+xml",
        None,
    ):
        check_content_type(result(ctype), "xml")
    check_content_type(result("application/json"), "json")
    check_content_type(result("application/vnd.api+json"), "json")
    with pytest.raises(SourceError, match="text/html"):
        check_content_type(result("text/html"), "xml")
    with pytest.raises(SourceError, match="application/xml"):
        check_content_type(result("application/xml"), "json")


def test_wrong_content_type_over_http() -> None:
    with http_server(lambda req: Reply(200, b"<html/>", content_type="text/html")) as srv:
        with _fetcher() as fetcher, pytest.raises(SourceError, match="text/html"):
            fetcher.get(srv.url + "/", expect="json")


def test_secret_never_in_errors_logs_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    with _fetcher(connect_timeout=2.0) as fetcher:
        with pytest.raises(SourceError) as refused:
            fetcher.get(f"http://127.0.0.1:{closed_port}/api?t=caps&apikey={SECRET}")
        assert refused.value.transient
        errors: list[LeakTraceError] = [refused.value]
        with http_server(lambda req: Reply(401, b"no", content_type="text/plain")) as srv:
            with pytest.raises(SourceError) as denied:
                fetcher.get(srv.url + "/api", params={"t": "search", "apikey": SECRET})
            errors.append(denied.value)
            ok = fetcher.fetch(srv.url + "/api", params={"apikey": SECRET})
        assert ok.status == 401 and SECRET not in ok.url
        with pytest.raises(SourceError) as bad_scheme:
            fetcher.get(f"ftp://x.test/?apikey={SECRET}")
        errors.append(bad_scheme.value)
        for err in errors:
            assert SECRET not in str(err) and SECRET not in repr(err)
            assert SECRET not in repr(err.args)
        assert SECRET not in repr(fetcher)
    assert caplog.records, "httpx should have logged the request"
    assert SECRET not in caplog.text
    assert all(SECRET not in r.getMessage() for r in caplog.records)
