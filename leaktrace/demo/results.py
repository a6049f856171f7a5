"""What :func:`~leaktrace.demo.scenario.generate` returns: the files it wrote and, for
every release, what LeakTrace's own detection rules should conclude about it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from leaktrace.demo.builder import Release
from leaktrace.demo.infra import InfraFacts
from leaktrace.demo.premise import FICTIONAL_NOTICE
from leaktrace.demo.supply import SupplyFacts
from leaktrace.detect.detector import assess

__all__ = ["PlantedRelease", "ScenarioFiles", "planted_release"]


@dataclass(frozen=True, slots=True)
class PlantedRelease:
    """One generated release and what LeakTrace should conclude about it."""

    name: str
    work_id: str | None
    group: str | None
    source: str | None
    first_seen: datetime
    status: str  # leak, in-window, unknown or unmatched
    window: str | None = None  # the window it leaks (leaks only)
    severity: str | None = None
    role: str = ""  # what it plays in the story (supply-chain, cam, noise ...)


@dataclass(frozen=True, slots=True)
class ScenarioFiles:
    """The files :func:`generate` wrote and the facts planted in them."""

    directory: Path
    catalog: Path
    feeds: tuple[Path, ...]
    readme: Path
    seed: int
    supply_chain_group: str
    works: int
    films: int
    seasons: int
    sightings: int
    malformed_lines: int
    planted: dict[str, PlantedRelease]
    workprint_release: str
    screener_release: str
    synthetic: bool = True
    notice: str = FICTIONAL_NOTICE
    pre_air_releases: tuple[str, ...] = ()
    supply: SupplyFacts | None = None
    infra: InfraFacts | None = None

    @property
    def releases(self) -> int:
        return len(self.planted)

    @property
    def lines(self) -> int:
        return self.sightings + self.malformed_lines

    @property
    def leaks(self) -> list[PlantedRelease]:
        return [p for p in self.planted.values() if p.status == "leak"]

    @property
    def leaks_by_window(self) -> dict[str, int]:
        return dict(sorted(Counter(str(p.window) for p in self.leaks).items()))

    @property
    def leaks_by_group(self) -> dict[str, int]:
        return dict(Counter(str(p.group) for p in self.leaks).most_common())

    def leaks_in(self, window: str) -> dict[str, int]:
        """Leaks of ``window`` per group, most first."""
        return dict(Counter(str(p.group) for p in self.leaks if p.window == window).most_common())

    @property
    def statuses(self) -> dict[str, int]:
        return dict(sorted(Counter(p.status for p in self.planted.values()).items()))

    def as_dict(self) -> dict[str, Any]:
        """Headline facts, JSON-ready (for ``leaktrace demo --json``)."""
        return {
            "synthetic": self.synthetic,
            "notice": self.notice,
            "seed": self.seed,
            "directory": str(self.directory),
            "catalog": str(self.catalog),
            "feeds": [str(p) for p in self.feeds],
            "works": self.works,
            "films": self.films,
            "seasons": self.seasons,
            "releases": self.releases,
            "sightings": self.sightings,
            "malformed_lines": self.malformed_lines,
            "statuses": self.statuses,
            "leaks_by_window": self.leaks_by_window,
            "leaks_by_group": self.leaks_by_group,
            "supply_chain_group": self.supply_chain_group,
            "workprint_release": self.workprint_release,
            "screener_release": self.screener_release,
        }


def planted_release(release: Release) -> PlantedRelease:
    """What LeakTrace should conclude about ``release``, by its first sighting."""
    first = release.first
    if release.work is None:
        return PlantedRelease(
            release.name, None, release.group, release.source, first, "unmatched", role=release.role
        )
    verdict = assess(release.source, release.work, first)
    alert = verdict.alert
    return PlantedRelease(
        release.name,
        release.work.id,
        release.group,
        release.source,
        first,
        verdict.status,
        window=alert.window.value if alert else None,
        severity=alert.severity.value if alert else None,
        role=release.role,
    )
