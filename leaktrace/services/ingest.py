"""Ingest feed files as one use case: parse, match, detect and store, in one transaction
(``leaktrace ingest``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.pipeline.ingest import IngestReport, ingest_paths
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.views import View

__all__ = ["IngestReportView", "LineProblem", "ingest_files"]


class LineProblem(View):
    """A bad feed line: where, and what is wrong with it."""

    file: str | None
    line: int | None
    field: str | None
    reason: str

    def text(self) -> str:
        """The problem as the command line says it (``file:line, field 'x': reason``)."""
        return str(InputError(self.reason, file=self.file, line=self.line, field=self.field))


class IngestReportView(View):
    """What an ingest did (``leaktrace ingest --format json``)."""

    files: list[str]
    lines: int
    accepted: int
    rejected: int
    errors: list[LineProblem]
    new_releases: int
    earlier_times: int
    new_sightings: int
    repeated_sightings: int
    new_alerts: int
    nukes: int
    statuses: dict[str, int]
    run_id: int | None
    seconds: float

    @classmethod
    def of(cls, report: IngestReport) -> IngestReportView:
        return cls.model_validate(report.as_dict())


def ingest_files(
    ctx: AppContext,
    actor: Actor,
    paths: Sequence[Path],
    *,
    strict: bool = False,
    progress: Callable[[int], None] | None = None,
) -> IngestReportView:
    """Ingest JSON Lines feed files in one transaction. Bad lines are skipped and counted;
    with ``strict`` the first one aborts and nothing is written."""
    for path in paths:
        if path.is_dir():
            raise InputError("is a folder, expected a file", file=str(path))
        if not path.is_file():
            raise InputError("no such file", file=str(path))
    with ctx.database.transaction() as conn:
        report = ingest_paths(conn, paths, ctx.settings, strict=strict, progress=progress)
        audit.record(
            conn,
            actor,
            "feeds.ingest",
            subject=", ".join(str(p) for p in paths)[:300],
            detail=f"{report.accepted} accepted, {report.rejected} rejected, "
            f"{report.new_releases} new releases, {report.new_alerts} new leak alerts",
        )
    return IngestReportView.of(report)
