"""``leaktrace watch`` and ``leaktrace sources``."""

from __future__ import annotations

import logging
import signal
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.logging import RichHandler

from leaktrace.cli.context import DbOption, FormatOption, err, open_database, out
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.sources.jsonl_tail import count_lines
from leaktrace.store.outbox import event_counts
from leaktrace.store.source_state import list_quarantine, list_states, quarantine_counts
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
    settings, database = open_database(db or watch_config.options.db)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=err, show_path=False)],
        force=True,
    )

    def on_batch(source: str, items: int) -> None:
        if verbose:
            logging.getLogger("leaktrace.watch").info("%s: %d items committed", source, items)

    with database:
        watcher = Watcher(database, settings, watch_config, on_batch=on_batch)
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


def _ago(moment: datetime | None, now: datetime) -> str | None:
    if moment is None:
        return None
    seconds = (now - moment).total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit} ago"
    return f"{seconds:.0f}s ago"


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
    _, database = open_database(db)
    now = datetime.now(UTC)
    with database, database.reading() as conn:
        if quarantine is not None:
            bad = list_quarantine(conn, None if quarantine == "all" else quarantine, 200)
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
        states = list_states(conn)
        quarantined = quarantine_counts(conn)
        deliveries = event_counts(conn)
    rows: list[dict[str, Any]] = []
    for s in states:
        rows.append(
            {
                "name": s.name,
                "kind": s.kind,
                "last_success_at": s.last_success_at.isoformat() if s.last_success_at else None,
                "last_error_at": s.last_error_at.isoformat() if s.last_error_at else None,
                "last_error": s.last_error,
                "consecutive_failures": s.consecutive_failures,
                "items_seen": s.items_seen,
                "items_quarantined": quarantined.get(s.name, 0),
                "newest_item_at": s.newest_item_at.isoformat() if s.newest_item_at else None,
                "lag_seconds": round((now - s.last_success_at).total_seconds(), 1)
                if s.last_success_at
                else None,
                "last_success": _ago(s.last_success_at, now),
                "newest_item": _ago(s.newest_item_at, now),
            }
        )
    if fmt is Format.json:
        emit_json(out, {"sources": rows, "deliveries": deliveries})
        return
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
