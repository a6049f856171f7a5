"""Impact: downloads and losses estimated from swarm observations, as ranges.

The estimate counts distinct (hashed) peers; it returns aggregates only, never a peer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from leaktrace.errors import InputError
from leaktrace.impact.model import DEFAULT_ASSUMPTIONS, Assumptions, ImpactFilter, parse_range
from leaktrace.impact.model import Range as ImpactRange
from leaktrace.impact.report import Dimension, impact_report, parse_dimensions
from leaktrace.infra.targets import normalise_country
from leaktrace.services.analytics import parquet_source
from leaktrace.services.context import AppContext
from leaktrace.services.leaks import parse_when
from leaktrace.services.views import View

__all__ = ["ImpactView", "impact_assumptions", "impact_estimate", "impact_from_query"]


class ImpactView(View):
    """``leaktrace impact --format json``: the method, every assumption (with its
    source), the filters, how peers were counted, and the rows and total as ranges."""

    method: str
    assumptions: dict[str, Any]
    filters: dict[str, str | None]
    by: list[str]
    counting: dict[str, Any]
    observations: int
    rows: list[dict[str, Any]]
    total: dict[str, Any]


def impact_estimate(
    ctx: AppContext,
    filters: ImpactFilter,
    dims: tuple[Dimension, ...] = ("work",),
    assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
    *,
    exact: bool = False,
    engine: str | None = None,
    master: str = "local[*]",
    parquet: Path | None = None,
) -> ImpactView:
    """The estimate for ``filters`` per ``dims``; ``engine`` None: a private embedded
    DuckDB over an export of the database (``parquet``: over that export instead)."""
    source = parquet_source(parquet)
    runner = None if engine is None else ctx.engine(engine, master=master)
    report = impact_report(
        ctx.database, filters, dims, assumptions, exact=exact, engine=runner, source=source
    )
    return ImpactView.model_validate(report.as_dict())


def _range(value: str | None, field: str, maximum: float | None = None) -> ImpactRange | None:
    if value is None:
        return None
    try:
        return parse_range(value, maximum=maximum)
    except ValueError as exc:
        raise InputError(str(exc), field=field) from None


def _same(name: str) -> str:
    return name


def impact_assumptions(
    *,
    displacement: str | None = None,
    price: str | None = None,
    currency: str = "EUR",
    coverage: str | None = None,
    finish_share: str | None = None,
    uplift: str | None = None,
    no_uplift: bool = False,
    field: Callable[[str], str] = _same,
) -> Assumptions:
    """The default assumptions with these text overrides (ranges ``X``, ``LOW:HIGH`` or
    ``LOW:CENTRAL:HIGH``); anything malformed is an :class:`InputError` whose field is
    ``field`` of the parameter's name (the CLI names its options)."""
    cover = _range(coverage, field("coverage"), 1.0)
    if cover is not None and cover.low <= 0:
        raise InputError("coverage must be above 0", field=field("coverage"))
    code = currency.strip().upper()
    if not (code.isalpha() and len(code) == 3):
        raise InputError("a three-letter currency code", field=field("currency"))
    return DEFAULT_ASSUMPTIONS.with_overrides(
        displacement=_range(displacement, field("displacement"), 1.0),
        price=_range(price, field("price")),
        currency=code,
        coverage=cover,
        finish_share=_range(finish_share, field("finish_share"), 1.0),
        pre_release_uplift=_range(uplift, field("uplift")),
        apply_uplift=not no_uplift,
    )


def impact_from_query(
    ctx: AppContext,
    *,
    work: str | None = None,
    country: str | None = None,
    since: str | None = None,
    until: str | None = None,
    by: str = "work",
    displacement: str | None = None,
    price: str | None = None,
    currency: str = "EUR",
    coverage: str | None = None,
    finish_share: str | None = None,
    uplift: str | None = None,
    no_uplift: bool = False,
    exact: bool = False,
) -> ImpactView:
    """:func:`impact_estimate` from text options (the API's query): ranges ``X``,
    ``LOW:HIGH`` or ``LOW:CENTRAL:HIGH``, dates ``YYYY-MM-DD`` or ISO times; anything
    malformed is an :class:`InputError` naming the field."""
    try:
        dims = parse_dimensions(by)
    except ValueError as exc:
        raise InputError(str(exc), field="by") from None
    assumptions = impact_assumptions(
        displacement=displacement,
        price=price,
        currency=currency,
        coverage=coverage,
        finish_share=finish_share,
        uplift=uplift,
        no_uplift=no_uplift,
    )
    start, end = parse_when(since, "since"), parse_when(until, "until")
    if start is not None and end is not None and start >= end:
        raise InputError("since must be before until", field="since")
    try:
        country_code = None if country is None else normalise_country(country)
    except InputError as exc:
        raise InputError(exc.reason, field="country") from None
    filters = ImpactFilter(work_id=work, country=country_code, since=start, until=end)
    return impact_estimate(ctx, filters, dims, assumptions, exact=exact)
