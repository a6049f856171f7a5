"""Which URLs a notice may name (leaktrace.notices.locations)."""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.provisional import urls

from leaktrace.notices.locations import (
    DOWNLOADER_DETAIL,
    MAX_URL,
    ParsedLocation,
    downloader_refusal,
    parse_location,
    withheld_url,
)
from leaktrace.notices.model import Refusal, RefusalReason


def _parsed(url: str) -> ParsedLocation:
    found = parse_location(url)
    assert isinstance(found, ParsedLocation), found
    return found


def _refused(url: str) -> Refusal:
    found = parse_location(url)
    assert isinstance(found, Refusal), found
    assert found.url == url
    return found


@pytest.mark.parametrize(
    ("url", "normal", "host"),
    [
        (
            "HTTPS://WWW.Example.COM/Path/File.MKV",
            "https://www.example.com/Path/File.MKV",
            "www.example.com",
        ),
        ("http://example.com:80/a", "http://example.com/a", "example.com"),
        ("https://example.com:443/a", "https://example.com/a", "example.com"),
        ("https://example.com:8443/a", "https://example.com:8443/a", "example.com"),
        ("http://example.com/a#part", "http://example.com/a", "example.com"),
        (
            "http://example.com/a%20B?x=1&Y=%2F#f",
            "http://example.com/a%20B?x=1&Y=%2F",
            "example.com",
        ),
        ("http://example.com", "http://example.com", "example.com"),
        ("http://example.com/?", "http://example.com/?", "example.com"),
        ("http://example.com./x", "http://example.com/x", "example.com"),
        ("http://Bücher.example/f", "http://xn--bcher-kva.example/f", "xn--bcher-kva.example"),
        ("http://files.host.test/dl/1", "http://files.host.test/dl/1", "files.host.test"),
        (
            "http://xn--strae-oqa.example/x",
            "http://xn--strae-oqa.example/x",
            "xn--strae-oqa.example",
        ),
    ],
)
def test_normalised(url: str, normal: str, host: str) -> None:
    found = _parsed(url)
    assert (found.url, found.host, found.ip) == (normal, host, None)


def test_ip_literals_give_their_address() -> None:
    v4 = _parsed("http://8.8.8.8:8080/x")
    assert (v4.url, v4.host, v4.ip) == ("http://8.8.8.8:8080/x", "8.8.8.8", IPv4Address("8.8.8.8"))
    v6 = _parsed("https://[2606:4700:0:0::1]:443/x")
    assert (v6.url, v6.host, v6.ip) == (
        "https://[2606:4700::1]/x",
        "2606:4700::1",
        IPv6Address("2606:4700::1"),
    )
    # an IPv4-mapped host is that IPv4 address: the URL names it as the host does
    mapped = _parsed("http://[::ffff:8.8.4.4]:8080/x")
    assert (mapped.url, mapped.host, mapped.ip) == (
        "http://8.8.4.4:8080/x",
        "8.8.4.4",
        IPv4Address("8.8.4.4"),
    )
    assert _parsed("http://[::FFFF:0808:0404]/x").url == "http://8.8.4.4/x"
    assert parse_location(mapped.url) == mapped


@pytest.mark.parametrize(
    "url",
    [
        "http://[2002:951:31cf::1]/x",  # 6to4 of 9.81.49.207
        "http://[64:ff9b::951:31cf]/x",  # NAT64 (well-known prefix) of 9.81.49.207
        "http://[64:ff9b::9.81.49.207]/x",
        "http://[64:ff9b:1::951:31cf]/x",  # NAT64 (local-use prefix)
        "http://[2001:0:4136:e378:8000:63bf:f6ae:ce30]/x",  # Teredo
    ],
)
def test_transition_addresses_of_a_public_ipv4_are_refused(url: str) -> None:
    """Another spelling of an IPv4 address (through a gateway) is never a location: the
    server checks (hosts list, swarm) know addresses in one spelling only."""
    refusal = _refused(url)
    assert refusal.reason is RefusalReason.private
    assert "transition address" in refusal.detail and "9.81.49.207" not in refusal.detail


