"""The HTML report (``leaktrace report``): one self-contained page of leaks."""

from __future__ import annotations

from pathlib import Path

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.context import AppContext
from leaktrace.services.views import View

__all__ = ["ReportFileView", "write_html_report"]


class ReportFileView(View):
    path: str


def write_html_report(
    ctx: AppContext,
    actor: Actor,
    path: Path,
    *,
    title: str | None = None,
    note: str | None = None,
) -> ReportFileView:
    """Render the report from the database and write it to ``path`` (atomically,
    readable by its owner only). Its takedown-notice figures are those of the actor's
    agency (every agency's for the command line's operator). ``note``: a line shown at
    the top (the demo's "synthetic data" notice)."""
    actor.require(Permission.read_intel)
    from leaktrace.report.html import write_report_from
    from leaktrace.services.notice_stats import agency_scope

    with ctx.database.reading() as conn:
        written = write_report_from(
            conn,
            path,
            title,
            database=ctx.database.display,
            services=ctx.services,
            note=note,
            notice_agency=agency_scope(actor),
        )
    return ReportFileView(path=str(written))
