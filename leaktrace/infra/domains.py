"""Host names and addresses: normalising them, reading them out of URLs, their registered
domain by the Public Suffix List. Pure functions, no SQL.

A host is an IP address (``kind="ip"``, in its compressed canonical form) or a domain name
(``kind="domain"``, lower case, IDNA/punycode, no trailing dot).
"""

from __future__ import annotations

import ipaddress
import re
from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

__all__ = ["host_of_url", "normalise_host", "registered_domain"]

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the Public Suffix List shipped with publicsuffixlist


def normalise_host(text: str) -> tuple[str, str]:
    """``(kind, value)`` for an IP address or a domain name; ``ValueError`` if neither.

    IPv6 may come in brackets; an IPv4-mapped IPv6 address becomes the IPv4 one.
    """
    raw = text.strip()
    if raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1]
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        pass
    else:
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return "ip", address.compressed
    name = raw.rstrip(".").lower()
    if not name:
        raise ValueError("empty host name")
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(f"{text!r} is not a valid domain name") from None
    labels = name.split(".")
    if len(name) > 253 or len(labels) < 2:
        raise ValueError(f"{text!r} is neither an IP address nor a domain name with a dot")
    if not all(_LABEL.match(label) for label in labels) or not _TLD.match(labels[-1]):
        raise ValueError(f"{text!r} is not a valid domain name")
    return "domain", name


def host_of_url(url: str) -> tuple[str, str] | None:
    """The host of an ``http(s)``/``udp``/``ws(s)`` URL, normalised; ``None`` if none."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "udp", "ws", "wss") or not host:
        return None
    try:
        return normalise_host(host)
    except ValueError:
        return None


def registered_domain(domain: str) -> str:
    """The registrable part of a domain by the Public Suffix List: ``a.b.example.org`` →
    ``example.org``, ``x.example.co.uk`` → ``example.co.uk``, and ``x.github.io`` stays
    ``x.github.io`` (the list's private section: one tenant of a hosting platform is not
    its neighbour). A public suffix itself is returned as it is."""
    found: str | None = _suffixes().privatesuffix(domain)
    return found if found is not None else domain
