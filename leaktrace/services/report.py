"""The HTML report (``leaktrace report``): one self-contained page of leaks."""

from __future__ import annotations

from pathlib import Path

from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.private_files import write_private_text
from leaktrace.services.context import AppContext
from leaktrace.services.views import View

__all__ = ["ReportFileView", "write_html_report"]


class ReportFileView(View):
    path: str


def write_html_report(
    ctx: AppContext, actor: Actor, path: Path, *, title: str | None = None
) -> ReportFileView:
    """Render the report from the database and write it to ``path`` (atomically,
    readable by its owner only)."""
    actor.require(Permission.read_intel)
    from leaktrace.report.data import gather_report_data
    from leaktrace.report.html import render_report

    target = Path(path).expanduser()
    if target.is_dir():
        raise InputError("is a directory, expected a file name for the report", file=str(target))
    with ctx.database.reading() as conn:
        data = gather_report_data(
            conn, title=title, database=ctx.database.display, services=ctx.services
        )
    written = write_private_text(target, render_report(data), what="the report")
    return ReportFileView(path=str(written))
