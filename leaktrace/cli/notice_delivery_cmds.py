"""``leaktrace notices send | track | renotice | stats``: delivering takedown notices and
measuring what they achieved.

``register(app)`` adds these commands to the ``notices`` Typer app that
``leaktrace.cli.notice_cmds`` builds (drafting, marking, export live there). The command
line acts as the deployment's local operator: it may send, and it sees every notice.
"""

from __future__ import annotations

import threading
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from leaktrace.cli.context import DbOption, err, open_context, out, parse_when
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.errors import InputError
from leaktrace.identity.actor import local_operator
from leaktrace.services.notice_renotice import renotice as renotice_service
from leaktrace.services.notice_sending import deliver_pending, send_notices
from leaktrace.services.notice_stats import notice_stats
from leaktrace.services.notice_tracking import track_notices, watch_replies
from leaktrace.services.notice_views import (
    NoticeStatsView,
    SendResultView,
    TakedownFigureView,
    TrackResultView,
)

__all__ = ["register"]


class _Format(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[
    _Format,
    typer.Option("--format", "-f", help="Output format: table or json.", case_sensitive=False),
]


def _print_send(result: SendResultView, fmt: _Format) -> None:
    if fmt is _Format.json:
        emit_json(out, result.to_json())
        return
    for notice_id in result.sent:
        out.print(Text(f"notice {notice_id}: sent"))
    for notice_id in result.queued:
        err.print(Text(f"notice {notice_id}: not sent yet, will be retried (send --retry)"))
    for failure in result.failed:
        err.print(Text(f"notice {failure.id}: NOT sent: {failure.reason}"))
    err.print(
        Text(
            f"{len(result.sent)} sent, {len(result.queued)} waiting for a retry, "
            f"{len(result.failed)} failed"
        )
    )


def send(
    ids: Annotated[
        list[int] | None,
        typer.Argument(help="The notices to send.", show_default=False, metavar="ID..."),
    ] = None,
    all_drafted: Annotated[
        bool, typer.Option("--all-drafted", help="Send every drafted notice.")
    ] = False,
    retry: Annotated[
        bool,
        typer.Option(
            "--retry",
            help="Only retry the notices waiting in the outbox whose back-off has passed.",
        ),
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = _Format.table,
) -> None:
    """Send notices by e-mail (ids, --all-drafted, or --retry of those waiting).

    Through the notices.smtp server (or notices.email_sink): retried with back-off on
    temporary failures, given up (failed) on permanent ones or after
    notices.max_attempts tries."""
    chosen = sum([bool(ids), all_drafted, retry])
    if chosen != 1:
        raise InputError("give notice ids, --all-drafted or --retry (one of them)", field="ids")
    with open_context(db) as ctx:
        me = local_operator()
        if retry:
            result = deliver_pending(ctx, me)
        else:
            result = send_notices(ctx, me, None if all_drafted else list(ids or []))
    _print_send(result, fmt)
    if result.failed:
        raise typer.Exit(1)


def _print_track(result: TrackResultView, fmt: _Format) -> None:
    if fmt is _Format.json:
        emit_json(out, result.to_json())
        return
    out.print(
        Text(
            f"{result.replies_read} replies read, {result.replies_matched} matched, "
            f"{result.changes} changes: {result.seen_again} locations seen again, "
            f"{result.no_response} notices without an answer (no-response)"
        )
    )
    for name in result.unmatched:
        err.print(Text(f"reply {name}: names no notice, left in the folder"))


def track(
    replies: Annotated[
        Path | None,
        typer.Option(
            "--replies",
            help="The folder of reply e-mails (.eml); default notices.replies_dir.",
            show_default=False,
        ),
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Keep going: look again every --every seconds.")
    ] = False,
    every: Annotated[
        float, typer.Option("--every", min=1, help="With --watch: seconds between rounds.")
    ] = 60.0,
    db: DbOption = None,
    fmt: FormatOption = _Format.table,
) -> None:
    """Follow sent notices: replies, locations seen again, notices without an answer.

    Replies in the replies folder (matched ones move to processed/), locations LeakTrace
    saw again after their notice, notices without an answer after
    notices.no_response_days. With --watch and a mail server configured, each round also
    retries the notices waiting after a temporary failure."""
    with open_context(db) as ctx:
        me = local_operator()
        if not watch:
            _print_track(track_notices(ctx, me, replies_dir=replies), fmt)
            return
        stop = threading.Event()
        mail = ctx.settings.notices.smtp is not None or ctx.settings.notices.email_sink
        try:
            watch_replies(
                ctx,
                me,
                every=every,
                stop=stop,
                replies_dir=replies,
                report=lambda result: _print_track(result, fmt),
                retry_sends=bool(mail) and ctx.settings.notices.sender is not None,
                sent=lambda result: _print_send(result, fmt),
            )
        except KeyboardInterrupt:
            stop.set()


def renotice(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say which notices would be repeated; write nothing.")
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = _Format.table,
) -> None:
    """Draft follow-up notices for sent notices whose locations are still up.

    One for each notice sent more than notices.renotice_days ago whose locations are still
    up (not removed, or seen again) and not rejected."""
    with open_context(db) as ctx:
        result = renotice_service(ctx, local_operator(), dry_run=dry_run)
    if fmt is _Format.json:
        emit_json(out, result.to_json())
        return
    verb = "would be repeated" if dry_run else "drafted as re-notices"
    rows = [
        {
            "id": v.id,
            "reference": v.reference,
            "recipient": v.recipient_name or v.recipient_key,
            "locations": v.locations,
            "repeats": v.previous_id if not dry_run else None,
        }
        for v in result.notices
    ]
    emit_rows(
        out,
        rows,
        Format.table,
        columns=[
            ("id", "Id"),
            ("reference", "Reference"),
            ("recipient", "Recipient"),
            ("locations", "Locations"),
            ("repeats", "Repeats"),
        ],
        title=f"{len(rows)} notices {verb}",
    )


def _figure_rows(figures: list[TakedownFigureView]) -> list[dict[str, Any]]:
    return [
        {
            "key": f.key,
            "notices": f.notices,
            "locations": f.locations,
            "removed": f.removed,
            "share": f"{f.removed_share * 100:.0f}%",
            "median_hours": "n/a" if f.median_hours is None else f"{f.median_hours:.1f}",
            "p90_hours": "n/a" if f.p90_hours is None else f"{f.p90_hours:.1f}",
        }
        for f in figures
    ]


def _print_stats(view: NoticeStatsView) -> None:
    median = "n/a" if view.median_hours is None else f"{view.median_hours:.1f} h"
    p90 = "n/a" if view.p90_hours is None else f"{view.p90_hours:.1f} h"
    out.print(
        Text(
            f"{view.notices} notices, {view.sent} sent; {view.removed} of {view.locations} "
            f"locations removed ({view.removed_share * 100:.0f}%); time to takedown: "
            f"median {median}, p90 {p90}"
        )
    )
    out.print(Text("by status: " + ", ".join(f"{k} {v}" for k, v in view.by_status.items())))
    for title, figures, header in (
        ("Time to takedown per provider", view.by_provider, "Provider"),
        ("Time to takedown per country", view.by_country, "Country"),
    ):
        if not figures:
            continue
        emit_rows(
            out,
            _figure_rows(figures),
            Format.table,
            columns=[
                ("key", header),
                ("notices", "Notices"),
                ("locations", "Locations"),
                ("removed", "Removed"),
                ("share", "Share"),
                ("median_hours", "Median h"),
                ("p90_hours", "p90 h"),
            ],
            title=title,
        )
    if view.repeat_offenders:
        emit_rows(
            out,
            [o.to_json() for o in view.repeat_offenders],
            Format.table,
            columns=[
                ("host", "Host"),
                ("recipient", "Recipient"),
                ("notices", "Notices"),
                ("locations", "Locations"),
                ("seen_again", "Seen again"),
            ],
            title="Repeat offenders",
        )


def stats(
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only notices sent since (YYYY-MM-DD or an ISO time).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = _Format.table,
) -> None:
    """Time to takedown per provider and country, share removed, repeat offenders.

    Median and 90th percentile in hours, per provider and per country; the share of
    locations removed (seen again = not removed); repeat offenders; notices by status.
    With --since, only the notices sent since that date."""
    when: datetime | None = parse_when(since, "since")
    with open_context(db) as ctx:
        view = notice_stats(ctx, local_operator(), since=when)
    if fmt is _Format.json:
        emit_json(out, view.to_json())
        return
    _print_stats(view)


def register(app: typer.Typer) -> None:
    """Add ``send``, ``track``, ``renotice`` and ``stats`` to the ``notices`` app."""
    app.command("send")(send)
    app.command("track")(track)
    app.command("renotice")(renotice)
    app.command("stats")(stats)