@pytest.mark.parametrize(
    "url",
    [
        "http://192.0.2.10/leak.mkv",
        "http://198.51.100.7/x",
        "http://203.0.113.250/x",
        "http://[2001:db8::5]/x",
        "https://cdn.example/x",
        "https://stream.test/x",
    ],
)
def test_documentation_ranges_and_names_are_accepted(url: str) -> None:
    assert _parsed(url).url == url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://10.1.2.3/x", "private"),
        ("http://172.16.0.1/x", "private"),
        ("http://192.168.1.1/x", "private"),
        ("http://127.0.0.1:8000/x", "loopback"),
        ("http://169.254.1.1/x", "link-local"),
        ("http://224.0.0.251/x", "multicast"),
        ("http://240.0.0.1/x", "reserved"),
        ("http://255.255.255.255/x", "reserved"),
        ("http://0.0.0.0/x", "unspecified"),
        ("http://100.64.0.1/x", "carrier-grade NAT"),
        ("http://100.127.255.254/x", "carrier-grade NAT"),
        ("http://[::1]/x", "loopback"),
        ("http://[::]/x", "unspecified"),
        ("http://[fe80::1]/x", "link-local"),
        ("http://[fd00::1]/x", "private"),
        ("http://[ff02::1]/x", "multicast"),
        ("http://[::ffff:192.168.0.1]/x", "embedding"),
        ("http://[2002:c0a8:0101::1]/x", "embedding"),
        ("http://[64:ff9b::a00:1]/x", "embedding"),
        ("http://localhost/x", "private network"),
        ("http://LOCALHOST:8080/x", "private network"),
        ("http://a.localhost/x", "private network"),
        ("http://nas.local/x", "private network"),
        ("http://db.corp.internal/x", "private network"),
        ("http://x.invalid/x", "private network"),
        ("http://router.home.arpa/x", "private network"),
    ],
)
def test_private_and_reserved_hosts_are_refused(url: str, words: str) -> None:
    refusal = _refused(url)
    assert refusal.reason is RefusalReason.private
    assert words in refusal.detail


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "empty"),
        ("example.com/x", "absolute"),
        ("/relative/path", "absolute"),
        ("ftp://example.com/x", "scheme 'ftp'"),
        ("javascript:alert(1)", "scheme 'javascript'"),
        ("http:example.com", "absolute"),
        ("http:///x", "no host"),
        ("http://:80/x", "no host"),
        ("http://exa mple.com/", "space"),
        ("http://example.com/a b", "space"),
        ("http://example.com/\x00", "control"),
        ("http://example.com/\u202ex", "control"),
        ("http://example.com/x\n", "control"),
        ("http://user:pw@example.com/", "user name"),
        ("http://example.com@evil.example/", "user name"),
        ("http://evil.example\\@good.example/", "user name"),
        ("http://example.com:99999/", "port"),
        ("http://example.com:8o/", "port"),
        ("http://example.com:0/", "port 0"),
        ("http://[2001:db8::1/", "closing"),
        ("http://[not-v6]/", "IPv6"),
        ("http://[2001:db8::1]x/", "after the IPv6"),
        ("http://[fe80::1%25eth0]/", "character"),
        ("http://%6c%6fcalhost/", "character"),
        ("http://2130706433/", "domain"),
        ("http://127.1/", "domain"),
        ("http://0x7f.0.0.1/", "domain"),
        ("http://010.0.0.1/", "domain"),
        ("http://under_score.example/", "domain"),
        ("http://-bad.example/", "domain"),
        ("http://a..b.example/", "domain"),
        ("http://" + "a" * 64 + ".example/", "domain"),
        ("http://straße.example/", "xn--"),
        ("http://STRAẞE.example/", "xn--"),
        ("http://\u03c3\u03bf\u03c6\u03bf\u03c2.example/", "xn--"),
        ("http://example.com/" + "a" * MAX_URL, "longer"),
    ],
)
def test_unparsable_urls_are_refused(url: str, words: str) -> None:
    refusal = _refused(url)
    assert refusal.reason is RefusalReason.unparsable
    assert words in refusal.detail


def test_longest_accepted_url() -> None:
    head = "http://example.com/"
    longest = head + "a" * (MAX_URL - len(head))
    assert _parsed(longest).url == longest
    assert not isinstance(parse_location(longest + "a"), ParsedLocation)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://81.2.69.160:6881/file", "http://[address withheld]/file"),
        ("https://[2606:4700::6810:84e5]/a/b?c=1", "https://[address withheld]/a/b?c=1"),
        ("http://81.2.69.160?x=1", "http://[address withheld]?x=1"),
        ("http://81.2.69.160", "http://[address withheld]"),
    ],
)
def test_downloader_refusal_never_names_the_address(url: str, shown: str) -> None:
    location = _parsed(url)
    refusal = downloader_refusal(location)
    assert refusal.reason is RefusalReason.downloader
    assert refusal.url == shown == withheld_url(location)
    assert location.host not in refusal.url and location.host not in refusal.detail
    assert refusal.detail == DOWNLOADER_DETAIL and "downloader" in refusal.detail


@settings(max_examples=300, deadline=None)
@given(st.ip_addresses(), st.text(max_size=30))
def test_the_withheld_url_never_holds_the_address(
    address: IPv4Address | IPv6Address, path: str
) -> None:
    host = f"[{address}]" if isinstance(address, IPv6Address) else str(address)
    found = parse_location(f"http://{host}/{path}")
    if isinstance(found, ParsedLocation) and found.ip is not None:
        shown = downloader_refusal(found).url
        assert shown.startswith("http://[address withheld]")
        prefix = "http://" + (f"[{found.host}]" if ":" in found.host else found.host)
        assert found.url.startswith(prefix)  # the path and query kept, the host withheld
        assert shown == "http://[address withheld]" + found.url[len(prefix) :]


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused(text: str) -> None:
    for candidate in (text, "http://" + text, "https://example.com/" + text):
        found = parse_location(candidate)
        assert isinstance(found, ParsedLocation | Refusal)
        if isinstance(found, Refusal):
            assert found.url == candidate and found.detail


@settings(max_examples=300, deadline=None)
@given(urls())
def test_valid_urls_normalise_idempotently(url: str) -> None:
    found = parse_location(url)
    if isinstance(found, ParsedLocation):
        again = parse_location(found.url)
        assert again == found
        assert found.url.startswith(("http://", "https://"))
        assert "#" not in found.url


@settings(max_examples=300, deadline=None)
@given(st.ip_addresses())
def test_any_address_literal(address: IPv4Address | IPv6Address) -> None:
    host = f"[{address}]" if isinstance(address, IPv6Address) else str(address)
    found = parse_location(f"http://{host}/x")
    if isinstance(found, ParsedLocation):
        assert found.ip is not None and (found.ip.is_global or found.ip.is_private)
    else:
        assert found.reason in (RefusalReason.private, RefusalReason.unparsable)
