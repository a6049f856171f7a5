"""Outside text on pages is escaped: release names, NFO text, sighting sites and URLs,
query strings echoed back into forms. SQL-injection strings in filters never give 500."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from leaktrace.feeds.item import FeedItem
from leaktrace.pipeline.ingest import ingest_stream
from tests.web.conftest import LiveServer
from tests.web.pages.conftest import signed_in

EVIL = "Evil<script>alert(1)</script>.2020.1080p.BluRay.x264-GRP"
NFO = "<script>alert('nfo')</script><img src=x onerror=alert(2)> GRP presents"
AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def evil(live_server: LiveServer) -> httpx.Client:
    items = [
        FeedItem(EVIL, AT, origin="predb"),
        FeedItem(
            EVIL,
            AT,
            origin="torrent",
            site="<b>tracker</b>",
            url="javascript:alert(3)",
            infohash="a" * 40,
        ),
        FeedItem(EVIL, AT, origin="nfo", group="GRP", nfo_text=NFO),
    ]
    context = live_server.context
    with context.database.transaction() as conn:
        ingest_stream(conn, items, context.settings)
    return signed_in(live_server)


def _no_raw_script(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>tracker</b>" not in html
    assert 'href="javascript:' not in html


def test_release_name_is_text_in_the_listing_and_on_its_page(evil: httpx.Client) -> None:
    listing = evil.get("/releases", params={"search": "Evil"})
    assert listing.status_code == 200
    assert "Evil&lt;script&gt;alert(1)&lt;/script&gt;.2020.1080p.BluRay.x264-GRP" in listing.text
    _no_raw_script(listing.text)
    link = re.search(r'href="(/releases/\d+)"', listing.text)
    assert link is not None
    page = evil.get(link.group(1))
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "&lt;b&gt;tracker&lt;/b&gt;" in page.text
    _no_raw_script(page.text)
    assert "<h2>NFO</h2>" in page.text
    assert "&lt;script&gt;alert(&#39;nfo&#39;)&lt;/script&gt;&lt;img src=x" in page.text


def test_group_pages_escape_what_they_show(evil: httpx.Client) -> None:
    for path in ("/groups", "/groups/GRP", "/leaks", "/"):
        answer = evil.get(path)
        assert answer.status_code == 200, path
        _no_raw_script(answer.text)


def test_query_strings_echoed_into_forms_are_escaped(evil: httpx.Client) -> None:
    attack = '"><script>alert(4)</script>'
    for path in ("/leaks", "/releases", "/works", "/groups"):
        key = "group" if path == "/leaks" else "search"
        answer = evil.get(path, params={key: attack})
        assert answer.status_code == 200, path
        assert "<script>alert(4)" not in answer.text
        assert "&#34;&gt;&lt;script&gt;alert(4)&lt;/script&gt;" in answer.text


INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE releases; --",
    "x' UNION SELECT password_hash FROM users --",
    "%' OR 1=1 --",
    "\\",
    "1e999",
    "-1",
    "ÿ" * 300,
]
FILTERS = {
    "/leaks": [
        "severity",
        "window",
        "work",
        "group",
        "since",
        "until",
        "verdict",
        "sort",
        "limit",
        "cursor",
    ],
    "/releases": ["search", "status", "group", "work", "since", "until", "limit", "cursor"],
    "/works": ["search", "kind", "limit", "cursor"],
    "/groups": ["search", "sort", "min_releases", "limit", "cursor"],
    "/hosts": ["country", "role", "limit", "cursor"],
    "/targets": ["country"],
    "/supply": ["limit", "min_leaks"],
    "/": ["days"],
}


def test_sql_injection_in_every_filter_is_never_a_server_error(evil: httpx.Client) -> None:
    for path, names in FILTERS.items():
        for name in names:
            for value in INJECTIONS:
                answer = evil.get(path, params={name: value})
                assert answer.status_code in (200, 404, 422), (path, name, value, answer.text)
                assert "Traceback" not in answer.text
    still = evil.get("/releases", params={"search": "Evil"})
    assert "BluRay.x264-GRP" in still.text  # nothing was dropped


def test_bad_values_get_a_friendly_html_page(evil: httpx.Client) -> None:
    answer = evil.get("/leaks", params={"severity": "extreme"})
    assert answer.status_code == 422
    assert "text/html" in answer.headers["content-type"]
    assert "severity" in answer.text and "must be one of" in answer.text
    missing = evil.get("/releases/999999")
    assert missing.status_code == 404
    assert "text/html" in missing.headers["content-type"]
    assert evil.get("/releases/not-a-number").status_code == 422


def test_unknown_page_and_oversized_form_field_are_html_errors(evil: httpx.Client) -> None:
    unknown = evil.get("/no-such-page")
    assert unknown.status_code == 404
    assert "text/html" in unknown.headers["content-type"]
    assert "Not found" in unknown.text
    page = evil.get("/leaks").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    huge = evil.post(
        "/leaks/1/triage",
        data={"verdict": "confirmed", "note": "x" * 5000, "csrf_token": token.group(1)},
    )
    assert huge.status_code == 422
    assert "text/html" in huge.headers["content-type"]
    assert "Traceback" not in huge.text
