"""The hosts a stored sighting names: trackers, web seeds, and the site its URL points to.

Pure functions (no SQL). :func:`sighting_hosts` lists the hosts one stored sighting names:
the trackers and web seeds of its torrent or magnet, and the site its URL points to
(streaming hosts and cyberlockers of :mod:`leaktrace.infra.services` get those roles).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from leaktrace.formats.errors import MagnetError
from leaktrace.formats.magnet import parse_magnet
from leaktrace.infra.domains import host_of_url, normalise_host, registered_domain
from leaktrace.infra.model import Role
from leaktrace.infra.services import BUILTIN, ServiceLists

__all__ = [
    "classify_url",
    "host_of_url",
    "normalise_host",
    "registered_domain",
    "sighting_hosts",
]

_STREAM_PATH = re.compile(r"/(?:embed|e|v|watch|stream|player)(?:/|$|\?|-)", re.IGNORECASE)


def classify_url(url: str, kind: str, value: str, services: ServiceLists = BUILTIN) -> str:
    """The role of the site an item URL points to: cyberlocker, streaming or site."""
    known = services.role(kind, value)
    if known is not None:
        return known
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
    url: str | None,
    site: str | None,
    extra: str | Mapping[str, object] | None,
    services: ServiceLists = BUILTIN,
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
            found[(host[0], host[1], classify_url(url, *host, services))] = None
    if site:
        try:
            kind, value = normalise_host(site)
        except ValueError:
            pass
        else:
            if not any(k == kind and v == value for k, v, _ in found):
                found[(kind, value, str(Role.SITE))] = None
    return list(found)
