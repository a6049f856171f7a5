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

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TypeVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Connection, Engine

from leaktrace.attribution.data import GroupData, load_group_data
from leaktrace.attribution.links import LinkSettings, compute_links
from leaktrace.attribution.model import GroupLink, GroupSummary, LinkKind
from leaktrace.attribution.summary import summarize
from leaktrace.attribution.timing import FirstStats, first_to_release_all
from leaktrace.store.groups import data_version, load_nfos, load_swarm_sightings

__all__ = [
    "Opener",
    "SharedGroups",
    "clear_shared",
    "kept",
    "settle",
    "shared_groups",
    "shared_links",
]

Opener = Callable[[], AbstractContextManager[Connection]]
"""Opens a reading connection (the services pass ``ctx.database.reading``)."""

T = TypeVar("T")


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

    def has(self, settings: LinkSettings | None) -> bool:
        return self.groups is not None and (settings is None or settings in self.links)


@dataclass(slots=True)
class _Kept:
    current: _Entry | None = None
    refreshing: threading.Thread | None = None
    stale_served: int = 0
    """How many times kept figures of older data were handed out."""
    results: OrderedDict[Hashable, tuple[tuple[object, ...], int, object]] = field(
        default_factory=OrderedDict
    )
    """Other results kept at the current version (:func:`kept`): version, weight, value;
    least recently used first."""


_STATE = threading.Lock()
"""Guards ``_KEPT`` (held for moments only)."""
_BUILD = threading.Lock()
"""One full computation at a time in a process (each loads every release)."""
_KEPT: WeakKeyDictionary[Engine, _Kept] = WeakKeyDictionary()
_KEEP_LINK_SETTINGS = 8
"""At most this many link settings (follow hours, services …) are kept per data version."""
_KEEP_WEIGHT = 250_000
"""The most :func:`kept` holds per engine, in the weights its callers give (a dossier: its
releases listed)."""
_LOG = logging.getLogger(__name__)


def clear_shared() -> None:
    """Forget every kept result (tests; a process that changed data in place)."""
    with _STATE:
        _KEPT.clear()


def settle(engine: Engine) -> None:
    """Wait for the background recomputation for ``engine``, if one is running."""
    with _STATE:
        kept = _KEPT.get(engine)
        running = kept.refreshing if kept is not None else None
    if running is not None:
        running.join()


