"""Host names and addresses: normalising them, reading them out of URLs, their registered
domain by the Public Suffix List. Pure functions, no SQL.

A host is an IP address (``kind="ip"``, in its compressed canonical form) or a domain name
(``kind="domain"``, lower case, IDNA/punycode, no trailing dot): :func:`normalise_host`
is :func:`leaktrace.formats.hostnames.normalise_host`, shared with the notices.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from leaktrace.formats.hostnames import normalise_host

__all__ = ["host_of_url", "normalise_host", "registered_domain"]


@cache
def _suffixes() -> PublicSuffixList:
    return PublicSuffixList()  # the Public Suffix List shipped with publicsuffixlist


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
