"""Group summaries (``leaktrace groups``) and one group's dossier (``leaktrace group``)."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.engine import Connection

from leaktrace.attribution.data import GroupData, load_group_data, work_label
from leaktrace.attribution.following import DEFAULT_FOLLOW_HOURS
from leaktrace.attribution.index import Opener, shared_groups, shared_links
from leaktrace.attribution.links import LinkSettings, find_links
from leaktrace.attribution.model import (
    Distributor,
    Dossier,
    FirstRelease,
    GroupLink,
    GroupRelease,
    GroupSummary,
    MonthActivity,
    Nukes,
    WindowLead,
    WorkHit,
)
from leaktrace.attribution.summary import summarize, windows_in_order
from leaktrace.attribution.timing import FirstStats, first_to_release, first_to_release_all
from leaktrace.errors import NotFoundError
from leaktrace.infra.services import BUILTIN, ServiceLists
from leaktrace.store.groups import (
    ReleaseRecord,
    ShipmentRecord,
    load_group_releases,
    load_shipments,
)

__all__ = [
    "GROUP_SORTS",
    "GroupSort",
    "build_dossier",
    "dossier_from_data",
    "list_groups",
    "summarize",
]

GroupSort = Literal["leaks", "releases", "rate", "lead", "first", "last", "name"]
GROUP_SORTS: tuple[str, ...] = ("leaks", "releases", "rate", "lead", "first", "last", "name")
_windows = windows_in_order


def _sort_key(sort: str) -> Callable[[GroupSummary], Any]:
    keys: dict[str, Callable[[GroupSummary], Any]] = {
        "leaks": lambda s: (-s.leaks, -(s.pre_release_rate or 0), -s.releases, s.key),
        "releases": lambda s: (-s.releases, -s.leaks, s.key),
        "rate": lambda s: (
            -(s.pre_release_rate if s.pre_release_rate is not None else -1.0),
            -s.leaks,
            s.key,
        ),
        "lead": lambda s: (
            -(s.median_lead_days if s.median_lead_days is not None else -1e9),
            -s.leaks,
            s.key,
        ),
        "first": lambda s: (-s.first_to_release, -s.leaks, s.key),
        "last": lambda s: (-s.last_seen.timestamp(), s.key),
        "name": lambda s: (s.key, s.group),
    }
    if sort not in keys:
        raise ValueError(f"unknown sort {sort!r}: use one of {', '.join(GROUP_SORTS)}")
    return keys[sort]


def list_groups(
    conn: Connection,
    *,
    sort: GroupSort | str = "leaks",
    min_releases: int = 1,
    search: str | None = None,
    limit: int | None = None,
    data: GroupData | None = None,
    shared: bool = False,
    background: Opener | None = None,
) -> list[GroupSummary]:
    """Every group with at least ``min_releases`` releases (whose key contains ``search``),
    ordered by ``sort``: leaks, releases, rate (pre-release rate), lead (median lead),
    first (first-to-release count), last (last seen) or name.

    ``shared``: take the summaries kept per process for the data's current version
    (:mod:`leaktrace.attribution.index`; computed on the first call after new data) instead
    of reading every release; ``background``: see
    :func:`~leaktrace.attribution.index.shared_groups`)."""
    key_fn = _sort_key(sort)
    needle = search.lower() if search else None
    if shared and data is None:
        rows = [
            s
            for key, s in shared_groups(conn, background=background).summaries.items()
            if s.releases >= min_releases and (needle is None or needle in key)
        ]
        rows.sort(key=key_fn)
        return rows[:limit] if limit is not None else rows
    if data is None:
        data = load_group_data(conn)
    first = first_to_release_all(data.earliest)
    none = FirstStats(0, 0, 0, ())
    rows = [
        summarize(data, key, first=first.get(key, none))
        for key, releases in data.by_group.items()
        if len(releases) >= min_releases and (needle is None or needle in key)
    ]
    rows.sort(key=key_fn)
    return rows[:limit] if limit is not None else rows


def build_dossier(
    conn: Connection,
    name: str,
    *,
    follow_hours: float = DEFAULT_FOLLOW_HOURS,
    links: Sequence[GroupLink] | None = None,
    data: GroupData | None = None,
    release_limit: int | None = None,
    services: ServiceLists = BUILTIN,
    shared: bool = False,
    background: Opener | None = None,
) -> Dossier:
    """The dossier of the group called ``name`` (any spelling); ``services``: the open
    trackers that link no groups.

    ``shared`` (without ``data``): read only this group's releases (by its key's index) and
    take the figures that need every group (first-to-release, links) from what is kept per
    process for the data's current version (:mod:`leaktrace.attribution.index`): the same
    dossier as without, in milliseconds once the first request after new data has paid
    (``background``: the kept figures even when newer data came in since, recomputed in
    the background; see :func:`~leaktrace.attribution.index.shared_groups`).

    Raises :class:`~leaktrace.errors.NotFoundError` when no release names that group."""
    key = name.strip().lower()
    if shared and data is None:
        rows = load_group_releases(conn, [key]) if key else []
        if not rows:
            raise NotFoundError(f"no releases by a group called {name!r}", kind="group", key=name)
        if links is None:  # first: on a first call it computes the shared figures too
            settings = LinkSettings(follow_hours=follow_hours, services=services)
            found = shared_links(conn, settings, background=background)
            links = [link for link in found if link.involves(key)]
        first = shared_groups(conn, background=background).first.get(key, FirstStats(0, 0, 0, ()))
        own = GroupData.build(rows)
        works = {r.work_id for r in rows if r.work_id}
        shipments = load_shipments(conn, sorted(works)) if works else []
        return dossier_from_data(
            own, key, links, shipments, release_limit=release_limit, first=first
        )
    if data is None:
        data = load_group_data(conn)
    if key not in data.by_group:
        raise NotFoundError(f"no releases by a group called {name!r}", kind="group", key=name)
    if links is None:
        links = find_links(conn, follow_hours=follow_hours, data=data, services=services)
    works = {r.work_id for r in data.by_group[key] if r.work_id}
    shipments = load_shipments(conn, sorted(works)) if works else []
    return dossier_from_data(data, key, links, shipments, release_limit=release_limit)


def dossier_from_data(
    data: GroupData,
    key: str,
    links: Sequence[GroupLink] = (),
    shipments: Sequence[ShipmentRecord] = (),
    *,
    release_limit: int | None = None,
    first: FirstStats | None = None,
) -> Dossier:
    """Assemble a dossier from records already read (no SQL); ``first``: the group's
    first-to-release figures when ``data`` holds only its own releases."""
    rows = data.by_group[key]
    leaks = [r for r in rows if r.is_leak]
    by_window: dict[str, list[float]] = defaultdict(list)
    for r in leaks:
        by_window[str(r.window)].append(r.lead_days or 0.0)
    order = _windows(list(by_window))
    if first is None:
        first = first_to_release(data.earliest, key)
    margins = first.margins_hours
    listed = sorted(rows, key=lambda r: (r.released_at, r.id), reverse=True)
    if release_limit is not None:
        listed = listed[:release_limit]
    return Dossier(
        summary=summarize(data, key, first=first),
        leaks_by_window={w: len(by_window[w]) for w in order},
        lead_by_window=tuple(
            WindowLead(
                window=w,
                leaks=len(by_window[w]),
                median_days=float(statistics.median(by_window[w])),
                min_days=min(by_window[w]),
                max_days=max(by_window[w]),
            )
            for w in order
        ),
        sources=_counts(r.source for r in rows),
        resolutions=_counts(r.resolution for r in rows),
        codecs=_counts(r.codec for r in rows),
        works=_works(rows),
        distributors=_distributors(rows, shipments),
        timeline=_timeline(rows),
        first=FirstRelease(
            titles=first.titles,
            contested=first.contested,
            first=first.first,
            median_margin_hours=first.median_margin_hours,
            min_margin_hours=margins[0] if margins else None,
            max_margin_hours=margins[-1] if margins else None,
        ),
        nukes=_nukes(rows),
        links=tuple(link for link in links if link.involves(key)),
        releases=tuple(
            GroupRelease(
                name=r.name,
                released_at=r.released_at,
                work=work_label(r.work_title, r.work_year, r.work_kind, r.work_season)
                if r.work_id
                else None,
                status=r.status,
                window=r.window,
                lead_days=r.lead_days,
                severity=r.severity,
                nuke=r.nuke_status,
            )
            for r in listed
        ),
    )


def _counts(values: Iterable[str | None]) -> dict[str, int]:
    counts: Counter[str] = Counter(v or "unknown" for v in values)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _works(rows: Sequence[ReleaseRecord]) -> tuple[WorkHit, ...]:
    grouped: dict[str, list[ReleaseRecord]] = defaultdict(list)
    for r in rows:
        if r.work_id:
            grouped[r.work_id].append(r)
    hits = []
    for work_id, items in grouped.items():
        leaks = [r for r in items if r.is_leak]
        sample = items[0]
        hits.append(
            WorkHit(
                work_id=work_id,
                work=work_label(
                    sample.work_title, sample.work_year, sample.work_kind, sample.work_season
                ),
                releases=len(items),
                leaks=len(leaks),
                first_release=min(r.released_at for r in items),
                max_lead_days=max((r.lead_days or 0.0 for r in leaks), default=None),
                windows=_windows([str(r.window) for r in leaks]),
            )
        )
    hits.sort(key=lambda h: (-h.leaks, -(h.max_lead_days or 0.0), h.work))
    return tuple(hits)


def _distributors(
    rows: Sequence[ReleaseRecord], shipments: Sequence[ShipmentRecord]
) -> tuple[Distributor, ...]:
    if not shipments:
        return ()
    first_leak: dict[str, datetime] = {}
    for r in rows:
        if r.is_leak and r.work_id:
            seen = first_leak.get(r.work_id)
            if seen is None or r.released_at < seen:
                first_leak[r.work_id] = r.released_at
    per: dict[str, list[ShipmentRecord]] = defaultdict(list)
    for s in shipments:
        per[s.distributor].append(s)
    out = []
    for distributor, items in per.items():
        works = {s.work_id for s in items}
        before: set[str] = set()
        accounts: Counter[str] = Counter()
        for s in items:
            leak_at = first_leak.get(s.work_id)
            if leak_at is not None and s.shipped_at < leak_at:
                before.add(s.work_id)
                accounts[s.account] += 1
        out.append(
            Distributor(
                distributor=distributor,
                works=len(works),
                leaked_works=len(works & set(first_leak)),
                shipped_before_leak=len(before),
                shipments=len(items),
                quantity=sum(s.quantity for s in items),
                accounts=tuple(
                    a for a, _ in sorted(accounts.items(), key=lambda kv: (-kv[1], kv[0]))
                ),
            )
        )
    out.sort(key=lambda d: (-d.shipped_before_leak, -d.leaked_works, -d.works, d.distributor))
    return tuple(out)


def _month(moment: datetime) -> tuple[int, int]:
    return moment.year, moment.month


def _timeline(rows: Sequence[ReleaseRecord]) -> tuple[MonthActivity, ...]:
    releases: Counter[tuple[int, int]] = Counter(_month(r.released_at) for r in rows)
    leaks: Counter[tuple[int, int]] = Counter(_month(r.released_at) for r in rows if r.is_leak)
    if not releases:
        return ()
    year, month = min(releases)
    end = max(releases)
    out = []
    while (year, month) <= end:
        out.append(
            MonthActivity(f"{year:04d}-{month:02d}", releases[(year, month)], leaks[(year, month)])
        )
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return tuple(out)


def _nukes(rows: Sequence[ReleaseRecord]) -> Nukes:
    status = Counter(r.nuke_status for r in rows if r.nuke_status)
    reasons: Counter[str] = Counter(
        r.nuke_reason or "(no reason given)" for r in rows if r.nuke_status == "nuked"
    )
    return Nukes(
        nuked=status.get("nuked", 0),
        unnuked=status.get("unnuked", 0),
        deleted=status.get("deleted", 0),
        reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
    )
