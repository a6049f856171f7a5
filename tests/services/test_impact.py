"""Impact service over the demo scenario: the CLI's JSON, filters, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.impact.model import ImpactFilter
from leaktrace.impact.report import impact_report
from leaktrace.services.context import AppContext
from leaktrace.services.impact import impact_estimate, impact_from_query
from tests.services.demo_world import demo_context


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[AppContext]:
    yield from demo_context(tmp_path)


def test_estimate_is_the_cli_json(demo: AppContext) -> None:
    expected = impact_report(demo.database, ImpactFilter(), ("work",), exact=True).as_dict()
    view = impact_estimate(demo, ImpactFilter(), ("work",), exact=True)
    assert view.to_json() == expected
    assert view.observations > 0 and view.rows and view.total["works"] == len(view.rows)


def test_query_options(demo: AppContext) -> None:
    by_country = impact_from_query(demo, by="work,country", exact=True, no_uplift=True)
    assert by_country.by == ["work", "country"]
    assert all("country" in row for row in by_country.rows)
    assert by_country.assumptions["pre_release_uplift"]["applied"] is False
    cheap = impact_from_query(demo, price="1", currency="usd", exact=True)
    assert cheap.assumptions["currency"] == "USD"
    nothing = impact_from_query(demo, since="2000-01-01", until="2000-01-02", exact=True)
    assert nothing.observations == 0 and nothing.rows == []


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"by": "planet"}, "by"),
        ({"displacement": "0.5:0.1"}, "displacement"),
        ({"price": "cheap"}, "price"),
        ({"coverage": "0"}, "coverage"),
        ({"currency": "EURO"}, "currency"),
        ({"since": "yesterday-ish"}, "since"),
        ({"since": "2024-03-02", "until": "2024-03-01"}, "since"),
        ({"country": "'; DROP TABLE works; --"}, "country"),
    ],
)
def test_bad_options_name_the_field(demo: AppContext, options: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as bad:
        impact_from_query(demo, **options)  # type: ignore[arg-type]
    assert bad.value.field == field
