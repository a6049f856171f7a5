"""Turn new leak alerts and nukes into outbox events (same shape as ``leaks -f json``)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from leaktrace.alerts.base import AlertEvent
from leaktrace.catalog.model import Work
from leaktrace.detect.detector import Alert
from leaktrace.detect.rules import Severity
from leaktrace.feeds.item import NukeEvent
from leaktrace.feeds.timeparse import format_time

__all__ = ["leak_event", "nuke_event"]


def _key(prefix: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{prefix}-{digest[:40]}"


def leak_payload(name: str, group: str | None, alert: Alert, work: Work) -> dict[str, object]:
    return {
        "release": name,
        "work_id": work.id,
        "work": work.title,
        "work_label": work.label,
        "window": alert.window.value,
        "window_date": alert.window_date.isoformat(),
        "source": alert.source,
        "lead_days": alert.lead_days,
        "severity": alert.severity.value,
        "group": group,
        "released_at": format_time(alert.released_at),
        "rule": alert.rule,
        "explanation": alert.explanation,
    }


def leak_event(name: str, group: str | None, alert: Alert, work: Work) -> AlertEvent:
    """One event per release and window, ever: the dedupe key is derived from both."""
    return AlertEvent(
        key=_key("leak", name, alert.window.value),
        kind="leak",
        created_at=datetime.now(UTC),
        severity=alert.severity,
        window=alert.window.value,
        work_id=work.id,
        payload=leak_payload(name, group, alert, work),
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
