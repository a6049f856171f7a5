"""Which locations a notice may name: an exact ``http(s)`` URL of a content host, never a
downloader, never a private or reserved address.

:func:`parse_location` normalises a URL (scheme and host lower case, an IDN host in
punycode, the default port dropped, the fragment dropped, path and query kept exactly as
given) or refuses it with the reason (:class:`~leaktrace.notices.model.Refusal`).

Refused as :attr:`RefusalReason.private`: an IP-literal host (IPv4, or IPv6 in brackets,
also an IPv4 address mapped into or embedded in IPv6) that is private-use, loopback,
link-local, multicast, reserved, unspecified or in the shared address space of carrier-grade
NAT (100.64.0.0/10); an IPv6 transition address (6to4 ``2002::/16``, NAT64
``64:ff9b::/96`` and ``64:ff9b:1::/48``, Teredo ``2001::/32``) whatever IPv4 address it
embeds (it names a gateway, and would let an address be checked under another spelling);
and the special-use names ``localhost``, ``*.localhost``, ``*.local``, ``*.internal``,
``*.invalid`` and ``*.home.arpa``. An IPv4-mapped host (``[::ffff:a.b.c.d]``) is that IPv4
address: the URL is written with ``a.b.c.d``.

An internationalised host is written in punycode with Python's IDNA codec (IDNA 2003, as
``leaktrace.infra`` stores hosts); a host with one of the four characters on which IDNA
2003 and IDNA 2008 disagree (ß, ς, ZWNJ, ZWJ) is refused rather than turned into what
may be another domain: the user gives its ``xn--`` form.

ACCEPTED on purpose: the documentation ranges 192.0.2.0/24, 198.51.100.0/24,
203.0.113.0/24 and 2001:db8::/32, and the ``.example`` / ``.test`` names. They never
reach a real network, and LeakTrace's demo and tests run their servers under them.

An IP-literal location is named only when LeakTrace knows its address as a server (the
caller, which knows the hosts list and the swarm observations, decides): any other may be
a downloader's, and is refused with :func:`downloader_refusal` — one and the same refusal
for an address seen as an ordinary peer and for one never seen, so that a refusal tells
nothing about the swarm observations, and with the address withheld from the URL shown
(:func:`withheld_url`).

Domain names are checked and written in punycode by
:func:`leaktrace.formats.hostnames.ascii_domain`, the rules ``leaktrace.infra`` stores hosts
by (this package may not import :mod:`leaktrace.infra`, which builds on the store, which
builds on this package); the refusal of the IDNA deviation characters is the notices' own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network

from leaktrace.formats.hostnames import DomainError, ascii_domain
from leaktrace.notices.model import Refusal, RefusalReason

__all__ = [
    "DOWNLOADER_DETAIL",
    "IDNA_DEVIATIONS",
    "MAX_URL",
    "WITHHELD",
    "ParsedLocation",
    "downloader_refusal",
    "parse_location",
    "withheld_url",
]

MAX_URL = 2048
"""The longest URL a notice names (the length of ``notice_locations.url``)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_PRIVATE_SUFFIXES = ("localhost", "local", "internal", "invalid", "home.arpa")

_DOCUMENTATION: tuple[IPv4Network | IPv6Network, ...] = (
    IPv4Network("192.0.2.0/24"),
    IPv4Network("198.51.100.0/24"),
    IPv4Network("203.0.113.0/24"),
    IPv6Network("2001:db8::/32"),
)
_SHARED = IPv4Network("100.64.0.0/10")
IDNA_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")
"""ß, ς, ZWNJ, ZWJ: IDNA 2003 (Python's codec, ``leaktrace.infra``) maps them away,
IDNA 2008 (browsers) keeps them — two different domains."""
_DEVIATION_DETAIL = (
    "the host has a character (ß, ς, zero-width joiner) that names two different domains "
    "under IDNA 2003 and IDNA 2008: give the host in its xn-- form"
)
_NAT64 = (IPv6Network("64:ff9b::/96"), IPv6Network("64:ff9b:1::/48"))
_TRANSITION = (
    "an IPv6 transition address (6to4, NAT64 or Teredo) embedding an IPv4 address: it "
    "names a gateway, not the server; give the IPv4 address itself"
)


@dataclass(frozen=True, slots=True)
class ParsedLocation:
    """A location a notice may name: the normalised ``url``, its ``host`` (a punycode
    domain, or an address in canonical form without brackets) and ``ip`` when the host
    is an address literal (what the caller checks against the swarm observations)."""

    url: str
    host: str
    ip: IPv4Address | IPv6Address | None


def _unparsable(url: str, detail: str) -> Refusal:
    return Refusal(url, RefusalReason.unparsable, detail)


def _bad_character(url: str) -> bool:
    if url.isprintable() and " " not in url:  # the usual case, without a slow walk
        return False
    for char in url:
        if char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            return True
    return False


def _address_problem(address: IPv4Address | IPv6Address) -> str | None:
    """Why an address literal may not be noticed, or None."""
    if any(address in net for net in _DOCUMENTATION if net.version == address.version):
        return None
    if isinstance(address, IPv6Address):
        if address.ipv4_mapped is not None:  # the same address (parse_location unmaps it)
            problem = _address_problem(address.ipv4_mapped)
            return (
                f"an IPv6 address embedding an IPv4 address that is {problem}" if problem else None
            )
        embedded = address.sixtofour
        if embedded is None and any(address in net for net in _NAT64):
            embedded = IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            problem = _address_problem(embedded)
            if problem:
                return f"an IPv6 address embedding an IPv4 address that is {problem}"
            return _TRANSITION
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if isinstance(address, IPv4Address) and address in _SHARED:
        return "in the shared address space of carrier-grade NAT (100.64.0.0/10)"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private or not address.is_global:
        return "a private or special-purpose address"
    return None


