"""Torznab/Newznab XML: the real corpus feeds and caps, own fixtures, unsafe XML, fuzzing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.errors import LeakTraceError
from leaktrace.formats.torznab_xml import (
    Caps,
    TorznabApiError,
    TorznabFeed,
    item_key,
    normalise_imdb,
    parse_caps,
    parse_torznab,
)
from leaktrace.sources.base import SourceError

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "torznab"
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def corpus(name: str) -> bytes:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"corpus file {name} not available")
    return path.read_bytes()


def feed(*items: str, ns: str = "torznab", extra: str = "") -> bytes:
    uri = (
        "http://torznab.com/schemas/2015/feed"
        if ns == "torznab"
        else "http://www.newznab.com/DTD/2010/feeds/attributes/"
    )
    body = "".join(f"<item>{item}</item>" for item in items)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:{ns}="{uri}">'
        f"<channel><title>Test</title>{extra}{body}</channel></rss>"
    ).encode()


GOOD = (
    "<title>Some.Movie.2024.1080p.BluRay.x264-GRP</title><guid>g-1</guid>"
    "<pubDate>Tue, 20 Dec 2022 21:32:17 +0000</pubDate>"
)


# --- the real corpus ---------------------------------------------------------------------


def test_hdaccess_corpus() -> None:
    parsed = parse_torznab(corpus("prowlarr_torznab_hdaccess_net.xml"), site="HDAccess")
    assert len(parsed.items) == 5 and not parsed.quarantined
    first = parsed.items[0]
    assert first.name == "Better Call Saul S01E05 Alpine Shepherd 1080p NF WEBRip DD5.1 x264"
    assert first.time == datetime(2015, 3, 14, 21, 10, 42, tzinfo=UTC)
    assert first.infohash == "63e07ff523710ca268567dad344ce1e0e6b7e8a3"
    assert first.imdb_id == "tt3032476" and first.tvdb_id == 273181
    assert first.seeders == 7 and first.leechers == 0 and first.extra["peers"] == 7
    assert first.size_bytes == 2538463390 and first.category == "5040"
    assert first.extra["categories"] == [5000, 5040, 100009, 100036]
    assert first.attrs["category"] == "5000,5040,100009,100036"
    assert first.attrs["rageid"] == "37780" and first.attrs["minimumseedtime"] == "172800"
    assert len(first.attrs) == 12  # every distinct attr name is kept
    assert first.site == "HDAccess" and first.origin == "torznab"
    assert first.url is not None and "passkey=***" in first.url and "123456" not in first.url
    assert "123456" not in str(first.extra["enclosure"])
    assert parsed.items[3].imdb_id == "tt0118548"  # zero-padded 7 digits kept
    assert parsed.items[2].leechers == 1  # peers 58 - seeders 57


def test_tpb_corpus_magnets() -> None:
    parsed = parse_torznab(corpus("prowlarr_torznab_tpb.xml"))
    assert len(parsed.items) == 5 and not parsed.quarantined
    item = parsed.items[0]
    assert item.infohash == "9fb267cff5ae5603f07a347676ec3bf3e35f75e1"
    assert item.seeders == 34128 and item.leechers == 36724 - 34128
    assert item.url is not None and item.url.startswith("magnet:?")
    assert item.time == datetime(2015, 4, 12, 3, 34, tzinfo=UTC)  # -0600 to UTC
    assert item.attrs["magneturl"].startswith("magnet:?xt=urn:btih:9fb267")


def test_morethantv_corpus_bom_elements_and_removed_hash() -> None:
    data = corpus("prowlarr_torznab_morethantv.xml")
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = parse_torznab(data)
    assert len(parsed.items) == 2
    item = parsed.items[0]
    assert item.size_bytes == 5412993028  # <size>, not the enclosure's .torrent length
    assert item.grabs == 2 and item.extra["files"] == 1
    assert item.imdb_id == "tt0039689" and item.category == "2040"
    assert item.infohash is None and item.attrs["infohash"] == "(removed)"
    assert item.seeders == 3 and item.leechers == 0
    assert item.url is not None and "torrent_pass=***" in item.url


def test_nzbsu_newznab_corpus() -> None:
    parsed = parse_torznab(corpus("prowlarr_newznab_nzb_su.xml"), site="nzb.su")
    assert len(parsed.items) == 100 and not parsed.quarantined
    assert parsed.offset == 0 and parsed.total == 10000 and parsed.item_count == 100
    item = parsed.items[0]
    assert item.name == "White.Collar.S03E05.720p.HDTV.X264-DIMENSION"
    assert item.size_bytes == 1183105773 and item.category == "5040"
    assert item.attrs["guid"] == "24967ef4c2e26296c65d3bbfa97aa8fe"
    assert item.url is not None and item.url.endswith("&r=***")
    assert item_key(item) == "http://nzb.su/details/24967ef4c2e26296c65d3bbfa97aa8fe"
    assert len({item_key(i) for i in parsed.items}) == 100


def test_caps_corpus() -> None:
    caps = parse_caps(corpus("prowlarr_newznab_caps.xml"))
    assert isinstance(caps, Caps)
    assert caps.limit_max == 60 and caps.limit_default == 25
    assert caps.supports("tvsearch") and caps.supports("movie") and caps.supports("search", "q")
    tv = caps.categories[0]
    assert tv.id == 5000 and tv.name == "TV" and len(tv.subcats) == 9
    assert {5070, 5040, 7010, 8020} <= caps.category_ids()
    tosho = parse_caps(corpus("prowlarr_torznab_animetosho_caps.xml"))
    assert tosho.server["title"] == "Anime Tosho" and tosho.retention_days == 9999
    assert tosho.limit_max == 200 and tosho.supports("search", "q")
    assert not tosho.supports("tvsearch") and not tosho.supports("search", "imdbid")
    assert tosho.categories[1].description == "Movies (Anime)"


# --- own fixtures ------------------------------------------------------------------------


def test_own_caps_with_supported_params() -> None:
    caps = parse_caps(b"""<caps><server title="Mine"/><limits max="100" default="50"/>
      <searching><search available="yes" supportedParams="q"/>
      <movie-search available="yes" supportedParams="q,imdbid"/>
      <tv-search available="no" supportedParams="q,season,ep"/></searching>
      <categories><category id="2000" name="Movies"><subcat id="2040" name="HD"/></category>
      <category id="bogus" name="skipped"/></categories></caps>""")
    assert caps.supports("movie", "imdbid") and not caps.supports("tvsearch", "season")
    assert caps.category_ids() == {2000, 2040}
    with pytest.raises(SourceError, match="not a caps document"):
        parse_caps(feed(GOOD))


def test_attrs_mapping_and_newznab_namespace() -> None:
    item_xml = (
        GOOD + '<enclosure url="https://t.test/dl/1?apikey=SECRETKEY" length="2000" '
        'type="application/x-bittorrent"/>'
        '<newznab:attr name="magneturl" value="magnet:?xt=urn:btih:'
        "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U&amp;xt=urn:btmh:1220" + "ab" * 32 + '"/>'
        '<newznab:attr name="imdbid" value="tt123456"/><newznab:attr name="tmdbid" value="77"/>'
        '<newznab:attr name="tvdbid" value="0"/><newznab:attr name="grabs" value="12"/>'
        '<newznab:attr name="leechers" value="4"/><newznab:attr name="seeders" value="9"/>'
        '<newznab:attr name="peers" value="99"/><newznab:attr name="files" value="3"/>'
        '<newznab:attr name="downloadvolumefactor" value="0"/>'
    )
    parsed = parse_torznab(feed(item_xml, ns="newznab"), site="Mine", secrets=["SECRETKEY"])
    item = parsed.items[0]
    assert item.infohash == "6162636465666768696a6b6c6d6e6f7071727374"  # base32 -> hex
    assert item.infohash_v2 == "ab" * 32
    assert item.imdb_id == "tt0123456" and item.tmdb_id == 77 and item.tvdb_id is None
    assert item.grabs == 12 and item.leechers == 4 and item.seeders == 9
    assert item.extra["files"] == 3 and item.size_bytes == 2000  # enclosure as last resort
    assert item.attrs["downloadvolumefactor"] == "0"
    assert item.url is None  # no link and the guid is not a URL
    assert "SECRETKEY" not in repr(item)


def test_normalise_imdb() -> None:
    assert normalise_imdb("118548") == "tt0118548"
    assert normalise_imdb("tt0118548") == "tt0118548"
    assert normalise_imdb("TT12345678") == "tt12345678"
    for bad in ("", "0", "tt", "abc", None, "12-34"):
        assert normalise_imdb(bad) is None


def test_bad_items_quarantined_rest_continue() -> None:
    parsed = parse_torznab(
        feed(
            "<guid>no-title</guid><pubDate>Tue, 20 Dec 2022 21:32:17 +0000</pubDate>",
            "<title>Bad.Date-GRP</title><pubDate>the day after tomorrow</pubDate>",
            "<title>Too.Old-GRP</title><pubDate>Tue, 20 Dec 1970 21:32:17 +0000</pubDate>",
            GOOD,
            "<title>No.Date-GRP</title>",
            "<title>Iso.Date-GRP</title><pubDate>2024-05-01T10:00:00+02:00</pubDate>",
        ),
        fetched_at=datetime(2024, 6, 1, tzinfo=UTC),
    )
    assert [q.reason.split(":")[0] for q in parsed.quarantined] == [
        "item has no title",
        "unreadable pubDate",
        "unreadable pubDate",
    ]
    assert parsed.quarantined[0].sample is not None and "no-title" in parsed.quarantined[0].sample
    assert parsed.quarantined[1].location == "feed item 2"
    names = [i.name for i in parsed.items]
    assert names == ["Some.Movie.2024.1080p.BluRay.x264-GRP", "No.Date-GRP", "Iso.Date-GRP"]
    assert parsed.items[1].extra["time_from"] == "fetch"
    assert parsed.items[1].time == datetime(2024, 6, 1, tzinfo=UTC)
    assert parsed.items[2].time == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert parsed.item_count == 6


@pytest.mark.parametrize(
    "code,transient",
    [("100", False), ("101", False), ("102", False), ("201", False), ("500", True), ("900", True)],
)
def test_error_reply(code: str, transient: bool) -> None:
    data = f'<?xml version="1.0"?><error code="{code}" description="Bad thing"/>'.encode()
    with pytest.raises(TorznabApiError) as info:
        parse_torznab(data)
    assert info.value.code == int(code) and info.value.transient is transient
    assert "Bad thing" in str(info.value)
    with pytest.raises(TorznabApiError):
        parse_caps(data)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss><channel><item><title>&lol4;</title></item></channel></rss>"""


