"""The terminal board of an action day (``leaktrace operation board`` and ``show``): one
Rich frame of an :class:`~leaktrace.services.operation_views.OperationBoardView`, and the
live loop that redraws it as the operation's events arrive."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.table import Table
from rich.text import Text

from leaktrace.identity.actor import Actor
from leaktrace.operations.model import TargetStatus, outcome_words
from leaktrace.services.context import AppContext
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_feed import follow
from leaktrace.services.operation_report import names_withheld
from leaktrace.services.operation_views import OperationBoardView, OperationEventView

__all__ = ["BOARD_EVENT_ROWS", "BOARD_TARGET_ROWS", "POLL_SECONDS", "board_frame", "follow_board"]

STATUS_STYLE = {
    "planned": "dim",
    "go": "cyan",
    "in-progress": "bold yellow",
    "done": "bold green",
    "failed": "bold red",
    "aborted": "magenta",
}
"""Colours only underline the status: it is always written out as text."""
POLL_SECONDS = 0.5
"""How often the live board asks for new events."""
BOARD_TARGET_ROWS = 40
BOARD_EVENT_ROWS = 8


def _short(stamp: str) -> str:
    """``2026-03-01T06:12:30.123456Z`` -> ``2026-03-01 06:12:30``."""
    return stamp[:19].replace("T", " ")


def _status_text(status: str) -> Text:
    return Text(status, style=STATUS_STYLE.get(status, ""))


def _statuses_text(by_status: dict[str, int]) -> Text:
    """``done 2 · in-progress 1 · planned 3`` (the statuses a country has)."""
    text = Text()
    for status in TargetStatus:
        count = by_status.get(status.value, 0)
        if not count:
            continue
        if text:
            text.append(" · ")
        text.append(f"{status.value} {count}", style=STATUS_STYLE.get(status.value, ""))
    return text


def _table(title: str, headers: list[str]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold cyan", expand=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    return table


def _event_words(event: OperationEventView) -> str:
    what = event.type
    if event.type == "status":
        what = f"{event.previous or '?'} → {event.status}"
    elif event.type == "assigned":
        what = f"assigned to {event.agency or 'nobody'}"
    elif event.type == "checked":
        what = f"{event.item} checked" if event.note is not None else f"{event.item} cleared"
    elif event.type == "issue":
        what = f"issue {event.issue_id}: {event.text or ''}"
    elif event.type == "resolved":
        what = f"issue {event.issue_id} resolved"
    elif event.type == "target":
        what = f"target added ({event.kind})"
    elif event.type == "created":
        what = "operation planned"
    note = f" – {event.note}" if event.note and event.type in ("status", "resolved") else ""
    return what + note


def board_frame(
    board: OperationBoardView, *, note: str = "", whole: bool = False
) -> RenderableType:
    """One frame of the terminal board: header, counters, countries, open issues, latest
    events, targets. Every status is written as text (colour only adds to it). ``whole``
    (``show``): every target and every issue (open first), not only what fits a screen."""
    op = board.operation
    rows = len(board.targets) if whole else BOARD_TARGET_ROWS
    header = Text()
    header.append(f" {op.handling} ", style="bold white on red")
    header.append(f"  Operation {op.id}: ", style="bold")
    header.append(op.name, style="bold")
    header.append(f"  (case {op.case_id})  {op.date}  H-hour {op.h_hour} UTC")
    header.append(f"\nlast event #{board.last_event_id}")
    if note:
        header.append(f"  {note}", style="dim")
    c = op.counters
    counters = Text()
    counters.append(f"targets {c.targets}   servers seized {c.servers_seized}   ")
    counters.append(f"arrests {c.arrests}   open issues {c.open_issues}\n")
    counters.append_text(_statuses_text(c.by_status) or Text("no targets", style="dim"))
    agencies = Text("H-hour: ", style="dim")
    agencies.append("; ".join(f"{a.code} ({a.role}) {a.h_hour_local}" for a in board.agencies))
    countries = _table("Countries", ["Country", "Targets", "Statuses"])
    for tile in board.countries:
        countries.add_row(
            Text(f"{tile.country} {tile.name}"), str(tile.targets), _statuses_text(tile.by_status)
        )
    targets = _table(
        "Targets", ["Id", "Kind", "Target", "Country", "Agency", "Status", "Outcome", "Issues"]
    )
    for target in board.targets[:rows]:
        label = target.label + (f" ({target.real_name})" if target.real_name else "")
        targets.add_row(
            str(target.id),
            target.kind,
            Text(label),
            target.country or "",
            target.agency or "unassigned",
            _status_text(target.status),
            Text(outcome_words(target.outcome)),
            Text(str(target.open_issues), style="bold red") if target.open_issues else "",
        )
    more = len(board.targets) - rows
    if more > 0:
        targets.caption = f"… and {more} more (leaktrace operation show {op.id})"
    issues = _table(
        "Issues (open first)" if whole else "Open issues",
        ["Id", "State", "Target", "Issue", "Raised", "Resolution"]
        if whole
        else ["Id", "Target", "Issue", "Raised"],
    )
    for one in board.issues:  # open first
        raised = f"{_short(one.raised_at)} {one.raised_by_agency or 'local'}"
        if whole:
            state = Text("open", style="bold red") if one.open else Text("resolved")
            issues.add_row(
                str(one.id), state, Text(one.target_label), Text(one.text), raised,
                Text(one.resolution or ""),
            )  # fmt: skip
        elif one.open:
            issues.add_row(str(one.id), Text(one.target_label), Text(one.text), raised)
    events = _table("Latest events", ["#", "At", "Target", "Change", "By"])
    for event in board.events[-BOARD_EVENT_ROWS:]:
        events.add_row(
            str(event.id),
            _short(event.at),
            Text(event.label or ""),
            Text(_event_words(event)),
            event.by_agency or "local",
        )
    footer = Text(f" {op.handling} ", style="bold white on red")
    parts: list[RenderableType] = [header, counters, agencies, countries]
    if issues.row_count:
        parts.append(issues)
    parts += [events, targets, footer]  # the longest last: a short terminal crops it
    return Group(*parts)


def _with_names(board: OperationBoardView, known: Mapping[int, str]) -> OperationBoardView:
    """``board`` (read without names) with the real names read at the session's start."""
    if not known:
        return board
    targets = [t.model_copy(update={"real_name": known.get(t.id)}) for t in board.targets]
    return board.model_copy(update={"targets": targets})


