"""RssSource against a real local HTTP server: RSS 2.0, Atom, unsafe and broken feeds."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaktrace.sources.base import PollingSource, SourceError
from leaktrace.sources.rss import PLUGIN, RssConfig, RssSource
from tests.sources._servers import Reply, Request, http_server

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Releases</title><link>http://feeds.test/</link>
<item><title>Some.Movie.2024.1080p.WEB-DL.DDP5.1.H.264-GRP</title>
  <link>http://feeds.test/r/1?passkey=SECRETPASS</link><guid>rel-1</guid>
  <pubDate>Wed, 01 May 2024 10:00:00 +0200</pubDate></item>
<item><title>Other.Show.S01E02.720p.HDTV.x264-TV</title><link>http://feeds.test/r/2</link>
  <guid>rel-2</guid><pubDate>Wed, 01 May 2024 11:00:00 GMT</pubDate></item>
<item><title>  </title><guid>rel-empty</guid></item>
<item><title>Undated.Release.2024-GRP</title><guid>rel-3</guid></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom releases</title>
<id>urn:feed</id><updated>2024-05-02T00:00:00Z</updated>
<entry><title>Atom.Movie.2024.2160p.UHD.BluRay.x265-GRP</title><id>urn:rel:1</id>
  <link href="http://atom.test/rel/1"/><updated>2024-05-02T08:30:00Z</updated></entry>
<entry><title>Atom.Published.2024-GRP</title><id>urn:rel:2</id>
  <published>2024-05-01T08:30:00+02:00</published><updated>2024-05-03T00:00:00Z</updated></entry>
</feed>"""


def source_for(url: str) -> RssSource:
    source = PLUGIN.create(RssConfig(name="rss", url=url, total_timeout=5.0))
    assert isinstance(source, RssSource) and isinstance(source, PollingSource)
    return source


def test_rss2_feed() -> None:
    fetched = datetime.now(UTC)
    with http_server(lambda req: Reply(200, RSS, {"ETag": '"e1"'}, "application/rss+xml")) as srv:
        source = source_for(srv.url + "/feed.xml")
        result = source.poll(None)
        names = [i.name for i in result.items]
        assert names[:2] == [
            "Some.Movie.2024.1080p.WEB-DL.DDP5.1.H.264-GRP",
            "Other.Show.S01E02.720p.HDTV.x264-TV",
        ]
        first, second, undated = result.items
        assert first.time == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
        assert first.origin == "rss" and first.site == "127.0.0.1" and first.source == "rss"
        assert first.url == "http://feeds.test/r/1?passkey=***"
        assert undated.extra["time_from"] == "fetch" and undated.time >= fetched
        assert len(result.quarantined) == 1 and "no title" in result.quarantined[0].reason
        assert result.checkpoint is not None and result.checkpoint["etag"] == '"e1"'
        assert result.checkpoint["seen"] == ["rel-1", "rel-2", "rel-3"]
        again = source.poll({**result.checkpoint, "etag": None})
        assert again.items == []


def test_atom_feed_and_new_entries_only() -> None:
    state = {"data": ATOM}

    def app(req: Request) -> Reply:
        return Reply(200, state["data"], content_type="application/atom+xml")

    with http_server(app) as srv:
        source = source_for(srv.url + "/atom")
        first = source.poll(None)
        assert [i.name for i in first.items] == [
            "Atom.Published.2024-GRP",
            "Atom.Movie.2024.2160p.UHD.BluRay.x265-GRP",
        ]
        assert first.items[0].time == datetime(2024, 5, 1, 6, 30, tzinfo=UTC)  # published wins
        assert first.items[1].url == "http://atom.test/rel/1"
        state["data"] = ATOM.replace(
            b"<entry>",
            b"<entry><title>Brand.New-GRP</title>"
            b"<id>urn:rel:9</id><updated>2024-05-04T00:00:00Z</updated>"
            b"</entry><entry>",
            1,
        )
        second = source.poll(first.checkpoint)
        assert [i.name for i in second.items] == ["Brand.New-GRP"]
        assert second.checkpoint is not None
        assert second.checkpoint["newest"] == "2024-05-04T00:00:00+00:00"


def test_304_not_modified() -> None:
    def app(req: Request) -> Reply:
        if req.headers.get("if-modified-since"):
            return Reply(304)
        return Reply(200, RSS, {"Last-Modified": "Wed, 01 May 2024 12:00:00 GMT"}, "text/xml")

    with http_server(app) as srv:
        source = source_for(srv.url + "/")
        first = source.poll(None)
        assert first.checkpoint is not None
        assert source.poll(first.checkpoint).not_modified


def test_unsafe_and_unreadable_feeds(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("NEVER-READ-THIS")
    bodies = {
        "/laughs": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><item>'
        b"<title>&b;</title></item></channel></rss>",
        "/xxe": (
            f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
            f"<rss><channel><item><title>&x;</title></item></channel></rss>"
        ).encode(),
        "/empty": b'<?xml version="1.0"?><html><body>nothing here</body></html>',
        "/garbage": b"<rss><channel><item><title>unclosed",
        "/html": b"<html/>",
    }

    def app(req: Request) -> Reply:
        return Reply(
            200,
            bodies[req.path],
            content_type="text/html" if req.path == "/html" else "application/xml",
        )

    with http_server(app) as srv:
        for path in ("/laughs", "/xxe"):
            with pytest.raises(SourceError, match="unsafe XML") as info:
                source_for(srv.url + path).poll(None)
            assert "NEVER-READ" not in str(info.value) and "aaaaaaaaaaaa" not in str(info.value)
        with pytest.raises(SourceError, match="not a readable RSS/Atom feed"):
            source_for(srv.url + "/empty").poll(None)
        with pytest.raises(SourceError, match="text/html"):
            source_for(srv.url + "/html").poll(None)
        # Malformed but harmless: feedparser's lenient parser gets its chance.
        result = source_for(srv.url + "/garbage").poll(None)
        assert [i.name for i in result.items] in ([], ["unclosed"])


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        RssConfig(name="x", url="file:///etc/passwd")
