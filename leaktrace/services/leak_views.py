"""Read models of leaks and releases: the rows of ``leaktrace leaks`` / ``releases``
``--format json`` (times as ``YYYY-MM-DDTHH:MM:SSZ``, days as ``YYYY-MM-DD``), with ids."""

from __future__ import annotations

from typing import Any, Literal

from leaktrace.services.views import View

__all__ = [
    "VERDICTS",
    "LeakView",
    "NfoView",
    "ReleaseDetail",
    "ReleaseView",
    "SightingView",
    "TriageView",
    "Verdict",
]

Verdict = Literal["confirmed", "false-positive"]
VERDICTS: tuple[str, ...] = ("confirmed", "false-positive")


class TriageView(View):
    """The asking agency's verdict on a leak (other agencies' verdicts are never shown)."""

    verdict: str
    note: str
    updated_at: str | None


class LeakView(View):
    """One pre-release leak alert: what leaked, which window, how early, how grave."""

    release: str
    work_id: str
    work: str
    work_year: int | None
    work_kind: str
    season: int | None
    window: str
    window_date: str | None
    source: str
    lead_days: float
    severity: str
    group: str | None
    released_at: str | None
    rule: str
    resolution: str | None
    sightings: int
    explanation: str
    nuke: str | None
    nuke_reason: str | None
    nuke_net: str | None
    id: int
    """The leak alert's id (``/leaks/{id}``)."""
    release_id: int
    """The release's id (``/releases/{release_id}``)."""
    triage: TriageView | None


class ReleaseView(View):
    """One stored release with the work it matched and why."""

    release: str
    work_id: str | None
    work: str | None
    score: float
    status: str
    released_at: str | None
    kind: str
    title: str | None
    year: int | None
    season: int | None
    episode: int | None
    source: str | None
    resolution: str | None
    group: str | None
    sightings: int
    reason: str
    id: int


class SightingView(View):
    """Where and when a release was seen."""

    seen_at: str | None
    origin: str
    site: str | None
    url: str | None
    source: str | None
    size_bytes: int | None
    infohash: str | None
    seeders: int | None
    leechers: int | None
    grabs: int | None


class NfoView(View):
    """An NFO text announced with the release (outside text: show it escaped)."""

    seen_at: str | None
    group: str | None
    text: str


class ReleaseDetail(View):
    """A release page: its name, what the parser read, the work it matched and why, the
    rule that flagged it (if any), and its sightings."""

    id: int
    name: str
    released_at: str | None
    status: str
    parsed: dict[str, Any]
    work_id: str | None
    work: str | None
    work_label: str | None
    score: float
    reason: str
    nuke: str | None
    nuke_reason: str | None
    sightings: list[SightingView]
    sightings_total: int
    nfos: list[NfoView]
    """Newest first, at most 5, each cut at 64 KiB."""
    alert: LeakView | None
