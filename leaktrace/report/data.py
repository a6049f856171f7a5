"""Gather what the HTML report shows, as typed data, from the read-side store queries.

No SQL here: the leak list and the dashboard counts come from
:func:`leaktrace.store.queries.list_leaks` and :func:`~leaktrace.store.queries.overview`,
and every aggregate (by work, by group, by source) is computed in Python from them.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.detect.rules import Severity
from leaktrace.infra.services import BUILTIN, ServiceLists
from leaktrace.infra.targets import country_stats
from leaktrace.report.groups import GroupsSection, gather_groups
from leaktrace.report.notices import NoticeFigures, gather_notice_figures
from leaktrace.store.infra import load_hosts
from leaktrace.store.notice_tracking import ALL_AGENCIES
from leaktrace.store.queries import LeakFilter, list_leaks, overview

__all__ = [
    "GroupStat",
    "LeakRow",
    "ReportData",
    "SEVERITY_ORDER",
    "SourceStat",
    "WINDOW_ORDER",
    "WindowOpening",
    "WorkStat",
    "build_report_data",
    "gather_report_data",
]

#: severities from the gravest down
SEVERITY_ORDER: tuple[str, ...] = tuple(
    s.value for s in sorted(Severity, key=lambda s: s.rank, reverse=True)
)
#: windows in the order a work usually goes through them
WINDOW_ORDER: tuple[str, ...] = ("theatrical", "digital", "physical", "broadcast")
NO_GROUP = "(no group)"


@dataclass(frozen=True, slots=True)
class LeakRow:
    """One leak alert with its release and work, as the report shows it."""

    release: str
    work_id: str
    work: str
    window: str
    window_date: date
    source: str
    released_at: datetime
    lead_days: float
    severity: str
    group: str | None
    rule: str
    explanation: str
    sightings: int = 1
    resolution: str | None = None

    @property
    def severity_rank(self) -> int:
        return _rank(self.severity)


@dataclass(frozen=True, slots=True)
class WorkStat:
    work_id: str
    work: str
    leaks: int
    earliest_leak: datetime
    longest_lead: float
    windows: tuple[str, ...]
    worst: str
    by_severity: dict[str, int]


@dataclass(frozen=True, slots=True)
class GroupStat:
    group: str
    leaks: int
    median_lead: float
    longest_lead: float
    sources: tuple[str, ...]
    windows: tuple[str, ...]
    works_hit: int
    worst: str
    by_severity: dict[str, int]


@dataclass(frozen=True, slots=True)
class SourceStat:
    source: str
    window: str
    leaks: int
    median_lead: float
    by_severity: dict[str, int]


@dataclass(frozen=True, slots=True)
class WindowOpening:
    """The first day of one work's window that at least one leak broke."""

    work_id: str
    work: str
    window: str
    day: date
    leaks: int


@dataclass(frozen=True, slots=True)
class ReportData:
    """Everything the report page shows."""

    title: str
    generated_at: datetime
    database: str
    works: int
    releases: int
    sightings: int
    releases_by_status: dict[str, int]
    leaks: tuple[LeakRow, ...]
    by_severity: dict[str, int]
    by_window: dict[str, int]
    work_stats: tuple[WorkStat, ...]
    group_stats: tuple[GroupStat, ...]
    source_stats: tuple[SourceStat, ...]
    openings: tuple[WindowOpening, ...]
    note: str | None = None
    extra_facts: dict[str, str] = field(default_factory=dict)
    groups: GroupsSection | None = None
    """Release groups, their links and the group graph (None: section left out)."""
    servers_by_country: dict[str, int] = field(default_factory=dict)
    """Located servers per country (empty: no world view)."""
    leaks_by_country: dict[str, int] = field(default_factory=dict)
    """Leaked releases tied to each country's servers."""
    notices: NoticeFigures | None = None
    """Takedown notices in figures (None: no notice yet, section left out)."""

    @property
    def leak_count(self) -> int:
        return len(self.leaks)

    @property
    def is_empty(self) -> bool:
        return not self.leaks

    @property
    def windows_present(self) -> tuple[str, ...]:
        """Windows with leaks, in the usual order (unknown ones last)."""
        return _ordered_windows(leak.window for leak in self.leaks)

    @property
    def time_span(self) -> tuple[datetime, datetime] | None:
        """Earliest and latest leak time, or None with no leaks."""
        if not self.leaks:
            return None
        times = [leak.released_at for leak in self.leaks]
        return min(times), max(times)


