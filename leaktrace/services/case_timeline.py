"""A case's timeline: every entry of its evidence log, oldest first, in words (the case
page, ``case show`` and the bundle's ``index.html``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.services.case_views import TimelineEntryView
from leaktrace.store import evidence_log as log_store

__all__ = ["PERSONAL_SUBJECT_KINDS", "WITHHELD", "summarize", "timeline"]

PERSONAL_SUBJECT_KINDS = frozenset({"account"})
"""Subjects that name people: supply-chain accounts (their holders)."""
WITHHELD = "withheld: needs read:personal"


def _words(text: object, limit: int = 120) -> str:
    """``text`` on one line, at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


def summarize(event: str, data: Mapping[str, Any], *, personal: bool = True) -> str:
    """One line in words for an entry of ``event`` with ``data``; ``personal`` False
    withholds the names of people (supply-account subjects)."""
    get = data.get
    if event == "case.opened":
        lead = f" (lead {get('agency')})" if get("agency") else ""
        return f"Case opened: {_words(get('title', ''))}{lead}"
    if event == "case.updated":
        changed = get("changed")
        if isinstance(changed, Mapping | list):
            return "Case details changed: " + ", ".join(sorted(str(x) for x in changed))
        return "Case details changed"
    if event == "member.added":
        return f"{get('agency', 'An agency')} added as {get('role', 'member')}"
    if event == "subject.added":
        if get("kind") in PERSONAL_SUBJECT_KINDS and not personal:
            return f"Subject added: {get('kind')} ({WITHHELD})"
        return f"Subject added: {get('kind', '')} {_words(get('value', ''))}".rstrip()
    if event == "item.added":
        what = get("label") or get("original_name") or get("reference") or "an item"
        kind = f" ({get('kind')})" if get("kind") else ""
        reason = f": {_words(get('reason'), 80)}" if get("reason") else ""
        return f"Evidence added{kind}: {_words(what)}{reason}"
    if event == "note.added":
        return f"Note: {_words(get('text', ''))}"
    if event == "task.added":
        to = f" (assigned to {get('assignee')})" if get("assignee") else ""
        return f"Task added: {_words(get('title', ''))}{to}"
    if event == "task.updated":
        task = get("title") or (f"#{get('task')}" if get("task") is not None else "")
        parts = []
        if get("status"):
            parts.append(f"now {get('status')}")
        if "assignee" in data:
            parts.append(f"assigned to {get('assignee') or 'nobody'}")
        return f"Task {_words(task)} updated" + (": " + ", ".join(parts) if parts else "")
    if event == "status.changed":
        was = f" from {get('from')}" if get("from") else ""
        reason = f": {_words(get('reason'), 80)}" if get("reason") else ""
        return f"Status changed{was} to {get('to', get('status', '?'))}{reason}"
    if event == "case.exported":
        by = f" by {get('agency')}" if get("agency") else ""
        return f"Exported as a bundle of {get('tree_size', '?')} entries{by}"
    if event.startswith("operation."):
        return _operation_words(event, data)
    return event


def _operation_words(event: str, data: Mapping[str, Any]) -> str:
    """An action day's entry in words (``data``: ``operation``, ``target``, ``from``,
    ``to``, ``note``, ``agency``, ``item``, ``text``)."""
    get = data.get
    op = f"[{_words(get('operation', ''), 60)}] "
    target = _words(get("target", ""), 80)
    note = f": {_words(get('note'), 80)}" if get("note") else ""
    if event == "operation.created":
        return f"{op}Action day planned for {get('date', '?')} {get('h_hour', '')} UTC"
    if event == "operation.target":
        return f"{op}Target added: {get('kind', '')} {target}".rstrip()
    if event == "operation.assigned":
        return f"{op}{target} assigned to {get('agency') or 'nobody'}"
    if event == "operation.status":
        return f"{op}{target}: {get('from', '?')} \u2192 {get('to', '?')}{note}"
    if event == "operation.checked":
        return f"{op}{target}: {get('item', '?')} checked{note}"
    if event == "operation.issue":
        return f"{op}Issue on {target}: {_words(get('text', ''), 80)}"
    if event == "operation.resolved":
        return f"{op}Issue on {target} resolved{note}"
    return f"{op}{event}"


def timeline(conn: Connection, case_id: int, *, personal: bool = True) -> list[TimelineEntryView]:
    """Every entry of the case's log, oldest first, in words (``personal`` False: the
    names of people withheld, for a reader without ``read:personal``)."""
    views: list[TimelineEntryView] = []
    for record in log_store.iter_entries(conn, case_id):
        parsed = json.loads(record.entry)
        actor = parsed.get("actor") or {}
        data = parsed.get("data") or {}
        views.append(
            TimelineEntryView(
                seq=record.seq,
                at=record.at,
                event=record.event,
                actor=str(actor.get("name", "")),
                agency=actor.get("agency"),
                summary=summarize(
                    record.event, data if isinstance(data, Mapping) else {}, personal=personal
                ),
                leaf_hash=record.leaf_hash.hex(),
                sha256=list(parsed.get("sha256") or []),
            )
        )
    return views