def follow_board(
    ctx: AppContext,
    actor: Actor,
    operation_id: int,
    console: Console,
    *,
    seconds: float | None = None,
    once: bool = False,
    names: bool = False,
    stop: threading.Event | None = None,
    poll: float = POLL_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Show the board on ``console`` and redraw it whenever the operation has new events
    (:func:`leaktrace.services.operation_feed.follow`, read every ``poll`` seconds), until
    ``seconds`` have passed, ``stop`` is set or Ctrl-C; ``once``: print one frame and
    return. On a terminal the board is redrawn in place (cropped to the screen's height);
    elsewhere (a pipe, a file) each new frame is printed after the last. The number of
    frames drawn.

    Persons' real names: none unless ``names`` (and ``actor`` may see them); then they
    are read with the first frame only (one ``operation.names`` audit row for the whole
    session) and kept for the redraws, which read the board without names."""
    quiet = names_withheld(actor)
    board = operation_board(ctx, actor if names else quiet, operation_id)
    known = {t.id: t.real_name for t in board.targets if t.real_name is not None}
    if once:
        console.print(board_frame(board))
        return 1
    deadline = None if seconds is None else clock() + seconds
    note = "following (Ctrl-C to stop)"
    feed = follow(
        ctx,
        quiet,
        operation_id,
        board.last_event_id,
        stop=stop or threading.Event(),
        poll=poll,
        heartbeat=poll,  # a [] when quiet: the deadline is looked at every poll
    )
    live = Live(
        board_frame(board, note=note),
        console=console,
        auto_refresh=False,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    in_place = console.is_terminal
    if in_place:
        live.start(refresh=True)
    else:
        console.print(board_frame(board, note=note))
    frames = 1
    try:
        for batch in feed:
            if deadline is not None and clock() >= deadline:
                break
            if not batch:
                continue
            board = _with_names(operation_board(ctx, quiet, operation_id), known)
            frame = board_frame(board, note=note)
            if in_place:
                live.update(frame, refresh=True)
            else:
                console.print(frame)
            frames += 1
    except KeyboardInterrupt:
        pass
    finally:
        close = getattr(feed, "close", None)  # a generator: ends its reads now
        if close is not None:
            close()
        if in_place:
            live.stop()
    return frames