def gather_report_data(
    conn: Connection,
    *,
    title: str | None = None,
    database: str = "",
    note: str | None = None,
    now: datetime | None = None,
    groups: bool = True,
    services: ServiceLists = BUILTIN,
    notice_agency: int | None = ALL_AGENCIES,
) -> ReportData:
    """Read leaks and counts through ``conn`` and aggregate them for the report (with the
    release-group section unless ``groups`` is False; the takedown notices of
    ``notice_agency``, by default every agency's: the command line's view)."""
    raw = list_leaks(conn, LeakFilter(), sort="time")
    notices = gather_notice_figures(conn, agency=notice_agency)
    data = build_report_data(
        overview(conn),
        raw,
        title=title,
        database=database,
        note=note,
        now=now,
        groups=gather_groups(conn, services) if groups else None,
        world=country_stats(load_hosts(conn, locations=False)),
    )
    return replace(data, notices=notices) if notices.notices else data


def build_report_data(
    counts: Mapping[str, Any],
    raw_leaks: Iterable[Mapping[str, Any]],
    *,
    title: str | None = None,
    database: str = "",
    note: str | None = None,
    now: datetime | None = None,
    groups: GroupsSection | None = None,
    world: tuple[dict[str, int], dict[str, int]] | None = None,
) -> ReportData:
    """Aggregate an ``overview`` dict and ``list_leaks`` rows (pure: no database)."""
    leaks = tuple(
        sorted((_leak_row(r) for r in raw_leaks), key=lambda leak: (leak.released_at, leak.release))
    )
    by_severity = {s: 0 for s in SEVERITY_ORDER}
    by_window: dict[str, int] = {}
    for leak in leaks:
        by_severity[leak.severity] = by_severity.get(leak.severity, 0) + 1
        by_window[leak.window] = by_window.get(leak.window, 0) + 1
    return ReportData(
        title=title or "LeakTrace pre-release leak report",
        generated_at=(now or datetime.now(UTC)).astimezone(UTC),
        database=database,
        works=int(counts.get("works", 0)),
        releases=int(counts.get("releases", 0)),
        sightings=int(counts.get("sightings", 0)),
        releases_by_status={
            str(k): int(v) for k, v in dict(counts.get("releases_by_status", {})).items()
        },
        leaks=leaks,
        by_severity=by_severity,
        by_window={w: by_window[w] for w in _ordered_windows(by_window)},
        work_stats=_work_stats(leaks),
        group_stats=_group_stats(leaks),
        source_stats=_source_stats(leaks),
        openings=_openings(leaks),
        note=note,
        groups=groups,
        servers_by_country=dict(world[0]) if world else {},
        leaks_by_country=dict(world[1]) if world else {},
    )


# ----------------------------------------------------------------- helpers


def _rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return -1


def _worst(severities: Iterable[str]) -> str:
    return max(severities, key=_rank, default=Severity.LOW.value)


def _count_severities(leaks: Sequence[LeakRow]) -> dict[str, int]:
    out = {s: 0 for s in SEVERITY_ORDER}
    for leak in leaks:
        out[leak.severity] = out.get(leak.severity, 0) + 1
    return out


def _ordered_windows(values: Iterable[str]) -> tuple[str, ...]:
    present = set(values)
    ordered = [w for w in WINDOW_ORDER if w in present]
    return tuple(ordered + sorted(present - set(ordered)))