_PRIVATE_ENDINGS = tuple("." + suffix for suffix in _PRIVATE_SUFFIXES)


def _private_name(name: str) -> bool:
    return name in _PRIVATE_SUFFIXES or name.endswith(_PRIVATE_ENDINGS)


def parse_location(url: str) -> ParsedLocation | Refusal:
    """The normalised location of ``url``, or why it may not be named in a notice."""
    if not url:
        return _unparsable(url, "the URL is empty")
    if len(url) > MAX_URL:
        return _unparsable(url, f"the URL is longer than {MAX_URL} characters")
    if _bad_character(url):
        return _unparsable(url, "the URL contains a space or a control character")
    scheme_match = _SCHEME.match(url)
    if scheme_match is None:
        return _unparsable(url, "not an absolute URL (no scheme such as https://)")
    scheme = scheme_match.group(1).lower()
    if scheme not in _DEFAULT_PORTS:
        return _unparsable(url, f"the scheme {scheme!r} is not http or https")
    rest = url[scheme_match.end() :]
    if not rest.startswith("//"):
        return _unparsable(url, "not an absolute URL (no '//' and host after the scheme)")
    rest = rest[2:]
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1:
            end = min(end, found)
    authority, tail = rest[:end], rest[end:]
    tail = tail.split("#", 1)[0]
    if "@" in authority:
        return _unparsable(url, "the URL carries a user name or password")
    if "\\" in authority or "%" in authority:
        return _unparsable(url, "the host contains a character no host name has")
    host_text, port_text = authority, ""
    if authority.startswith("["):
        close = authority.find("]")
        if close == -1:
            return _unparsable(url, "an IPv6 host without its closing ']'")
        host_text, after = authority[1:close], authority[close + 1 :]
        if after and not after.startswith(":"):
            return _unparsable(url, "unexpected characters after the IPv6 host")
        port_text = after[1:] if after else ""
        if after == ":":
            port_text = ""
    elif ":" in authority:
        host_text, port_text = authority.split(":", 1)
    port: int | None = None
    if port_text:
        if not port_text.isascii() or not port_text.isdigit() or int(port_text) > 65535:
            return _unparsable(url, f"the port {port_text!r} is not a number up to 65535")
        port = int(port_text)
        if port == 0:
            return _unparsable(url, "port 0 is not a port a server listens on")
    if not host_text:
        return _unparsable(url, "the URL has no host")

    address: IPv4Address | IPv6Address | None = None
    if authority.startswith("["):
        try:
            address = IPv6Address(host_text)
        except ValueError:
            return _unparsable(url, "the host in brackets is not an IPv6 address")
        host = address.compressed
        url_host = f"[{host}]"
        check: IPv4Address | IPv6Address = address
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is a.b.c.d: URL and host agree
            address = address.ipv4_mapped
            host = url_host = address.compressed
    else:
        name = host_text.lower().rstrip(".")
        try:
            address = IPv4Address(name)
        except ValueError:
            address = None
        if address is not None:
            host = url_host = address.compressed
            check = address
        else:
            if _private_name(name):
                return Refusal(
                    url, RefusalReason.private, f"{name!r} names a machine of a private network"
                )
            if not IDNA_DEVIATIONS.isdisjoint(name):
                return _unparsable(url, _DEVIATION_DETAIL)
            try:
                name = ascii_domain(name)
            except DomainError as exc:
                if exc.no_dot:
                    return _unparsable(
                        url, "the host is neither an IP address nor a domain with a dot"
                    )
                return _unparsable(url, "the host is not a valid domain name")
            if _private_name(name):
                return Refusal(
                    url, RefusalReason.private, f"{name!r} names a machine of a private network"
                )
            host = url_host = name
    if address is not None:
        problem = _address_problem(check)
        if problem is not None:
            return Refusal(url, RefusalReason.private, f"the host is {problem}")
    netloc = url_host if port is None or port == _DEFAULT_PORTS[scheme] else f"{url_host}:{port}"
    return ParsedLocation(url=f"{scheme}://{netloc}{tail}", host=host, ip=address)


WITHHELD = "[address withheld]"
"""What stands for the host of a refused IP-literal location."""

DOWNLOADER_DETAIL = (
    "its host is an IP address LeakTrace does not know as a server (neither in the hosts "
    "list nor seen as a swarm's infrastructure, which needs the swarm key): notices name "
    "servers, never possible downloaders. If it is a server, add it to the hosts list "
    "(leaktrace hosts import)"
)
"""The one detail of every such refusal, whatever LeakTrace knows of the address."""


def withheld_url(location: ParsedLocation) -> str:
    """``location``'s URL with its host and port replaced by :data:`WITHHELD`
    (``http://[address withheld]/file``): what may be shown of a refused address."""
    scheme, rest = location.url.split("://", 1)
    end = len(rest)
    for stop in "/?":
        found = rest.find(stop)
        if found != -1:
            end = min(end, found)
    return f"{scheme}://{WITHHELD}{rest[end:]}"


def downloader_refusal(location: ParsedLocation) -> Refusal:
    """The refusal of an IP-literal location not known as a server: the same reason and
    words for every address (a peer's or one never seen), the address withheld."""
    return Refusal(withheld_url(location), RefusalReason.downloader, DOWNLOADER_DETAIL)
