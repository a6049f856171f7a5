"""What every dossier, the groups listing and the group graph share, kept per process.

Two results need every release of every group: each group's first-to-release figures (a
title counts as first only against every other group's earliest copy) and the links
between groups (a follower link is tested against every other group: the baseline leaves
out the titles of groups it seems to follow, a common leader is set aside, and the number
of pairs tested is part of the evidence). They cannot be computed for one group from that
group's releases alone, so they are computed once from all of them and kept, keyed by the
database engine and a cheap fingerprint of the data
(:func:`leaktrace.store.groups.data_version`, a few milliseconds): the first request after
new data pays for the full computation, every later one reads the kept result.

One computation runs at a time in a process (a lock), so concurrent first requests do not
each load every release. What is kept is small (a summary and first-to-release figures per
group, and the links); the releases themselves are dropped once it is computed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Connection, Engine

from leaktrace.attribution.data import GroupData, load_group_data
from leaktrace.attribution.links import LinkSettings, compute_links
from leaktrace.attribution.model import GroupLink, GroupSummary, LinkKind
from leaktrace.attribution.summary import summarize
from leaktrace.attribution.timing import FirstStats, first_to_release_all
from leaktrace.store.groups import data_version, load_nfos, load_swarm_sightings

__all__ = ["SharedGroups", "clear_shared", "shared_groups", "shared_links"]


@dataclass(frozen=True, slots=True)
class SharedGroups:
    """Every group's summary and first-to-release figures, at one data version."""

    version: tuple[object, ...]
    summaries: dict[str, GroupSummary]
    first: dict[str, FirstStats]


@dataclass(slots=True)
class _Entry:
    version: tuple[object, ...]
    groups: SharedGroups | None = None
    links: dict[LinkSettings, tuple[GroupLink, ...]] = field(default_factory=dict)


_LOCK = threading.Lock()
_KEPT: WeakKeyDictionary[Engine, _Entry] = WeakKeyDictionary()
_KEEP_LINK_SETTINGS = 8
"""At most this many link settings (follow hours, kinds …) are kept per data version."""


def clear_shared() -> None:
    """Forget every kept result (tests; a process that changed data in place)."""
    with _LOCK:
        _KEPT.clear()


def _cacheable(conn: Connection) -> bool:
    # an in-memory SQLite database lives in one connection; nothing worth keeping
    url = conn.engine.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def _entry(conn: Connection) -> _Entry:
    """The kept entry of this engine at the data's current version (caller holds the lock)."""
    version = data_version(conn)
    entry = _KEPT.get(conn.engine) if _cacheable(conn) else None
    if entry is None or entry.version != version:
        entry = _Entry(version)
        if _cacheable(conn):
            _KEPT[conn.engine] = entry
    return entry


def _groups_of(data: GroupData, version: tuple[object, ...]) -> SharedGroups:
    first = first_to_release_all(data.earliest)
    none = FirstStats(0, 0, 0, ())
    summaries = {key: summarize(data, key, first=first.get(key, none)) for key in data.by_group}
    return SharedGroups(version, summaries, first)


def _links_of(conn: Connection, data: GroupData, settings: LinkSettings) -> tuple[GroupLink, ...]:
    nfos = load_nfos(conn) if LinkKind.NFO in settings.kinds else []
    swarms = load_swarm_sightings(conn) if LinkKind.TRACKERS in settings.kinds else []
    return tuple(compute_links(data, nfos, swarms, settings))


def shared_groups(conn: Connection) -> SharedGroups:
    """Every group's summary and first-to-release figures (computed from every release on
    the first call after the data changed, kept for the next)."""
    with _LOCK:
        entry = _entry(conn)
        if entry.groups is None:
            entry.groups = _groups_of(load_group_data(conn), entry.version)
        return entry.groups


def shared_links(conn: Connection, settings: LinkSettings | None = None) -> tuple[GroupLink, ...]:
    """Every link between groups for ``settings``, strongest first: the same list as
    :func:`leaktrace.attribution.links.find_links`, computed once per data version."""
    settings = settings or LinkSettings()
    with _LOCK:
        entry = _entry(conn)
        found = entry.links.get(settings)
        if found is not None:
            return found
        data = load_group_data(conn)
        if entry.groups is None:
            entry.groups = _groups_of(data, entry.version)
        found = _links_of(conn, data, settings)
        del data
        if len(entry.links) >= _KEEP_LINK_SETTINGS:
            entry.links.pop(next(iter(entry.links)))
        entry.links[settings] = found
        return found
