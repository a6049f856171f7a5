"""Turn new leak alerts and nukes into outbox events: the payload is the stored leak's
row, the one dict form of a leak (``leaks -f json``)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy.engine import Connection

from leaktrace.alerts.base import AlertEvent
from leaktrace.catalog.model import Work
from leaktrace.detect.detector import Alert
from leaktrace.detect.rules import Severity
from leaktrace.feeds.item import NukeEvent
from leaktrace.feeds.timeparse import format_time
from leaktrace.store.portable import chunked
from leaktrace.store.queries import LeakFilter, list_leaks

__all__ = ["leak_event", "nuke_event", "stored_leaks"]


def _key(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}-{digest[:40]}"


def stored_leaks(conn: Connection, release_ids: Sequence[int]) -> dict[str, dict[str, object]]:
    """The stored leak alerts of these releases in their one dict form
    (:func:`leaktrace.store.queries.leak_row`, as ``leaks -f json``), by release name."""
    found: dict[str, dict[str, object]] = {}
    for part in chunked(list(release_ids)):
        for row in list_leaks(conn, LeakFilter(release_ids=tuple(part))):
            found[str(row["release"])] = row
    return found


def leak_event(leak: Mapping[str, object], alert: Alert, work: Work) -> AlertEvent:
    """One event per release and window, ever: the dedupe key is derived from both. The
    payload is the stored leak's row with the work's label."""
    return AlertEvent(
        key=_key("leak", str(leak["release"]), alert.window.value),
        kind="leak",
        created_at=datetime.now(UTC),
        severity=alert.severity,
        window=alert.window.value,
        work_id=work.id,
        payload={**leak, "work_label": work.label},
    )


def nuke_event(nuke: NukeEvent, leak: dict[str, object]) -> AlertEvent:
    """A nuke (or unnuke, delpre …) of a release that has a leak alert."""
    payload = dict(leak)
    payload["nuke"] = {
        "action": nuke.action,
        "reason": nuke.reason,
        "net": nuke.net,
        "at": format_time(nuke.time),
    }
    return AlertEvent(
        key=_key("nuke", nuke.name, nuke.action, nuke.reason or "", format_time(nuke.time)),
        kind="nuke",
        created_at=datetime.now(UTC),
        severity=Severity(str(leak.get("severity", "low"))),
        window=str(leak.get("window", "")),
        work_id=str(leak.get("work_id", "")),
        payload=payload,
    )
