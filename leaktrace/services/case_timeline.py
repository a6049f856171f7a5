"""A case's timeline: every entry of its evidence log, oldest first, in words (the case
page, ``case show`` and the bundle's ``index.html``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.operations.model import CHECKLIST, outcome_words
from leaktrace.services.case_views import TimelineEntryView
from leaktrace.store import evidence_log as log_store

__all__ = ["PERSONAL_SUBJECT_KINDS", "WITHHELD", "operation_change", "summarize", "timeline"]

PERSONAL_SUBJECT_KINDS = frozenset({"account"})
"""Subjects that name people: supply-chain accounts (their holders)."""
WITHHELD = "withheld: needs read:personal"
_CHECKLIST_LABELS = dict(CHECKLIST)


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


def _text(text: object, limit: int | None) -> str:
    """``text`` on one line; at most ``limit`` characters unless ``limit`` is None."""
    flat = " ".join(str(text).split())
    return flat if limit is None else _words(flat, limit)


def operation_change(event: str, data: Mapping[str, Any], *, limit: int | None = 80) -> str:
    """What an action day's entry (``operation.*``) changed, in words, without the
    operation and the target: the after-action report's "Change" column, and the case
    timeline's operation lines after ``[operation · handling] target:``. ``limit``: at
    most that many characters of each free text (notes, issues, agencies); None keeps
    them whole (the report). ``data``: ``date``, ``h_hour``, ``agencies``, ``kind``,
    ``agency``, ``from``, ``to``, ``outcome``, ``note``, ``item``, ``done``, ``issue``,
    ``text`` (entries of every version: a key that is missing is left out)."""
    get = data.get
    note = f": {_text(get('note'), limit)}" if get("note") else ""
    if event == "operation.created":
        agencies = ", ".join(str(a) for a in get("agencies") or [])
        return f"Action day planned for {get('date', '?')} {get('h_hour', '')} UTC".rstrip() + (
            f"; agencies {_text(agencies, limit)}" if agencies else ""
        )
    if event == "operation.target":
        by = f"assigned to {get('agency')}" if get("agency") else "unassigned"
        return f"Target added ({get('kind') or '?'}, {by})"
    if event == "operation.assigned":
        was = f" (was {get('from')})" if get("from") else ""
        return f"Assigned to {get('agency') or 'nobody'}{was}"
    if event == "operation.status":
        outcome = get("outcome")
        result = outcome_words(outcome) if isinstance(outcome, Mapping) else ""
        result = _text(result, limit) if result else ""
        return (
            f"{get('from', '?')} \u2192 {get('to', '?')}"
            + (f" ({result})" if result else "")
            + note
        )
    if event == "operation.checked":
        item = _CHECKLIST_LABELS.get(str(get("item")), str(get("item", "?")))
        if get("done") is False:  # ``operation check ... --undo``
            return f"Checklist: {item} cleared"
        return f"Checklist: {item} checked{note}"
    if event == "operation.issue":
        return f"Issue #{get('issue', '?')} raised: {_text(get('text', ''), limit)}"
    if event == "operation.resolved":
        return f"Issue #{get('issue', '?')} resolved{note}"
    return event


def _operation_words(event: str, data: Mapping[str, Any]) -> str:
    """An action day's entry on one line: ``[Lantern · H2] 203.0.113.5: planned → go``
    (the operation, its handling code, the target and :func:`operation_change`)."""
    get = data.get
    handling = f" \u00b7 {get('handling')}" if get("handling") else ""
    where = f"[{_words(get('operation', ''), 60)}{handling}] "
    target = f"{_words(get('target'), 80)}: " if get("target") else ""
    return where + target + operation_change(event, data)


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
