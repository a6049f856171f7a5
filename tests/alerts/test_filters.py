"""Which events a sink's filter lets through (``SinkConfig.accepts``)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from leaktrace.alerts.jsonl import JsonlConfig
from leaktrace.alerts.webhook import WebhookConfig
from leaktrace.detect.rules import Severity

from .conftest import SECRET, make_event


def _config(**filters: Any) -> JsonlConfig:
    return JsonlConfig.model_validate({"name": "f", "path": "-", **filters})


def test_no_filter_accepts_everything() -> None:
    config = _config()
    assert config.accepts(make_event())
    assert config.accepts(make_event("nuke", severity=Severity.LOW))


@pytest.mark.parametrize(
    ("minimum", "severity", "accepted"),
    [
        (Severity.HIGH, Severity.LOW, False),
        (Severity.HIGH, Severity.MEDIUM, False),
        (Severity.HIGH, Severity.HIGH, True),
        (Severity.HIGH, Severity.CRITICAL, True),
        (Severity.LOW, Severity.LOW, True),
        (Severity.CRITICAL, Severity.HIGH, False),
    ],
)
def test_min_severity(minimum: Severity, severity: Severity, accepted: bool) -> None:
    assert _config(min_severity=minimum).accepts(make_event(severity=severity)) is accepted


def test_min_severity_from_text() -> None:
    config = _config(min_severity="medium")
    assert config.min_severity is Severity.MEDIUM
    assert not config.accepts(make_event(severity=Severity.LOW))


def test_windows() -> None:
    config = _config(windows=["theatrical", "physical"])
    assert config.accepts(make_event(window="physical"))
    assert not config.accepts(make_event(window="digital"))


def test_works() -> None:
    config = _config(works=["dune-part-three-2026"])
    assert config.accepts(make_event())
    assert not config.accepts(make_event(work_id="other-work"))


def test_events() -> None:
    config = _config(events=["nuke"])
    assert config.accepts(make_event("nuke"))
    assert not config.accepts(make_event("leak"))


def test_filters_combine() -> None:
    config = WebhookConfig(
        name="h",
        url="https://hooks.example/x",
        secret=SecretStr(SECRET),
        min_severity=Severity.HIGH,
        windows=["digital"],
        events=["leak"],
    )
    assert config.accepts(make_event())
    assert not config.accepts(make_event(severity=Severity.MEDIUM))
    assert not config.accepts(make_event(window="physical"))
    assert not config.accepts(make_event("nuke"))


def test_unknown_filter_values_are_rejected() -> None:
    with pytest.raises(ValueError):
        _config(events=["meltdown"])
    with pytest.raises(ValueError):
        _config(min_severity="apocalyptic")