def _parse_time(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def work_label(title: str | None, year: int | None, kind: str | None, season: int | None) -> str:
    """``Title (2021)`` or ``Title S04 (2019)``, like :attr:`Work.label`."""
    text = title or "?"
    if kind == "season" and season is not None:
        text = f"{text} S{season:02d}"
    if year is not None:
        text = f"{text} ({year})"
    return text


def _leak_row(r: Mapping[str, Any]) -> LeakRow:
    return LeakRow(
        release=str(r["release"]),
        work_id=str(r["work_id"]),
        work=work_label(r.get("work"), r.get("work_year"), r.get("work_kind"), r.get("season")),
        window=str(r["window"]),
        window_date=_parse_date(r["window_date"]),
        source=str(r.get("source") or "unknown"),
        released_at=_parse_time(r["released_at"]),
        lead_days=float(r.get("lead_days") or 0.0),
        severity=str(r.get("severity") or Severity.LOW.value),
        group=str(r["group"]) if r.get("group") else None,
        rule=str(r.get("rule") or ""),
        explanation=str(r.get("explanation") or ""),
        sightings=int(r.get("sightings") or 1),
        resolution=str(r["resolution"]) if r.get("resolution") else None,
    )


def _work_stats(leaks: Sequence[LeakRow]) -> tuple[WorkStat, ...]:
    groups: dict[str, list[LeakRow]] = defaultdict(list)
    for leak in leaks:
        groups[leak.work_id].append(leak)
    stats = [
        WorkStat(
            work_id=work_id,
            work=rows[0].work,
            leaks=len(rows),
            earliest_leak=min(r.released_at for r in rows),
            longest_lead=max(r.lead_days for r in rows),
            windows=_ordered_windows(r.window for r in rows),
            worst=_worst(r.severity for r in rows),
            by_severity=_count_severities(rows),
        )
        for work_id, rows in groups.items()
    ]
    stats.sort(key=lambda s: (-s.leaks, -s.longest_lead, s.work))
    return tuple(stats)


def _group_stats(leaks: Sequence[LeakRow]) -> tuple[GroupStat, ...]:
    groups: dict[str, list[LeakRow]] = defaultdict(list)
    for leak in leaks:
        groups[leak.group or NO_GROUP].append(leak)
    stats = [
        GroupStat(
            group=name,
            leaks=len(rows),
            median_lead=round(float(statistics.median(r.lead_days for r in rows)), 2),
            longest_lead=max(r.lead_days for r in rows),
            sources=tuple(sorted({r.source for r in rows})),
            windows=_ordered_windows(r.window for r in rows),
            works_hit=len({r.work_id for r in rows}),
            worst=_worst(r.severity for r in rows),
            by_severity=_count_severities(rows),
        )
        for name, rows in groups.items()
    ]
    stats.sort(key=lambda s: (-s.leaks, -s.median_lead, s.group.lower()))
    return tuple(stats)


def _source_stats(leaks: Sequence[LeakRow]) -> tuple[SourceStat, ...]:
    groups: dict[tuple[str, str], list[LeakRow]] = defaultdict(list)
    for leak in leaks:
        groups[(leak.source, leak.window)].append(leak)
    stats = [
        SourceStat(
            source=source,
            window=window,
            leaks=len(rows),
            median_lead=round(float(statistics.median(r.lead_days for r in rows)), 2),
            by_severity=_count_severities(rows),
        )
        for (source, window), rows in groups.items()
    ]
    order = {w: i for i, w in enumerate(WINDOW_ORDER)}
    stats.sort(key=lambda s: (order.get(s.window, len(order)), -s.leaks, s.source))
    return tuple(stats)


def _openings(leaks: Sequence[LeakRow]) -> tuple[WindowOpening, ...]:
    found: dict[tuple[str, str, date], list[LeakRow]] = defaultdict(list)
    for leak in leaks:
        found[(leak.work_id, leak.window, leak.window_date)].append(leak)
    out = [
        WindowOpening(work_id, rows[0].work, window, day, len(rows))
        for (work_id, window, day), rows in found.items()
    ]
    out.sort(key=lambda o: (o.day, o.work))
    return tuple(out)