def external_entity(target: Path) -> bytes:
    return (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file://{target}">]>'
        f"<rss><channel><item><title>&xxe;</title><guid>x</guid></item></channel></rss>"
    ).encode()


def test_unsafe_xml_refused_never_expanded(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("TOP-SECRET-CONTENT")
    plain_dtd = b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/x.dtd"><rss/>'
    for data in (BILLION_LAUGHS, external_entity(secret_file), plain_dtd):
        with pytest.raises(SourceError, match="unsafe XML") as info:
            parse_torznab(data)
        assert not info.value.transient
        assert "lollol" not in str(info.value) and "TOP-SECRET" not in str(info.value)
        with pytest.raises(SourceError, match="unsafe XML"):
            parse_caps(data)


def test_invalid_utf8_quarantines_damaged_items_only() -> None:
    data = feed(
        "<title>Bad.\xff\xfe.Name-GRP</title><guid>b</guid>"
        "<pubDate>Tue, 20 Dec 2022 21:32:17 +0000</pubDate>",
        GOOD,
    )
    data = data.replace("\xff\xfe".encode(), b"\xff\xfe")
    assert b"\xff\xfe" in data
    parsed = parse_torznab(data)
    assert parsed.recovered_encoding
    assert [i.name for i in parsed.items] == ["Some.Movie.2024.1080p.BluRay.x264-GRP"]
    assert parsed.quarantined[0].reason == "title is not valid UTF-8"


def test_not_xml_and_not_rss() -> None:
    with pytest.raises(SourceError, match="not well-formed"):
        parse_torznab(b"<rss><channel><item>")
    with pytest.raises(SourceError, match="not an RSS"):
        parse_torznab(b"<html><body/></html>")
    with pytest.raises(SourceError, match="no <channel>"):
        parse_torznab(b"<rss/>")
    deep = b"<caps><categories>" + b'<category id="1">' * 20000 + b"</category>" * 20000
    with pytest.raises(SourceError, match="nested too deeply"):
        parse_caps(deep + b"</categories></caps>")


# --- fuzzing -----------------------------------------------------------------------------


def _check(data: bytes) -> None:
    try:
        result = parse_torznab(data, site="fuzz")
    except LeakTraceError:
        return
    assert isinstance(result, TorznabFeed)
    for item in result.items:
        assert item.name and item.time.tzinfo is not None


@FUZZ
@given(st.binary(max_size=2000))
def test_fuzz_arbitrary_bytes(data: bytes) -> None:
    _check(data)


_attr = st.tuples(
    st.sampled_from(
        [
            "infohash",
            "magneturl",
            "seeders",
            "peers",
            "leechers",
            "imdb",
            "imdbid",
            "size",
            "category",
            "tmdbid",
            "tvdbid",
            "grabs",
            "files",
            "x",
        ]
    ),
    st.text(max_size=60),
)
_item = st.tuples(
    st.text(max_size=40),
    st.text(max_size=40),
    st.lists(_attr, max_size=6),
    st.sampled_from(
        [
            "",
            "<size>12</size>",
            "<size>-5</size>",
            "<size>1e30</size>",
            "<category>2040</category>",
            '<enclosure url="magnet:?xt=x" length="-1"/>',
        ]
    ),
)


def _xml(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace('"', "&quot;")
        .encode("utf-8", "replace")
        .decode("utf-8")
    )


@FUZZ
@given(st.lists(_item, max_size=5))
def test_fuzz_structured_feeds(items: list[tuple[str, str, list[tuple[str, str]], str]]) -> None:
    parts = []
    for title, date, attrs, more in items:
        attr_xml = "".join(f'<torznab:attr name="{n}" value="{_xml(v)}"/>' for n, v in attrs)
        parts.append(f"<title>{_xml(title)}</title><pubDate>{_xml(date)}</pubDate>{more}{attr_xml}")
    _check(feed(*parts))
