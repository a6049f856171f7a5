"""``leaktrace ingest``, ``releases`` and ``leaks``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from leaktrace.cli.context import (
    DbOption,
    FormatOption,
    LimitOption,
    err,
    gather,
    open_context,
    out,
    parse_when,
    require_file,
    row_limit,
)
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.detect.rules import Severity
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services.context import AppContext
from leaktrace.services.ingest import IngestReportView, ingest_files
from leaktrace.services.leaks import LEAK_SORTS, WINDOWS, LeakQuery, list_leaks
from leaktrace.services.releases import STATUSES, ReleaseQuery, list_releases
from leaktrace.services.views import Page

SinceOption = Annotated[
    str | None, typer.Option(help="Only from this date (YYYY-MM-DD, UTC) or ISO time on.")
]
UntilOption = Annotated[str | None, typer.Option(help="Only before this date or time.")]
GroupOption = Annotated[str | None, typer.Option(help="Only this release group.")]
WorkOption = Annotated[str | None, typer.Option("--work", help="Only this work id.")]


def _count_lines(paths: list[Path]) -> int:
    total = 0
    for path in paths:
        try:
            with path.open("rb") as handle:
                while block := handle.read(1 << 20):
                    total += block.count(b"\n")
        except OSError:
            continue
    return total


def ingest(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Feed files: JSON Lines (LeakTrace or predb.ovh rows) or .json documents.",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    strict: Annotated[
        bool, typer.Option(help="Stop at the first bad line and write nothing.")
    ] = False,
    fmt: FormatOption = Format.table,
) -> None:
    """Ingest release feeds: parse, match, detect leaks and store, in one transaction.

    Bad lines are reported and skipped (unless --strict); a release seen again keeps its
    earliest time and gains a sighting; ingesting the same file twice changes nothing.
    """
    for path in files:
        require_file(path)
    total = _count_lines(files)
    with (
        open_context(db) as ctx,
        Progress(
            TextColumn("[bold]ingest"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("lines"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=not err.is_terminal,
        ) as bar,
    ):
        task = bar.add_task("ingest", total=total or None)
        report = ingest_files(
            ctx,
            local_operator(),
            files,
            strict=strict,
            progress=lambda done: bar.update(task, completed=done),
        )
        target = ctx.database.display
    if fmt is not Format.table:
        emit_json(out, report.to_json())
        return
    _print_ingest(report, target)


def _print_ingest(report: IngestReportView, target: str) -> None:
    rate = report.lines / report.seconds if report.seconds else 0.0
    out.print(
        f"[bold]{report.lines}[/] lines in {report.seconds:.2f}s ({rate:,.0f} lines/s) → {target}"
    )
    out.print(
        f"  accepted {report.accepted}, [red]rejected {report.rejected}[/]"
        if report.rejected
        else f"  accepted {report.accepted}, rejected 0"
    )
    out.print(
        f"  releases: {report.new_releases} new, {report.earlier_times} seen earlier "
        f"than before; sightings: {report.new_sightings} new, "
        f"{report.repeated_sightings} already known"
    )
    if report.statuses:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(report.statuses.items()))
        out.print(f"  new releases by outcome: {parts}")
    style = "bold red" if report.new_alerts else "green"
    out.print(f"  [{style}]{report.new_alerts} new leak alerts[/]")
    for error in report.errors:
        out.print(f"  [red]skipped[/] {error.text()}", markup=True, highlight=False)
    if report.rejected > len(report.errors):
        out.print(f"  … and {report.rejected - len(report.errors)} more bad lines")


def releases(
    db: DbOption = None,
    status: Annotated[
        str | None,
        typer.Option(help="Only releases with this outcome: leak, in-window, unknown, unmatched."),
    ] = None,
    work: WorkOption = None,
    group: GroupOption = None,
    source: Annotated[str | None, typer.Option(help="Only this source (bluray, cam …).")] = None,
    search: Annotated[str | None, typer.Option(help="Part of the release name.")] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List stored releases, newest first, with the work each matched and why."""
    if status is not None and status not in STATUSES:
        raise typer.BadParameter(
            "must be leak, in-window, unknown or unmatched", param_hint="--status"
        )
    query = ReleaseQuery(
        status=status,
        work=work,
        group=group,
        source=source,
        search=search,
        since=parse_when(since, "--since"),
        until=parse_when(until, "--until"),
        with_total=fmt is Format.table,
    )
    rows, total = _gather_rows(db, list_releases, query, row_limit(limit, fmt))
    emit_rows(
        out,
        rows,
        fmt,
        title="Releases",
        caption=_caption(len(rows), total),
        columns=[
            ("released_at", "released (UTC)"),
            ("release", "release"),
            ("work", "work"),
            ("score", "score"),
            ("status", "status"),
            ("source", "source"),
            ("group", "group"),
            ("sightings", "seen"),
        ],
        whole=("release",),
        optional=("source", "group", "sightings", "released_at", "score", "work"),
    )


def leaks(
    db: DbOption = None,
    severity: Annotated[
        str | None, typer.Option(help="Minimum severity: low, medium, high, critical.")
    ] = None,
    window: Annotated[
        str | None, typer.Option(help="Only this window: theatrical, digital, physical, broadcast.")
    ] = None,
    work: WorkOption = None,
    group: GroupOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    sort: Annotated[str, typer.Option(help="Order: time, lead or severity.")] = "time",
    limit: LimitOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List pre-release leak alerts: what leaked, which window, how early, how grave."""
    try:
        minimum = Severity(severity) if severity else None
    except ValueError:
        raise typer.BadParameter(
            "must be low, medium, high or critical", param_hint="--severity"
        ) from None
    if window is not None and window not in WINDOWS:
        raise typer.BadParameter(
            "must be theatrical, digital, physical or broadcast", param_hint="--window"
        )
    if sort not in LEAK_SORTS:
        raise typer.BadParameter("must be time, lead or severity", param_hint="--sort")
    query = LeakQuery(
        severity=minimum.value if minimum else None,
        window=window,
        work=work,
        group=group,
        since=parse_when(since, "--since"),
        until=parse_when(until, "--until"),
        sort=sort,
        with_total=fmt is Format.table,
    )
    rows, total = _gather_rows(db, list_leaks, query, row_limit(limit, fmt))
    emit_rows(
        out,
        rows,
        fmt,
        title="Pre-release leaks",
        caption=_caption(len(rows), total),
        columns=[
            ("released_at", "released (UTC)"),
            ("release", "release"),
            ("work", "work"),
            ("window", "window"),
            ("window_date", "opens"),
            ("lead_days", "lead (days)"),
            ("severity", "severity"),
            ("group", "group"),
        ],
        whole=("release",),
        optional=("window_date", "window", "released_at", "group", "work"),
    )


Query = TypeVar("Query", LeakQuery, ReleaseQuery)


def _gather_rows(
    db: str | None,
    listing: Callable[[AppContext, Actor, Query], Page[Any]],
    query: Query,
    limit: int | None,
) -> tuple[list[dict[str, Any]], int]:
    """Up to ``limit`` items of a paged listing as the local operator sees them, as their
    JSON rows, and the total (see :func:`gather`)."""
    me = local_operator()
    with open_context(db) as ctx:
        views, total = gather(
            lambda size, cursor: listing(ctx, me, replace(query, limit=size, cursor=cursor)),
            limit,
        )
    return [v.to_json() for v in views], total


def _caption(shown: int, total: int) -> str | None:
    if total == 0:
        return "nothing stored matches"
    return f"{shown} of {total}" + (
        " (use --limit or --format json for more)" if shown < total else ""
    )
