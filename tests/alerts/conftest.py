"""Hand-built alert events and local servers for the sink tests."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from leaktrace.alerts.base import AlertEvent, EventKind
from leaktrace.alerts.receiver import WebhookReceiver
from leaktrace.detect.rules import Severity

SECRET = "whsec-Th1s-1s-N0t-Publ1c"

EventFactory = Callable[..., AlertEvent]


def leak_payload(
    release: str = "Dune.Part.Three.2026.1080p.WEB-DL.DDP5.1.H.264-LEAKERS", **extra: Any
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "release": release,
        "work_id": "dune-part-three-2026",
        "work": "Dune: Part Three (2026)",
        "window": "digital",
        "window_date": "2026-03-10",
        "source": "web-dl",
        "lead_days": 12.0,
        "severity": "high",
        "group": "LEAKERS",
        "released_at": "2026-02-26T08:00:00Z",
        "rule": "web-before-digital-release",
        "explanation": "A streaming copy 12 days before the digital release: "
        "a platform or supply-chain leak.",
    }
    payload.update(extra)
    return payload


def make_event(
    kind: EventKind = "leak",
    *,
    key: str = "leak:dune-part-three-2026:digital:LEAKERS",
    severity: Severity = Severity.HIGH,
    window: str = "digital",
    work_id: str = "dune-part-three-2026",
    payload: dict[str, Any] | None = None,
) -> AlertEvent:
    if payload is None:
        payload = leak_payload()
        if kind == "nuke":
            payload["nuke"] = {
                "action": "nuke",
                "reason": "stolen.from.p2p",
                "net": "LocalNet",
                "at": "2026-02-26T09:00:00Z",
            }
    return AlertEvent(
        key=key,
        kind=kind,
        created_at=datetime(2026, 2, 26, 8, 5, 0, tzinfo=UTC),
        severity=severity,
        window=window,
        work_id=work_id,
        payload=payload,
    )


@pytest.fixture
def event() -> AlertEvent:
    return make_event()


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as server:
        yield server


def free_port() -> int:
    """A port nothing listens on (bound and released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
