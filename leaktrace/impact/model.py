"""The impact estimate's assumptions and arithmetic: pure functions, no database.

A *download* is a distinct peer (one keyed address) that fetched a work. From the
observations:

* ``completed``: distinct peers seen with the whole file (``completed`` or ``seeder``):
  a lower bound of the downloads the monitor saw;
* ``peers``: all distinct peers seen: an upper bound (as if every one finished).

``observed downloads = completed + finish_share × (peers − completed)``, widened by the
sketch's error (±2 standard errors), then divided by the ``coverage`` (the share of the
swarm the observations see). Losses are ``downloads × displacement × price`` and, for a
work whose observed torrents are pre-release leaks, ``× (1 + pre_release_uplift)``.

Every assumption is a :class:`Range` (low, central, high). The result is the envelope:
*low* combines every assumption's low-impact end, *high* every high-impact end. It is a
range of scenarios, not a statistical confidence interval. See ``docs/impact.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

__all__ = [
    "DEFAULT_ASSUMPTIONS",
    "Assumptions",
    "Estimate",
    "ImpactFilter",
    "Range",
    "estimate",
    "parse_range",
]


@dataclass(frozen=True, slots=True)
class ImpactFilter:
    """Which swarm observations an estimate counts (None: any)."""

    work_id: str | None = None
    country: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Range:
    """A quantity as low, central and high values (low ≤ central ≤ high)."""

    low: float
    central: float
    high: float

    def __post_init__(self) -> None:
        if not self.low <= self.central <= self.high:
            raise ValueError(
                f"a range needs low <= central <= high, got {self.low:g}, "
                f"{self.central:g}, {self.high:g}"
            )

    @classmethod
    def exact(cls, value: float) -> Range:
        return cls(value, value, value)

    def scaled(self, factor: float) -> Range:
        return Range(self.low * factor, self.central * factor, self.high * factor)

    def __add__(self, other: Range) -> Range:
        return Range(self.low + other.low, self.central + other.central, self.high + other.high)

    def rounded(self, digits: int = 0) -> dict[str, float]:
        def r(value: float) -> float:
            return round(value, digits) if digits else float(round(value))

        return {"low": r(self.low), "central": r(self.central), "high": r(self.high)}

    def as_dict(self) -> dict[str, float]:
        return {"low": self.low, "central": self.central, "high": self.high}


def parse_range(text: str, *, minimum: float = 0.0, maximum: float | None = None) -> Range:
    """``X`` (exact), ``LOW:HIGH`` (central = midpoint) or ``LOW:CENTRAL:HIGH``."""
    parts = [part.strip() for part in text.split(":")]
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f"{text!r}: expected X, LOW:HIGH or LOW:CENTRAL:HIGH")
    try:
        values = [float(part) for part in parts]
    except ValueError:
        raise ValueError(f"{text!r}: not a number") from None
    for value in values:
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{text!r}: not a finite number")
        if value < minimum or (maximum is not None and value > maximum):
            upper = "" if maximum is None else f" and {maximum:g}"
            raise ValueError(f"{text!r}: values must be between {minimum:g}{upper}")
    if len(values) == 1:
        return Range.exact(values[0])
    if len(values) == 2:
        return Range(values[0], (values[0] + values[1]) / 2, values[1])
    return Range(values[0], values[1], values[2])


@dataclass(frozen=True, slots=True)
class Assumptions:
    """What the estimate assumes; every field can be overridden."""

    displacement: Range = Range(0.20, 0.30, 0.40)
    """Legal sales displaced per illegal download. EU Commission / Ecorys 2017: about 4 in
    10 (40 %) for recent top films, about 20 % for second viewings."""
    price: Range = Range(4.0, 6.0, 8.0)
    """Revenue per displaced legal view, in ``currency``. A LeakTrace default (roughly a
    new-release digital rental to a cinema ticket), not a cited figure: replace it with
    the rightsholder's own."""
    currency: str = "EUR"
    coverage: Range = Range(0.25, 0.5, 1.0)
    """Share of the swarm's peers the observations see. An assumption about the monitor
    (how many trackers, DHT crawling, how long): set it from the collection method."""
    finish_share: Range = Range(0.0, 0.5, 1.0)
    """Share of peers seen only incomplete that did finish (0 → only observed completions
    count, 1 → every distinct peer is a download)."""
    pre_release_uplift: Range = Range.exact(0.191)
    """Extra loss for works whose observed torrents are pre-release leaks. Ma, Montgomery,
    Singh and Smith (Information Systems Research, 2014): pre-release piracy cuts box-office
    revenue by 19.1 % against post-release piracy."""
    apply_uplift: bool = True
    sketch_sigmas: float = 2.0
    """Sketch error widened into the range: this many relative standard errors."""

    def with_overrides(self, **changes: Any) -> Assumptions:
        given = {key: value for key, value in changes.items() if value is not None}
        return replace(self, **given)

    def as_dict(self) -> dict[str, Any]:
        return {
            "displacement": {
                **self.displacement.as_dict(),
                "unit": "legal views displaced per download",
                "source": "EU Commission / Ecorys (2017): 40% recent top films, "
                "about 20% second viewings",
            },
            "price": {
                **self.price.as_dict(),
                "unit": f"{self.currency} per displaced view",
                "source": "LeakTrace default assumption; override with --price",
            },
            "coverage": {
                **self.coverage.as_dict(),
                "unit": "share of the swarm observed",
                "source": "assumption about the monitoring; override with --coverage",
            },
            "finish_share": {
                **self.finish_share.as_dict(),
                "unit": "share of incomplete peers that finished unseen",
                "source": "bounds: completions seen (0) to all distinct peers (1)",
            },
            "pre_release_uplift": {
                **self.pre_release_uplift.as_dict(),
                "applied": self.apply_uplift,
                "unit": "extra loss share for pre-release leaks",
                "source": "Ma, Montgomery, Singh and Smith, Information Systems Research "
                "(2014): -19.1% box office, pre- vs post-release piracy",
            },
            "sketch_sigmas": self.sketch_sigmas,
            "currency": self.currency,
        }


