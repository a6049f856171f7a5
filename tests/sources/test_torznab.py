"""TorznabSource against a real local HTTP server serving the corpus and own feeds."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from leaktrace.formats.torznab_xml import TorznabApiError
from leaktrace.sources.base import PollingSource, SourceError
from leaktrace.sources.torznab import PLUGIN, TorznabConfig, TorznabSource
from tests.sources._servers import CORPORA, Reply, Request, http_server

KEY = "k3y-VERY-secret-987654321"
RSS_TYPE = "application/rss+xml; charset=utf-8"
NS = 'xmlns:torznab="http://torznab.com/schemas/2015/feed"'
BASE_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def make_source(url: str, **more: object) -> TorznabSource:
    config = TorznabConfig.model_validate(
        {"name": "idx", "url": url + "/api", "api_key": KEY, "total_timeout": 5.0, **more}
    )
    source = PLUGIN.create(config)
    assert isinstance(source, TorznabSource) and isinstance(source, PollingSource)
    return source


def own_feed(numbers: list[int], total: int | None = None) -> bytes:
    items = "".join(
        f"<item><title>Rel.{n:04d}.1080p.WEB-DL.x264-GRP</title><guid>guid-{n}</guid>"
        f"<link>http://idx.test/dl/{n}?apikey={KEY}</link>"
        f"<pubDate>{format_datetime(BASE_TIME + timedelta(minutes=n))}</pubDate>"
        f'<torznab:attr name="seeders" value="{n}"/></item>'
        for n in numbers
    )
    response = f'<torznab:response offset="0" total="{total}"/>' if total is not None else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" {NS}><channel>'
        f"{response}{items}</channel></rss>"
    ).encode()


class Indexer:
    """An indexer with releases 1..count, newest first, paged with offset/limit."""

    def __init__(self, count: int) -> None:
        self.count = count

    def __call__(self, req: Request) -> Reply:
        if req.query.get("apikey") != KEY:
            return Reply(401, b'<error code="100" description="Incorrect user credentials"/>')
        offset = int(req.query.get("offset", "0"))
        limit = int(req.query.get("limit", "100"))
        newest_first = list(range(self.count, 0, -1))[offset : offset + limit]
        return Reply(200, own_feed(newest_first, total=self.count), content_type=RSS_TYPE)


def corpus_app(req: Request) -> Reply:
    name = {"caps": "prowlarr_newznab_caps.xml"}.get(
        req.query.get("t", ""), req.path.strip("/").split("/")[0]
    )
    path = CORPORA / "torznab" / name
    if not path.exists():
        return Reply(404)
    return Reply(200, path.read_bytes(), {"ETag": f'"{name}"'}, RSS_TYPE)


@pytest.mark.parametrize(
    "name,count",
    [
        ("prowlarr_torznab_tpb.xml", 5),
        ("prowlarr_torznab_hdaccess_net.xml", 5),
        ("prowlarr_torznab_morethantv.xml", 2),
        ("prowlarr_newznab_nzb_su.xml", 100),
    ],
)
def test_corpus_feeds_over_http(name: str, count: int) -> None:
    if not (CORPORA / "torznab" / name).exists():
        pytest.skip("corpus not available")
    with http_server(lambda req: corpus_app(_at(req, name))) as srv:
        source = make_source(srv.url, site="Corpus")
        first = source.poll(None)
        assert len(first.items) == count and not first.quarantined
        assert all(i.site == "Corpus" and i.source == "idx" for i in first.items)
        assert [i.time for i in first.items] == sorted(i.time for i in first.items)
        assert first.checkpoint is not None and len(first.checkpoint["seen"]) == count
        assert first.checkpoint["etag"] == f'"{name}"'
        query = srv.seen[0].query
        assert query["t"] == "search" and query["q"] == "" and query["apikey"] == KEY
        assert query["limit"] == "100" and query["extended"] == "1"
        again = source.poll({**first.checkpoint, "etag": None})
        assert again.items == [] and again.checkpoint is not None
        source.close()


def _at(req: Request, name: str) -> Request:
    req.path = "/" + name
    return req


def test_caps_from_corpus() -> None:
    if not (CORPORA / "torznab" / "prowlarr_newznab_caps.xml").exists():
        pytest.skip("corpus not available")
    with http_server(corpus_app) as srv:
        source = make_source(srv.url)
        caps = source.caps()
        assert caps.limit_max == 60 and caps.supports("tvsearch")
        assert srv.seen[0].query == {"t": "caps", "apikey": KEY}


def test_etag_304_not_modified() -> None:
    def app(req: Request) -> Reply:
        if req.headers.get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(200, own_feed([2, 1]), {"ETag": '"v1"'}, RSS_TYPE)

    with http_server(app) as srv:
        source = make_source(srv.url)
        first = source.poll(None)
        assert first.checkpoint is not None and first.checkpoint["etag"] == '"v1"'
        second = source.poll(first.checkpoint)
        assert second.not_modified and second.checkpoint is None and not second.items


def test_paging_with_offset_and_incremental_polls() -> None:
    indexer = Indexer(250)
    with http_server(indexer) as srv:
        source = make_source(srv.url, categories=[2000, 2040])
        first = source.poll(None)  # the first poll reads page 1 only
        assert len(first.items) == 100 and first.items[-1].name.startswith("Rel.0250")
        assert first.items[0].name.startswith("Rel.0151")
        assert srv.seen[0].query["cat"] == "2000,2040"
        assert first.checkpoint is not None
        assert first.checkpoint["newest"] == (BASE_TIME + timedelta(minutes=250)).isoformat()
        indexer.count = 480  # 230 new releases: 3 pages needed
        srv.seen.clear()
        second = source.poll(first.checkpoint)
        assert [s.query.get("offset") for s in srv.seen] == [None, "100", "200"]
        names = [i.name[:8] for i in second.items]
        assert names == [f"Rel.{n:04d}" for n in range(251, 481)]
        assert second.checkpoint is not None and len(second.checkpoint["seen"]) == 330
        assert second.items[0].url == "http://idx.test/dl/251?apikey=***"
        indexer.count = 481
        third = source.poll(second.checkpoint)
        assert [i.name[:8] for i in third.items] == ["Rel.0481"]
        assert third.checkpoint is not None and len(third.checkpoint["seen"]) == 331
        indexer.count = 2000
        fourth = source.poll(third.checkpoint)  # more than max_pages: a gap, capped seen
        assert len(fourth.items) == 300
        assert fourth.checkpoint is not None and len(fourth.checkpoint["seen"]) == 500


def test_search_mode_parameters() -> None:
    with http_server(Indexer(3)) as srv:
        source = make_source(
            srv.url, mode="movie", query="Some Movie", imdbid="tt0118548", limit=50
        )
        source.poll(None)
        query = srv.seen[0].query
        assert query["t"] == "movie" and query["q"] == "Some Movie"
        assert query["imdbid"] == "0118548" and query["limit"] == "50"
        tv = make_source(srv.url, mode="tvsearch", query="Show", season=2, ep="5")
        tv.poll(None)
        assert srv.seen[1].query["season"] == "2" and srv.seen[1].query["ep"] == "5"


@pytest.mark.parametrize("status", [200, 401])
def test_auth_error_is_permanent_and_secret_free(
    status: int, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    body = b'<?xml version="1.0"?><error code="100" description="Incorrect user credentials"/>'
    with http_server(lambda req: Reply(status, body, content_type="application/xml")) as srv:
        source = make_source(srv.url)
        with pytest.raises(TorznabApiError) as info:
            source.poll(None)
    err = info.value
    assert err.code == 100 and not err.transient
    assert "Incorrect user credentials" in str(err)
    assert KEY not in str(err) and KEY not in repr(err) and KEY not in caplog.text
    assert KEY not in repr(source) and KEY not in repr(source.config)


def test_rate_limit_and_server_errors() -> None:
    def app(req: Request) -> Reply:
        if req.path == "/limited/api":
            return Reply(429, b"", {"Retry-After": "42"})
        if req.path == "/down/api":
            return Reply(503, b"<html>down</html>", content_type="text/html")
        return Reply(200, b'<error code="500" description="Request limit reached"/>')

    with http_server(app) as srv:
        with pytest.raises(SourceError) as limited:
            make_source(srv.url + "/limited").poll(None)
        assert limited.value.transient and limited.value.retry_after == 42.0
        with pytest.raises(SourceError) as down:
            make_source(srv.url + "/down").poll(None)
        assert down.value.transient and down.value.status == 503
        with pytest.raises(TorznabApiError) as api_limit:
            make_source(srv.url + "/other").poll(None)
        assert api_limit.value.transient and api_limit.value.code == 500
        for err in (limited.value, down.value, api_limit.value):
            assert KEY not in str(err)


def test_wrong_content_type_and_unsafe_xml(tmp_path: Path) -> None:
    secret_file = tmp_path / "passwd"
    secret_file.write_text("root:x:0:0")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret_file}">]>'
        f"<rss><channel><item><title>&x;</title></item></channel></rss>"
    ).encode()

    def app(req: Request) -> Reply:
        if req.path == "/html/api":
            return Reply(200, b"<html>login</html>", content_type="text/html; charset=utf-8")
        return Reply(200, xxe, content_type="text/xml")

    with http_server(app) as srv:
        with pytest.raises(SourceError, match="text/html"):
            make_source(srv.url + "/html").poll(None)
        with pytest.raises(SourceError, match="unsafe XML") as unsafe:
            make_source(srv.url + "/xxe").poll(None)
        assert "root:x" not in str(unsafe.value)


@pytest.mark.parametrize(
    ("path", "status", "ctype"),
    [("/forbidden", 403, "text/html"), ("/down", 503, "text/plain"), ("/login", 200, "text/html")],
)
def test_a_reply_echoing_the_key_keeps_it_out_of_the_sample(
    path: str, status: int, ctype: str
) -> None:
    """Error pages and login pages often repeat what was asked, the key included, as
    plain text (not ``apikey=``): the refused reply's sample masks it like every message."""
    body = f"<html>Invalid API key {KEY} (key: {KEY})</html>".encode()
    with http_server(lambda req: Reply(status, body, content_type=ctype)) as srv:
        with pytest.raises(SourceError) as info:
            make_source(srv.url + path).poll(None)
    err = info.value
    assert err.sample is not None and "Invalid API key ***" in err.sample
    assert KEY not in err.sample and KEY not in str(err) and KEY not in (err.url or "")


