"""The synthetic demo scenario: deterministic, importable, and its planted leaks are found."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from leaktrace.catalog.csv_import import read_catalog
from leaktrace.demo.scenario import FICTIONAL_NOTICE, SITES, generate
from leaktrace.errors import FeedError
from leaktrace.feeds.jsonl import read_feed


def _digest(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_generate_is_deterministic(tmp_path: Path) -> None:
    a = generate(tmp_path / "a")
    b = generate(tmp_path / "b")
    c = generate(tmp_path / "c", seed=7)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")
    assert a.as_dict() | {"directory": "", "catalog": "", "feeds": []} == b.as_dict() | {
        "directory": "",
        "catalog": "",
        "feeds": [],
    }
    assert c.releases > 1000


def test_scenario_shape(tmp_path: Path) -> None:
    files = generate(tmp_path)
    assert files.synthetic and files.notice == FICTIONAL_NOTICE
    readme = files.readme.read_text(encoding="utf-8")
    assert FICTIONAL_NOTICE in readme and "synthetic: true" in readme
    assert files.films >= 40 and files.seasons >= 5
    assert files.releases >= 2000
    assert files.sightings > files.releases  # seen on several sites
    statuses = files.statuses
    assert statuses["in-window"] > statuses["leak"] > 100  # most releases are not leaks
    assert statuses["unmatched"] > 100  # noise
    assert set(files.leaks_by_window) == {"theatrical", "digital", "physical", "broadcast"}
    physical = files.leaks_in("physical")
    assert next(iter(physical)) == files.supply_chain_group
    assert files.planted[files.workprint_release].severity == "critical"
    assert files.planted[files.screener_release].window is not None
    assert len(files.pre_air_releases) == 2
    assert all(files.planted[n].window == "broadcast" for n in files.pre_air_releases)


def test_catalog_imports(tmp_path: Path) -> None:
    files = generate(tmp_path)
    works = read_catalog(files.catalog)
    assert len(works) == files.works
    ministries = {w.id: w for w in works if w.title == "The Ministry"}
    assert {w.country for w in ministries.values()} == {"US", "GB"}
    assert {w.season for w in ministries.values()} == {3}
    keepers = [w for w in works if w.title == "The Lantern Keeper"]
    assert sorted(w.year for w in keepers if w.year) == [1988, 2025]
    assert any(w.title == "1958" for w in works)
    assert any(any(a.startswith("Il ") for a in w.aliases) for w in works)


def test_feeds_read_with_the_planted_errors(tmp_path: Path) -> None:
    files = generate(tmp_path)
    items, errors = 0, []
    for feed in files.feeds:
        for entry in read_feed(feed):
            if isinstance(entry, FeedError):
                errors.append(entry)
            else:
                items += 1
                assert entry.site is None or entry.site in SITES or entry.site == "predb"
    assert items == files.sightings
    assert len(errors) == files.malformed_lines >= 4
    assert {e.field for e in errors} >= {None, "time"}
    predb = [
        json.loads(line)
        for line in (tmp_path / "predb.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert all(
        {"name", "preAt", "team", "cat", "size", "files", "nuke"} <= row.keys() for row in predb
    )
    names = Counter(row["name"] for row in predb)
    assert names.most_common(1)[0][1] == 1  # predb announces a name once


# ---------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> object:
    pytest.importorskip("leaktrace.pipeline.ingest")
    from leaktrace.config import Settings
    from leaktrace.demo.run import run_demo

    directory = tmp_path_factory.mktemp("demo")
    (directory / "demo.db").write_bytes(b"stale")  # replaced, not reused
    return run_demo(directory, Settings(db=None))


def _rows(demo: object) -> tuple[dict[str, dict[str, object]], dict[str, dict[str, object]]]:
    from leaktrace.demo.run import DemoResult
    from leaktrace.store.database import Database
    from leaktrace.store.queries import LeakFilter, ReleaseFilter, list_leaks, list_releases

    assert isinstance(demo, DemoResult)
    with Database(str(demo.database)) as db, db.reading() as conn:
        releases = {str(r["release"]): r for r in list_releases(conn, ReleaseFilter())}
        leaks = {str(r["release"]): r for r in list_leaks(conn, LeakFilter())}
    return releases, leaks


def test_demo_counts(demo: object) -> None:
    from leaktrace.demo.run import DemoResult

    assert isinstance(demo, DemoResult)
    files = demo.scenario
    assert demo.catalog.works == files.works
    assert demo.ingest.rejected == files.malformed_lines
    assert demo.ingest.accepted == files.sightings
    assert demo.ingest.new_releases == files.releases
    assert demo.ingest.new_sightings == files.sightings > files.releases


def test_demo_finds_the_planted_leaks(demo: object) -> None:
    from leaktrace.demo.run import DemoResult

    assert isinstance(demo, DemoResult)
    files = demo.scenario
    releases, leaks = _rows(demo)
    wrong = [
        (name, p.status, p.work_id, releases[name]["status"], releases[name]["work_id"])
        for name, p in files.planted.items()
        if (releases[name]["status"], releases[name]["work_id"]) != (p.status, p.work_id)
    ]
    assert wrong == []
    assert Counter(str(r["window"]) for r in leaks.values()) == Counter(files.leaks_by_window)
    for leak in files.leaks:
        assert (leaks[leak.name]["window"], leaks[leak.name]["severity"]) == (
            leak.window,
            leak.severity,
        )


def test_demo_story(demo: object) -> None:
    from leaktrace.demo.run import DemoResult

    assert isinstance(demo, DemoResult)
    files = demo.scenario
    releases, leaks = _rows(demo)
    physical = Counter(str(r["group"]) for r in leaks.values() if r["window"] == "physical")
    assert physical.most_common(1)[0][0] == files.supply_chain_group
    assert leaks[files.workprint_release]["severity"] == "critical"
    assert files.screener_release in leaks
    for name in files.pre_air_releases:
        assert leaks[name]["window"] == "broadcast"
    in_window = [n for n, p in files.planted.items() if p.status == "in-window"]
    assert len(in_window) > 1000
    assert not [n for n in in_window if n in leaks]
    # the US and UK series of the same title and season never get crossed
    for name, row in releases.items():
        lowered = name.lower()
        if lowered.startswith("the.ministry.us."):
            assert row["work_id"] == "tv-ministry-us-s03", name
        elif lowered.startswith("the.ministry.uk."):
            assert row["work_id"] == "tv-ministry-uk-s03", name
    assert not [r for r in leaks.values() if str(r["work_id"]).startswith("tv-ministry")]


def test_demo_report(demo: object) -> None:
    from leaktrace.demo.run import DemoResult

    assert isinstance(demo, DemoResult)
    page = demo.html.read_text(encoding="utf-8")
    assert demo.html.name == "report.html"
    assert demo.scenario.supply_chain_group in page
    assert "SYNTHETIC DATA" in page
    assert 'id="timeline"' in page and "<svg" in page
