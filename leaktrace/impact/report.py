"""The impact report: stored observations → sketches → ranges, with every assumption shown."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from leaktrace.impact.cube import Cube, Dimension
from leaktrace.impact.hll import DEFAULT_PRECISION
from leaktrace.impact.model import DEFAULT_ASSUMPTIONS, Assumptions
from leaktrace.store.database import Database
from leaktrace.store.swarm import ImpactFilter, leak_works, stream_impact_rows, work_titles

__all__ = ["METHOD", "ImpactReport", "impact_report"]

METHOD = (
    "download = distinct peer (keyed address) that fetched the work; distinct peers counted "
    "with HyperLogLog sketches merged per work; downloads = (completed + finish_share x "
    "incomplete) / coverage; losses = downloads x displacement x price (x (1 + uplift) for "
    "pre-release leaks); low/high combine every assumption's low/high end (scenario "
    "envelope, not a confidence interval). See docs/impact.md."
)


@dataclass(frozen=True, slots=True)
class ImpactReport:
    filters: ImpactFilter
    dims: tuple[Dimension, ...]
    assumptions: Assumptions
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    observations: int
    precision: int
    relative_error: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": METHOD,
            "assumptions": self.assumptions.as_dict(),
            "filters": {
                "work": self.filters.work_id,
                "country": self.filters.country,
                "since": None if self.filters.since is None else self.filters.since.isoformat(),
                "until": None if self.filters.until is None else self.filters.until.isoformat(),
            },
            "by": list(self.dims),
            "sketch": {
                "kind": "HyperLogLog",
                "precision": self.precision,
                "relative_error": round(self.relative_error, 5),
            },
            "observations": self.observations,
            "rows": self.rows,
            "total": self.total,
        }


def impact_report(
    db: Database,
    filters: ImpactFilter | None = None,
    dims: Sequence[Dimension] = ("work",),
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
    *,
    precision: int = DEFAULT_PRECISION,
) -> ImpactReport:
    filters = filters or ImpactFilter()
    cube = Cube(precision)
    with db.reading() as conn:
        for seen in stream_impact_rows(conn, filters):
            cube.add(seen.work, seen.country, seen.day, seen.peer_key, seen.completed)
        works = [w for w in cube.works if not w.startswith("infohash:")]
        leaks = frozenset(leak_works(conn, works))
        titles = work_titles(conn, works)
    rows: list[dict[str, Any]] = []
    for part in cube.breakdown(dims, assumptions, leaks):
        row: dict[str, Any] = dict(part.key)
        if "work" in part.key:
            work = part.key["work"] or ""
            row["title"] = titles.get(work)
        row.update(part.estimate.as_dict(assumptions.currency))
        rows.append(row)
    total = cube.total(assumptions, leaks).as_dict(assumptions.currency)
    total["works"] = len(cube.works)
    return ImpactReport(
        filters,
        tuple(dims),
        assumptions,
        rows,
        total,
        cube.observations,
        precision,
        cube.relative_error,
    )