def test_invalid_utf8_feed_over_http() -> None:
    data = own_feed([2, 1]).replace(b"Rel.0002", b"Rel.\xff\xfe02")
    with http_server(lambda req: Reply(200, data, content_type=RSS_TYPE)) as srv:
        result = make_source(srv.url).poll(None)
    assert [i.name[:8] for i in result.items] == ["Rel.0001"]
    assert len(result.quarantined) == 1 and "UTF-8" in result.quarantined[0].reason
    assert result.quarantined[0].sample is not None and KEY not in result.quarantined[0].sample


def test_api_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LT_TEST_TORZNAB_KEY", KEY)
    with http_server(Indexer(2)) as srv:
        config = TorznabConfig(name="env", url=srv.url + "/api", api_key_env="LT_TEST_TORZNAB_KEY")
        assert len(TorznabSource(config).poll(None).items) == 2
    monkeypatch.delenv("LT_TEST_TORZNAB_KEY")
    with pytest.raises(SourceError, match="LT_TEST_TORZNAB_KEY") as info:
        TorznabSource(config).poll(None)
    assert not info.value.transient
    with pytest.raises(ValueError) as both:
        TorznabConfig.model_validate(
            {"name": "x", "url": "http://x.test/api", "api_key": KEY, "api_key_env": "E"}
        )
    assert KEY not in str(both.value)
