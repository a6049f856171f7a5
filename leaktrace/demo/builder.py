"""The demo generator's working state: one seeded random source, the catalogue of works,
and every release generated so far with where and when it was sighted.

The release generators (:mod:`~leaktrace.demo.film_releases`,
:mod:`~leaktrace.demo.disc_releases`, :mod:`~leaktrace.demo.tv_releases`,
:mod:`~leaktrace.demo.noise_releases`) all add to one :class:`ScenarioBuilder`, in a fixed
order, so the same seed always draws the same numbers.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from leaktrace.catalog.model import Work
from leaktrace.demo.cast import SITES
from leaktrace.demo.premise import SCENARIO_END, SCENARIO_START

__all__ = ["Release", "ScenarioBuilder", "Sighting"]

_START = datetime.combine(SCENARIO_START, time(0, 0), tzinfo=UTC)
_END = datetime.combine(SCENARIO_END, time(23, 59, 59), tzinfo=UTC)
_GB = 1024**3


@dataclass
class Sighting:
    """One appearance of a release in one feed."""

    time: datetime
    feed: str  # predb, trackers or indexer
    site: str | None
    size: int  # bytes
    group: str | None


@dataclass
class Release:
    """One generated release name, the work it is of, and every sighting of it."""

    name: str
    work: Work | None
    group: str | None
    source: str | None
    role: str
    category: str
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def first(self) -> datetime:
        return min(s.time for s in self.sightings)


class ScenarioBuilder:
    """The random source, the works and the releases of one scenario being generated."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.releases: dict[str, Release] = {}
        self.works: list[Work] = []
        self.csv_titles: dict[str, str] = {}
        self.premiere_leaks: set[str] = set()
        self.platform_leaks: set[str] = set()

    def at(self, day: date, hours: float = 0.0) -> datetime:
        return datetime.combine(day, time(0, 0), tzinfo=UTC) + timedelta(hours=hours)

    def size(self, low_gb: float, high_gb: float) -> int:
        return int(self.rng.uniform(low_gb, high_gb) * _GB)

    def add(
        self,
        name: str,
        work: Work | None,
        when: datetime,
        *,
        group: str | None,
        source: str | None,
        role: str,
        feed: str,
        size: int,
        category: str = "",
        spread: bool = True,
    ) -> Release | None:
        """Add a release first seen at ``when`` in ``feed`` (predb for scene groups), and
        re-sightings on other sites. A name already generated, or a time outside the
        scenario's year, is skipped."""
        if name in self.releases or not _START <= when <= _END:
            return None
        release = Release(name, work, group, source, role, category)
        site = None if feed == "predb" else self.rng.choice(SITES)
        release.sightings.append(Sighting(when, feed, site, size, group))
        if spread:
            others = [s for s in SITES if s != site]
            self.rng.shuffle(others)
            for extra_site in others[: self.rng.choice((0, 1, 1, 2, 2, 3))]:
                later = when + timedelta(hours=self.rng.uniform(0.3, 48))
                if later <= _END:
                    extra_feed = self.rng.choice(("trackers", "indexer"))
                    release.sightings.append(
                        Sighting(
                            later,
                            extra_feed,
                            extra_site,
                            size,
                            group if self.rng.random() < 0.6 else None,
                        )
                    )
        self.releases[name] = release
        return release
