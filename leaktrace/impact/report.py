"""The impact report: stored observations → distinct counts → ranges, every assumption shown.

The counting is the analytics engine's ``downloads`` aggregation
(:func:`leaktrace.analytics.downloads`: written once, run on embedded DuckDB by default or
on Spark); this module turns its rows into estimates. Each row of the aggregation is one
work (plus the chosen country/day), so a work's peers are counted once per row however
many days or torrents they were seen on; rows of different works are separate downloads
and are summed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from leaktrace.errors import InputError
from leaktrace.impact.model import ZERO, Assumptions, Estimate, ImpactFilter, estimate
from leaktrace.store.database import Database
from leaktrace.store.swarm import leak_works, work_titles

if TYPE_CHECKING:
    from leaktrace.analytics.aggregations import Aggregation
    from leaktrace.analytics.engines import Engine, Source

__all__ = [
    "DIMENSIONS",
    "METHOD",
    "Dimension",
    "ImpactReport",
    "impact_report",
    "parse_dimensions",
]

Dimension = Literal["work", "country", "day"]
DIMENSIONS: tuple[Dimension, ...] = ("work", "country", "day")
_COLUMN: dict[Dimension, str] = {"work": "work_id", "country": "country", "day": "day"}

METHOD = (
    "download = distinct peer (keyed address) that fetched the work; distinct peers counted "
    "per work by the analytics engine (APPROX_COUNT_DISTINCT, a HyperLogLog sketch, or "
    "COUNT DISTINCT with --exact); downloads = (completed + finish_share x incomplete) / "
    "coverage; losses = downloads x displacement x price (x (1 + uplift) for pre-release "
    "leaks); low/high combine every assumption's low/high end (scenario envelope, not a "
    "confidence interval). See docs/impact.md."
)


def parse_dimensions(text: str) -> tuple[Dimension, ...]:
    """``work``, ``country``, ``day`` or a comma-separated combination."""
    chosen: list[Dimension] = []
    for part in text.split(","):
        name = part.strip().lower()
        match = next((d for d in DIMENSIONS if d == name), None)
        if match is None:
            raise ValueError(f"{part.strip()!r} is not one of {', '.join(DIMENSIONS)}")
        if match not in chosen:
            chosen.append(match)
    return tuple(d for d in DIMENSIONS if d in chosen)


@dataclass(frozen=True, slots=True)
class ImpactReport:
    filters: ImpactFilter
    dims: tuple[Dimension, ...]
    assumptions: Assumptions
    rows: list[dict[str, Any]]
    total: dict[str, Any]
    observations: int
    engine: str
    exact: bool
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
            "counting": {
                "engine": self.engine,
                "kind": "COUNT DISTINCT" if self.exact else "HyperLogLog (APPROX_COUNT_DISTINCT)",
                "relative_error": round(self.relative_error, 5),
            },
            "observations": self.observations,
            "rows": self.rows,
            "total": self.total,
        }


@dataclass(frozen=True, slots=True)
class _Counts:
    key: dict[str, str | None]
    work: str
    peers: float
    completed: float
    observations: int


def impact_report(
    db: Database,
    filters: ImpactFilter | None = None,
    dims: Sequence[Dimension] = ("work",),
    assumptions: Assumptions | None = None,
    *,
    exact: bool = False,
    engine: Engine | None = None,
    source: Source | None = None,
) -> ImpactReport:
    """Downloads and losses per ``dims`` from the swarm observations.

    The counts run on ``engine`` (default: a fresh embedded DuckDB) over ``source``
    (default: a temporary Parquet export of ``db``); ``exact`` counts distinct peers with
    COUNT DISTINCT instead of the engine's sketch. Titles and the pre-release flag of each
    work come from ``db`` (:class:`InputError` if a ``source`` given has works ``db`` does
    not know at all: the wrong database).
    """
    from leaktrace.analytics import engine_and_source, run

    filters = filters or ImpactFilter()
    assumptions = assumptions or Assumptions()
    detail = _aggregation(filters, dims, exact)
    whole = _aggregation(filters, ("work",), exact)
    outside = source is not None
    with engine_and_source(db, [detail, whole], engine, source) as (runner, data):
        by_dims = _counts(run(detail, runner, data), dims, exact)
        per_work = (
            by_dims
            if tuple(dims) == ("work",)
            else _counts(run(whole, runner, data), ("work",), exact)
        )
        relative_error = 0.0 if exact else runner.sketch_error
        engine_name = runner.name
    works = sorted({c.work for c in per_work})
    with db.reading() as conn:
        linked = [w for w in works if not w.startswith("infohash:")]
        leaks = frozenset(leak_works(conn, linked))
        titles = work_titles(conn, linked)
    if outside and linked and not titles:
        raise InputError(
            f"the database {db.display} knows none of the {len(linked)} works in the "
            "observations given: their titles and pre-release flags would be missing; give "
            "the --db the export was made from",
            field="--db",
        )

    def value(counts: _Counts) -> Estimate:
        return estimate(
            counts.peers,
            counts.completed,
            assumptions,
            relative_error=relative_error,
            pre_release=counts.work in leaks,
        )

    totals: dict[tuple[str | None, ...], Estimate] = {}
    for counts in by_dims:
        key = tuple(counts.key.values())
        totals[key] = totals.get(key, ZERO) + value(counts)
    rows: list[dict[str, Any]] = []
    for key, result in _ordered(totals, dims):
        row: dict[str, Any] = dict(zip(dims, key, strict=True))
        if "work" in row:
            row["title"] = titles.get(row["work"] or "")
        row.update(result.as_dict(assumptions.currency))
        rows.append(row)
    total_estimate = ZERO
    for counts in per_work:
        total_estimate = total_estimate + value(counts)
    total = total_estimate.as_dict(assumptions.currency)
    total["works"] = len(works)
    return ImpactReport(
        filters,
        tuple(dims),
        assumptions,
        rows,
        total,
        sum(c.observations for c in per_work),
        engine_name,
        exact,
        relative_error,
    )


def _aggregation(filters: ImpactFilter, dims: Sequence[Dimension], exact: bool) -> Aggregation:
    from leaktrace.analytics import downloads

    return downloads(
        by=[_COLUMN[d] for d in ("work", *dims)],
        exact=exact,
        since=filters.since,
        until=filters.until,
        work_ids=None if filters.work_id is None else [filters.work_id],
        countries=None if filters.country is None else [filters.country.upper()],
    )


def _counts(table: Any, dims: Sequence[Dimension], exact: bool) -> list[_Counts]:
    from leaktrace.analytics import UNKNOWN_COUNTRY

    peers = "peers_exact" if exact else "peers"
    completed = "completions_exact" if exact else "completions"
    out: list[_Counts] = []
    for row in table.to_pylist():
        key: dict[str, str | None] = {}
        for dim in dims:
            raw = row[_COLUMN[dim]]
            if dim == "country" and raw == UNKNOWN_COUNTRY:
                key[dim] = None
            elif isinstance(raw, date):
                key[dim] = raw.isoformat()
            else:
                key[dim] = None if raw is None else str(raw)
        out.append(
            _Counts(key, str(row["work_id"]), float(row[peers]), float(row[completed]),
                    int(row["observations"]))
        )  # fmt: skip
    return out


def _ordered(
    totals: Mapping[tuple[str | None, ...], Estimate], dims: Sequence[Dimension]
) -> Iterator[tuple[tuple[str | None, ...], Estimate]]:
    def text(key: tuple[str | None, ...]) -> tuple[str, ...]:
        return tuple("" if part is None else part for part in key)

    if "day" in dims:
        yield from sorted(totals.items(), key=lambda item: text(item[0]))
    else:
        yield from sorted(totals.items(), key=lambda i: (-i[1].downloads.central, text(i[0])))
