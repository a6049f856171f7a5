"""``leaktrace watch`` and ``leaktrace sources``."""

from __future__ import annotations

import logging
import signal
import threading
from pathlib import Path
from typing import Annotated

import typer
from rich.logging import RichHandler

from leaktrace.cli.context import DbOption, FormatOption, err, open_context, out
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.identity.actor import local_operator
from leaktrace.services.sources import quarantined_input, sources_health
from leaktrace.sources.jsonl_tail import count_lines
from leaktrace.watch.config import load_watch_config
from leaktrace.watch.runner import Watcher


def watch(
    config: Annotated[
        Path, typer.Option("--config", "-c", help="The watch TOML file.", show_default=False)
    ],
    db: DbOption = None,
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="Poll every polling source once, deliver due alerts, and exit. A jsonl "
            "source reads at most its max_items lines (default 5000) per poll; what is left "
            "is reported and read by the next run.",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every batch.")] = False,
) -> None:
    """Watch live sources (pre-databases, Torznab indexers, RSS, folders), ingest what
    appears and send new leak alerts to the configured sinks.

    Runs until SIGTERM or Ctrl-C, then finishes the batch in hand and exits cleanly. Each
    batch is committed with its source's checkpoint: after a crash, a restart resumes
    where the last commit left off, with nothing lost and nothing doubled.
    """
    watch_config = load_watch_config(config)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False)],
        force=True,
    )

    def on_batch(source: str, items: int) -> None:
        if verbose:
            logging.getLogger("leaktrace.watch").info("%s: %d items committed", source, items)

    with open_context(db or watch_config.options.db) as ctx:
        database = ctx.database
        watcher = Watcher(database, ctx.settings, watch_config, on_batch=on_batch)
        names = ", ".join(r.config.name for r in watcher.sources)
        if once:
            summary = watcher.run_once()
        else:
            stop = threading.Event()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            err.print(f"watching {names} → {database.display} (Ctrl-C or SIGTERM to stop)")
            summary = watcher.run(stop)
    report = summary.report
    out.print(
        f"{summary.polls} polls ({summary.failures} failed), {summary.items} items, "
        f"{summary.quarantined} quarantined; {report.new_releases} new releases, "
        f"{report.new_alerts} new leak alerts, {report.nukes} nukes; alerts delivered "
        f"{summary.delivered}, retrying {summary.retried}, dead-lettered {summary.dead}"
        + (f"; {summary.stix_objects} shared objects stored" if summary.stix_objects else "")
    )
    if once:
        for source, left in summary.backlog:
            unread = count_lines(Path(left.location), left.offset)
            if unread:
                out.print(
                    f"{source}: {left.location}: read {left.read:,} lines, {unread:,} left "
                    f"unread (max_items={left.limit}; run again to continue)",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )


def _start(sample: str | None, width: int = 60) -> str | None:
    if sample is None or len(sample) <= width:
        return sample
    return sample[: width - 1] + "…"


def sources(
    db: DbOption = None,
    quarantine: Annotated[
        str | None,
        typer.Option(
            "--quarantine",
            "-q",
            help="List the quarantined input of this source ('all' for every source): "
            "reason, where (file and line, or the URL with secrets redacted) and the start of "
            "a sample (whole with --format json or csv).",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Show each watched source's state: last success, last error, items seen,
    items quarantined, lag; and the alert deliveries per sink."""
    me = local_operator()
    with open_context(db) as ctx:
        if quarantine is not None:
            which = None if quarantine == "all" else quarantine
            bad = [q.to_json() for q in quarantined_input(ctx, me, which, limit=200)]
            if fmt is Format.table:  # the start of each sample; JSON and CSV give it whole
                bad = [{**b, "sample": _start(b["sample"])} for b in bad]
            emit_rows(
                out,
                bad,
                fmt,
                title="Quarantined input",
                columns=[
                    ("received_at", "received"),
                    ("source", "source"),
                    ("reason", "reason"),
                    ("location", "where"),
                    ("sample", "sample"),
                ],
                optional=["sample"],
            )
            return
        health = sources_health(ctx, me)
    if fmt is Format.json:
        emit_json(out, health.to_json())
        return
    rows = [s.to_json() for s in health.sources]
    deliveries = health.deliveries
    emit_rows(
        out,
        rows,
        fmt,
        title="Sources",
        columns=[
            ("name", "source"),
            ("kind", "kind"),
            ("last_success", "last success"),
            ("newest_item", "newest item"),
            ("items_seen", "items"),
            ("items_quarantined", "quarantined"),
            ("consecutive_failures", "failures"),
            ("last_error", "last error"),
        ],
    )
    if fmt is Format.table and deliveries:
        emit_rows(
            out,
            [{"sink": k, **v} for k, v in sorted(deliveries.items())],
            fmt,
            title="Alert deliveries",
            columns=[
                ("sink", "sink"),
                ("delivered", "delivered"),
                ("pending", "pending"),
                ("dead", "dead-lettered"),
            ],
        )
