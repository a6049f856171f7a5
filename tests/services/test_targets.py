"""Targets services over the demo scenario: a country's sheet and the world map."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from leaktrace.errors import InputError
from leaktrace.infra.cluster import ClusterSettings
from leaktrace.infra.targets import build_targets
from leaktrace.services.context import AppContext
from leaktrace.services.hosts import group_links, host_list
from leaktrace.services.targets import country_targets, world_map, write_target_files
from tests.services.demo_world import demo_context


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[AppContext]:
    yield from demo_context(tmp_path / "db")


def test_world_map_counts_every_located_server(demo: AppContext) -> None:
    view = world_map(demo)
    hosts = host_list(demo).hosts
    assert sum(c.servers for c in view.countries) + view.unlocated == len(hosts)
    assert [c.servers for c in view.countries] == sorted(
        (c.servers for c in view.countries), reverse=True
    )
    assert view.svg.startswith("<svg") and "Servers per country" in view.svg
    assert all(len(c.country) == 2 and c.name for c in view.countries)


def test_country_sheet_is_the_cli_json(demo: AppContext) -> None:
    code = world_map(demo).countries[0].country
    view = country_targets(demo, code.lower())
    settings = ClusterSettings(services=demo.services, find_links=group_links)
    expected = build_targets(demo.database, code, settings=settings).as_dict()
    got = view.to_json()
    assert got.pop("generated_at") and expected.pop("generated_at")
    assert got == expected
    assert view.country == code and view.servers == len(view.hosts) > 0
    assert all(h.country == code for h in view.hosts)
    assert "unlocated" not in got


def test_unknown_sheet_and_bad_codes(demo: AppContext) -> None:
    unknown = country_targets(demo, "unknown")
    assert unknown.country == "unknown" and all(h.country is None for h in unknown.hosts)
    for bad in ("Germany", "D", "'; DROP TABLE hosts; --", ""):
        with pytest.raises(InputError):
            country_targets(demo, bad)
    with pytest.raises(InputError):
        country_targets(demo, "DE", min_strength=1.5)


def test_files_for_every_country(demo: AppContext, tmp_path: Path) -> None:
    files = write_target_files(demo, tmp_path / "out")
    located = {c.country for c in world_map(demo).countries}
    assert set(files.countries) == located | ({"unknown"} if files.unlocated else set())
    assert len(files.written) == 3 * len(files.countries)
    sheet = json.loads((tmp_path / "out" / f"targets-{files.countries[0]}.json").read_text())
    assert sheet["servers"] == files.servers[files.countries[0]]
    assert set(files.to_json()) == {"written", "countries"}
