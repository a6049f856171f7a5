"""The self-contained HTML leak report: data gathering, inline SVG charts, rendering."""

from leaktrace.report.data import (
    GroupStat,
    LeakRow,
    ReportData,
    SourceStat,
    WindowOpening,
    WorkStat,
    build_report_data,
    gather_report_data,
)
from leaktrace.report.html import render_report, write_report

__all__ = [
    "GroupStat",
    "LeakRow",
    "ReportData",
    "SourceStat",
    "WindowOpening",
    "WorkStat",
    "build_report_data",
    "gather_report_data",
    "render_report",
    "write_report",
]
