"""Trackers and web seeds a group's torrents use: extraction, common-tracker filter, Jaccard.

Pure functions, no database. A sighting's ``extra`` JSON carries ``attrs`` with
``trackers`` and ``web_seeds`` (space-separated URLs, from .torrent files and magnet URIs)
and, for magnets and Torznab items, ``magneturl`` (whose ``tr``/``ws`` parameters name the
same). Each URL is reduced to its host (and non-default port): passkeys and announce paths
differ per user, the server does not. Trackers used by many groups (the open public ones)
say nothing about who is behind a release and are set aside.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from leaktrace.infra.services import BUILTIN, ServiceLists

__all__ = [
    "COMMON_SHARE",
    "MIN_COMMON_GROUPS",
    "SwarmSet",
    "common_endpoints",
    "endpoint",
    "endpoints_from_extra",
    "jaccard",
]

COMMON_SHARE = 0.30
"""A tracker or web-seed host used by more than this share of the groups seen is common..."""
MIN_COMMON_GROUPS = 3
"""... provided at least this many groups use it (two groups sharing one is evidence)."""

_DEFAULT_PORTS = {"http": 80, "https": 443}


def endpoint(url: str) -> str | None:
    """``host`` or ``host:port`` of a tracker or web-seed URL (lower case), None if unusable."""
    text = url.strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
        port = parts.port
    except ValueError:
        return None
    if not host:
        return None
    host = host.lower().rstrip(".")
    if port is not None and _DEFAULT_PORTS.get(parts.scheme.lower()) != port:
        return f"{host}:{port}"
    return host


@dataclass(slots=True)
class SwarmSet:
    """The tracker and web-seed hosts one group's torrents name."""

    trackers: set[str] = field(default_factory=set)
    web_seeds: set[str] = field(default_factory=set)

    def add(self, other: SwarmSet) -> None:
        self.trackers |= other.trackers
        self.web_seeds |= other.web_seeds

    @property
    def labelled(self) -> set[str]:
        """Trackers and web seeds in one set, each prefixed with its kind."""
        return {f"tracker {t}" for t in self.trackers} | {f"web seed {w}" for w in self.web_seeds}


def endpoints_from_extra(extra: str | None, url: str | None = None, origin: str = "") -> SwarmSet:
    """Tracker and web-seed hosts from a sighting's ``extra`` JSON (and, for torrent and
    magnet sightings, its ``url``, which is their first web seed). Bad JSON gives nothing."""
    found = SwarmSet()
    data: object = None
    if extra:
        try:
            data = json.loads(extra)
        except ValueError:
            data = None
    attrs: Mapping[str, object] = {}
    if isinstance(data, dict):
        inner = data.get("attrs")
        attrs = inner if isinstance(inner, dict) else {}
        for source in (data, attrs):
            _collect(source.get("trackers"), found.trackers)
            _collect(source.get("web_seeds"), found.web_seeds)
            magnet = source.get("magneturl")
            if isinstance(magnet, str):
                _from_magnet(magnet, found)
    if url and origin in ("torrent", "magnet"):
        host = endpoint(url)
        if host:
            found.web_seeds.add(host)
    return found


def _collect(value: object, into: set[str]) -> None:
    items: Iterable[object]
    if isinstance(value, str):
        items = value.split()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return
    for item in items:
        if isinstance(item, str):
            host = endpoint(item)
            if host:
                into.add(host)


def _from_magnet(uri: str, found: SwarmSet) -> None:
    if not uri.lower().startswith("magnet:?"):
        return
    for key, value in parse_qsl(uri[8:], keep_blank_values=False):
        key = key.lower().split(".")[0]
        if key == "tr":
            host = endpoint(value)
            if host:
                found.trackers.add(host)
        elif key in ("ws", "as"):
            host = endpoint(value)
            if host:
                found.web_seeds.add(host)


def common_endpoints(
    sets: Mapping[str, SwarmSet],
    *,
    share: float = COMMON_SHARE,
    min_groups: int = MIN_COMMON_GROUPS,
    services: ServiceLists = BUILTIN,
) -> set[str]:
    """Labelled endpoints (see :attr:`SwarmSet.labelled`) too common to link groups: used
    by at least ``min_groups`` groups and more than ``share`` of the groups in ``sets``, or
    a known open tracker of ``services``."""
    counts: Counter[str] = Counter()
    for swarm in sets.values():
        counts.update(swarm.labelled)
    total = len(sets)
    common = {label for label, n in counts.items() if n >= min_groups and n > share * total}
    for label in counts:
        host = label.split(" ")[-1].split(":")[0]
        if services.is_public_tracker(host):
            common.add(label)
    return common


def jaccard(a: set[str], b: set[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0.0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0