def _cacheable(conn: Connection) -> bool:
    # an in-memory SQLite database lives in one connection; nothing worth keeping
    url = conn.engine.url
    return not (url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"))


def _groups_of(data: GroupData, version: tuple[object, ...]) -> SharedGroups:
    first = first_to_release_all(data.earliest)
    none = FirstStats(0, 0, 0, ())
    summaries = {key: summarize(data, key, first=first.get(key, none)) for key in data.by_group}
    return SharedGroups(version, summaries, first)


def _links_of(conn: Connection, data: GroupData, settings: LinkSettings) -> tuple[GroupLink, ...]:
    nfos = load_nfos(conn) if LinkKind.NFO in settings.kinds else []
    swarms = load_swarm_sightings(conn) if LinkKind.TRACKERS in settings.kinds else []
    return tuple(compute_links(data, nfos, swarms, settings))


def _compute(
    conn: Connection, version: tuple[object, ...], wanted: Iterable[LinkSettings], base: _Entry
) -> _Entry:
    """``base`` (of ``version``) completed: the groups and the links of every ``wanted``
    settings it lacks, from every release (caller holds ``_BUILD``)."""
    missing = [s for s in dict.fromkeys(wanted) if s not in base.links]
    if base.groups is not None and not missing:
        return base
    data = load_group_data(conn)
    entry = _Entry(version, base.groups or _groups_of(data, version), dict(base.links))
    for settings in missing:
        if len(entry.links) >= _KEEP_LINK_SETTINGS:
            entry.links.pop(next(iter(entry.links)))
        entry.links[settings] = _links_of(conn, data, settings)
    return entry


def _refresh(opener: Opener, kept: _Kept, wanted: list[LinkSettings]) -> None:
    """Recompute in the background what ``kept`` holds, at the data's newest version."""
    try:
        with opener() as conn, _BUILD:
            version = data_version(conn)
            entry = _compute(conn, version, wanted, _Entry(version))
        with _STATE:
            kept.current = entry
    except Exception:  # a failed refresh leaves the kept result; the next request retries
        _LOG.exception("recomputing the shared group figures failed")
    finally:
        with _STATE:
            kept.refreshing = None


def _entry(conn: Connection, settings: LinkSettings | None, background: Opener | None) -> _Entry:
    version = data_version(conn)
    cacheable = _cacheable(conn)
    with _STATE:
        kept = _KEPT.setdefault(conn.engine, _Kept()) if cacheable else _Kept()
        entry = kept.current
        if entry is not None and entry.version == version and entry.has(settings):
            return entry
        if background is not None and entry is not None and entry.has(settings):
            kept.stale_served += 1
            if kept.refreshing is None:
                kept.refreshing = threading.Thread(
                    target=_refresh,
                    args=(background, kept, list(entry.links)),
                    name="leaktrace-shared-groups",
                    daemon=True,
                )
                kept.refreshing.start()
            return entry
    with _BUILD:
        with _STATE:  # another request may have computed it meanwhile
            entry = kept.current
            if entry is None or entry.version != version:
                entry = _Entry(version)
        entry = _compute(conn, version, [settings] if settings else [], entry)
        with _STATE:
            kept.current = entry
        return entry


def shared_groups(conn: Connection, *, background: Opener | None = None) -> SharedGroups:
    """Every group's summary and first-to-release figures (computed from every release on
    the first call after the data changed, kept for the next).

    ``background`` (a server): when the data changed since the kept figures were computed,
    return those at once and recompute them in a background thread, on a connection from
    ``background()`` (one request must not wait minutes because a release came in); the
    first call in a process always computes."""
    groups = _entry(conn, None, background).groups
    assert groups is not None
    return groups


def shared_links(
    conn: Connection, settings: LinkSettings | None = None, *, background: Opener | None = None
) -> tuple[GroupLink, ...]:
    """Every link between groups for ``settings``, strongest first: the same list as
    :func:`leaktrace.attribution.links.find_links`, computed once per data version
    (``background`` as in :func:`shared_groups`)."""
    settings = settings or LinkSettings()
    return _entry(conn, settings, background).links[settings]


def kept(
    conn: Connection, name: Hashable, compute: Callable[[], T], weight: Callable[[T], int]
) -> T:
    """``compute()``, kept under ``name`` for as long as the data stays at its version and
    the shared figures (:func:`shared_groups`) are those of that version: a result built
    while kept figures of older data were handed out (being recomputed in the background)
    is not kept. Least recently used results go first once their ``weight`` passes a
    budget."""
    version = data_version(conn)
    if not _cacheable(conn):
        return compute()
    with _STATE:
        holder = _KEPT.setdefault(conn.engine, _Kept())
        current = holder.current is not None and holder.current.version == version
        hit = holder.results.get(name)
        if current and hit is not None and hit[0] == version:
            holder.results.move_to_end(name)
            return cast(T, hit[2])
        served = holder.stale_served
    value = compute()
    with _STATE:
        if holder.current is None or holder.current.version != version:
            return value
        if holder.stale_served != served:
            return value  # compute() may have used figures of older data
        for old in [k for k, v in holder.results.items() if v[0] != version]:
            del holder.results[old]
        holder.results[name] = (version, weight(value), value)
        while len(holder.results) > 1 and (
            sum(w for _, w, _ in holder.results.values()) > _KEEP_WEIGHT
        ):
            holder.results.popitem(last=False)
    return value
