"""Host names and addresses: normalising them, reading them out of URLs and sightings.

Pure functions (no SQL). A host is an IP address (``kind="ip"``, in its compressed
canonical form) or a domain name (``kind="domain"``, lower case, IDNA/punycode, no
trailing dot). :func:`sighting_hosts` lists the hosts one stored sighting names: the
trackers and web seeds of its torrent or magnet, and the site its URL points to
(recognised streaming hosts and cyberlockers get those roles).
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from functools import cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

from leaktrace.formats.errors import MagnetError
from leaktrace.formats.magnet import parse_magnet
from leaktrace.infra.model import Role

__all__ = [
    "CYBERLOCKERS",
    "PUBLIC_TRACKERS",
    "STREAMING_HOSTS",
    "classify_url",
    "host_of_url",
    "normalise_host",
    "registered_domain",
    "shared_service",
    "sighting_hosts",
]

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TLD = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")

CYBERLOCKERS = frozenset(
    {
        "1fichier.com",
        "ddownload.com",
        "filefactory.com",
        "hitfile.net",
        "katfile.com",
        "mega.nz",
        "mediafire.com",
        "nitroflare.com",
        "rapidgator.net",
        "rg.to",
        "turbobit.net",
        "uploaded.net",
        "ul.to",
        "uptobox.com",
        "usersdrive.com",
    }
)
"""File lockers (registered domains) whose links are cyberlocker evidence."""

STREAMING_HOSTS = frozenset(
    {
        "doodstream.com",
        "dood.watch",
        "filemoon.sx",
        "mixdrop.co",
        "streamtape.com",
        "upstream.to",
        "vidoza.net",
        "voe.sx",
        "streamwish.com",
    }
)
"""Video hosts (registered domains) whose links are streaming evidence."""

PUBLIC_TRACKERS = frozenset(
    {
        "coppersurfer.tk",
        "demonii.com",
        "desync.com",
        "internetwarriors.net",
        "leechers-paradise.org",
        "openbittorrent.com",
        "opentrackr.org",
        "publicbt.com",
        "stealth.si",
        "torrent.eu.org",
    }
)
"""Open trackers (registered domains) every group's torrents may announce to."""


def shared_service(kind: str, value: str) -> bool:
    """A well-known public service (open tracker, cyberlocker, video host): used by anyone,
    so it ties no two servers together by itself."""
    if kind != "domain":
        return False
    base = registered_domain(value)
    return base in PUBLIC_TRACKERS or base in CYBERLOCKERS or base in STREAMING_HOSTS


_STREAM_PATH = re.compile(r"/(?:embed|e|v|watch|stream|player)(?:/|$|\?|-)", re.IGNORECASE)

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


def classify_url(url: str, kind: str, value: str) -> str:
    """The role of the site an item URL points to: cyberlocker, streaming or site."""
    if kind == "domain":
        base = registered_domain(value)
        if base in CYBERLOCKERS:
            return Role.CYBERLOCKER.value
        if base in STREAMING_HOSTS:
            return Role.STREAMING.value
    try:
        path = urlsplit(url).path
    except ValueError:
        path = ""
    if _STREAM_PATH.search(path):
        return Role.STREAMING.value
    return Role.SITE.value


def _split_urls(value: object) -> list[str]:
    if isinstance(value, str):
        return [v for v in re.split(r"[\s,]+", value) if v]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, str)]
    return []


def sighting_hosts(
    url: str | None, site: str | None, extra: str | Mapping[str, object] | None
) -> list[tuple[str, str, str]]:
    """``(kind, value, role)`` of every host a sighting names, each once per role.

    Trackers come from ``attrs.trackers`` and the magnet's ``tr``; web seeds from
    ``attrs.web_seeds`` and the magnet's ``ws``; the item URL (unless it is a web seed or
    a magnet) gives a site, streaming host or cyberlocker; ``site`` counts when it is a
    domain name not already found.
    """
    data: Mapping[str, object] = {}
    if isinstance(extra, str):
        try:
            loaded = json.loads(extra)
        except ValueError:
            loaded = {}
        data = loaded if isinstance(loaded, dict) else {}
    elif extra is not None:
        data = extra
    attrs_raw = data.get("attrs")
    attrs: Mapping[str, object] = attrs_raw if isinstance(attrs_raw, dict) else {}
    trackers = _split_urls(attrs.get("trackers"))
    seeds = _split_urls(attrs.get("web_seeds"))
    magnet = attrs.get("magneturl")
    if isinstance(magnet, str) and magnet.lower().startswith("magnet:"):
        try:
            parsed = parse_magnet(magnet)
        except MagnetError:
            pass
        else:
            trackers += parsed.trackers
            seeds += parsed.web_seeds
    found: dict[tuple[str, str, str], None] = {}
    for role, urls in ((Role.TRACKER, trackers), (Role.WEB_SEED, seeds)):
        for item in urls:
            host = host_of_url(item)
            if host is not None:
                found[(host[0], host[1], str(role))] = None
    if url and url not in seeds and not url.lower().startswith("magnet:"):
        host = host_of_url(url)
        if host is not None:
            found[(host[0], host[1], classify_url(url, *host))] = None
    if site:
        try:
            kind, value = normalise_host(site)
        except ValueError:
            pass
        else:
            if not any(k == kind and v == value for k, v, _ in found):
                found[(kind, value, str(Role.SITE))] = None
    return list(found)
