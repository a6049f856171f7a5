"""Render the self-contained HTML leak report (Jinja2 with autoescape, inline CSS and SVG)."""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape
from sqlalchemy.engine import Connection

from leaktrace.errors import InputError
from leaktrace.infra.services import BUILTIN, ServiceLists
from leaktrace.infra.worldmap import world_map_svg
from leaktrace.private_files import write_private_text
from leaktrace.report import svg
from leaktrace.report.data import SEVERITY_ORDER, ReportData, gather_report_data
from leaktrace.report.groups import KIND_COLORS, group_graph, kind_legend
from leaktrace.report.notices import takedown_chart
from leaktrace.store.database import Database
from leaktrace.store.notice_tracking import ALL_AGENCIES
from leaktrace.templating import html_environment

__all__ = ["MAX_TABLE_ROWS", "render_report", "write_report", "write_report_from"]

#: the full leak table lists at most this many leaks (the gravest first)
MAX_TABLE_ROWS = 5000
TOP_WORKS = 20
TOP_GROUPS = 15


@functools.cache
def _environment() -> Environment:
    return html_environment(
        "leaktrace.report",
        filters={
            "when": _when,
            "day": _day,
            "lead": _lead,
            "num": _num,
            "breakable": _breakable,
        },
        globals={
            "sev_color": svg.severity_color,
            "sev_rank": _sev_rank,
            "window_color": lambda w: svg.WINDOW_COLORS.get(str(w), "#64748b"),
            "kind_color": lambda k: KIND_COLORS.get(str(k), "#64748b"),
            "hours": _hours,
        },
    )


def _sev_rank(severity: str) -> int:
    return len(SEVERITY_ORDER) - SEVERITY_ORDER.index(severity) if severity in SEVERITY_ORDER else 0


def _breakable(text: str) -> Markup:
    """Escaped ``text`` with break opportunities after the separators of release names."""
    out = str(escape(text))
    for mark in (".", "-", "_", "]"):
        out = out.replace(mark, mark + "<wbr>")
    return Markup(out)


def _when(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M")


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)


def _lead(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def _hours(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.1f} h"


def _num(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def render_report(data: ReportData) -> str:
    """The whole report page for ``data`` as one HTML string."""
    work_bars = [
        svg.Bar(
            label=w.work,
            segments=svg.severity_segments(w.by_severity),
            tooltip=f"{w.work}: {w.leaks} leaks, longest lead "
            f"{w.longest_lead:g} days ({', '.join(w.windows)})",
        )
        for w in data.work_stats[:TOP_WORKS]
    ]
    group_bars = [
        svg.Bar(
            label=g.group,
            segments=svg.severity_segments(g.by_severity),
            tooltip=f"{g.group}: {g.leaks} leaks on {g.works_hit} works, median "
            f"lead {g.median_lead:g} days",
        )
        for g in data.group_stats[:TOP_GROUPS]
    ]
    source_bars = [
        svg.Bar(
            label=s.source,
            tag=s.window,
            segments=svg.severity_segments(s.by_severity),
            tooltip=f"{s.source} releases before the {s.window} window: "
            f"{s.leaks} leaks, median lead {s.median_lead:g} days",
        )
        for s in data.source_stats
    ]
    table = sorted(
        data.leaks, key=lambda leak: (-leak.severity_rank, -leak.lead_days, leak.release)
    )[:MAX_TABLE_ROWS]
    severity_legend = [(s.capitalize(), svg.severity_color(s)) for s in SEVERITY_ORDER]
    groups = data.groups if data.groups is not None and not data.groups.is_empty else None
    kinds = sorted({link.kind.value for link in groups.links}) if groups is not None else []
    context: dict[str, Any] = {
        "d": data,
        "severities": SEVERITY_ORDER,
        "timeline_svg": Markup(svg.timeline(data.leaks, data.openings)),
        "severity_legend": Markup(
            svg.legend([*severity_legend, ("window opens (tick), lead line", "#1e293b")], width=720)
        ),
        "work_svg": Markup(svg.bar_chart(work_bars, label_width=300)),
        "group_svg": Markup(svg.bar_chart(group_bars, label_width=200)),
        "source_svg": Markup(svg.bar_chart(source_bars, label_width=140)),
        "more_works": max(0, len(data.work_stats) - TOP_WORKS),
        "more_groups": max(0, len(data.group_stats) - TOP_GROUPS),
        "table": table,
        "table_cut": len(data.leaks) - len(table),
        "in_window": data.releases_by_status.get("in-window", 0),
        "unmatched": data.releases_by_status.get("unmatched", 0),
        "unknown": data.releases_by_status.get("unknown", 0),
        "groups": groups,
        "world_servers_svg": Markup(
            world_map_svg(data.servers_by_country, "Servers per country", unit="servers")
        )
        if data.servers_by_country
        else "",
        "world_leaks_svg": Markup(
            world_map_svg(
                data.leaks_by_country,
                "Leaked releases tied to each country's servers",
                unit="leaks",
            )
        )
        if data.leaks_by_country
        else "",
        "notices": data.notices,
        "notices_provider_svg": Markup(
            takedown_chart(data.notices.by_provider, title="Time to takedown per provider")
        )
        if data.notices
        else "",
        "notices_country_svg": Markup(
            takedown_chart(data.notices.by_country, title="Time to takedown per country")
        )
        if data.notices
        else "",
        "group_graph_svg": Markup(group_graph(groups.nodes, groups.links) if groups else ""),
        "group_legend": Markup(
            svg.legend(
                [*kind_legend(kinds), ("group (size: leaks; red: has leaks)", "#991b1b")],
                width=1120,
            )
            if groups and groups.links
            else ""
        ),
    }
    return _environment().get_template("report.html.j2").render(**context)


def write_report(
    db: Database,
    path: Path,
    title: str | None = None,
    *,
    note: str | None = None,
    services: ServiceLists = BUILTIN,
) -> Path:
    """Read ``db``, render the report and write it to ``path`` (atomically); ``services``:
    the open trackers that link no groups.

    Raises :class:`~leaktrace.errors.InputError` naming the file when ``path`` cannot be
    written, and :class:`~leaktrace.errors.StoreError` when the database cannot be read.
    """
    with db.reading() as conn:
        return write_report_from(
            conn, path, title, database=db.display, note=note, services=services
        )


def write_report_from(
    conn: Connection,
    path: Path,
    title: str | None = None,
    *,
    database: str = "",
    note: str | None = None,
    services: ServiceLists = BUILTIN,
    notice_agency: int | None = ALL_AGENCIES,
) -> Path:
    """:func:`write_report` reading through the caller's ``conn`` (``database`` names it
    on the page; ``notice_agency``: whose takedown notices it counts, default all)."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise InputError("is a directory, expected a file name for the report", file=str(target))
    data = gather_report_data(
        conn,
        title=title,
        database=database,
        note=note,
        services=services,
        notice_agency=notice_agency,
    )
    return write_private_text(target, render_report(data), what="the report")