DEFAULT_ASSUMPTIONS = Assumptions()


@dataclass(frozen=True, slots=True)
class Estimate:
    """Downloads and losses of one work (or a sum of works) as ranges."""

    peers: float
    """Distinct peers observed (sketch estimate)."""
    completed: float
    """Distinct peers observed with the whole file (sketch estimate)."""
    observed_downloads: Range
    downloads: Range
    losses: Range
    pre_release: bool = False

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(
            self.peers + other.peers,
            self.completed + other.completed,
            self.observed_downloads + other.observed_downloads,
            self.downloads + other.downloads,
            self.losses + other.losses,
            self.pre_release or other.pre_release,
        )

    def as_dict(self, currency: str) -> dict[str, Any]:
        return {
            "observed_peers": round(self.peers),
            "observed_completed": round(self.completed),
            "observed_downloads": self.observed_downloads.rounded(),
            "downloads": self.downloads.rounded(),
            "losses": {**self.losses.rounded(2), "currency": currency},
            "pre_release": self.pre_release,
        }


ZERO = Estimate(0.0, 0.0, Range.exact(0), Range.exact(0), Range.exact(0))


def estimate(
    peers: float,
    completed: float,
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
    *,
    relative_error: float = 0.0,
    pre_release: bool = False,
) -> Estimate:
    """Downloads and losses from distinct-peer counts (see the module docstring)."""
    if peers < 0 or completed < 0:
        raise ValueError("counts cannot be negative")
    if min(assumptions.coverage.low, assumptions.coverage.central) <= 0:
        raise ValueError("coverage must be above 0")
    completed = min(completed, peers)  # two sketches: keep the subset below the whole
    incomplete = peers - completed
    share = assumptions.finish_share
    widen = assumptions.sketch_sigmas * relative_error
    observed = Range(
        max(0.0, (completed + share.low * incomplete) * (1 - widen)),
        completed + share.central * incomplete,
        (completed + share.high * incomplete) * (1 + widen),
    )
    coverage = assumptions.coverage
    downloads = Range(
        observed.low / coverage.high,
        observed.central / coverage.central,
        observed.high / coverage.low,
    )
    uplift = (
        assumptions.pre_release_uplift
        if pre_release and assumptions.apply_uplift
        else Range.exact(0.0)
    )
    d, p = assumptions.displacement, assumptions.price
    losses = Range(
        downloads.low * d.low * p.low * (1 + uplift.low),
        downloads.central * d.central * p.central * (1 + uplift.central),
        downloads.high * d.high * p.high * (1 + uplift.high),
    )
    return Estimate(peers, completed, observed, downloads, losses, pre_release)
