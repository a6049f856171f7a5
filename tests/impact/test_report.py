from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.impact.model import Assumptions
from leaktrace.impact.report import impact_report
from leaktrace.store.database import Database
from leaktrace.store.swarm import ImpactFilter
from leaktrace.swarm.geo import GeoLookup
from leaktrace.swarm.importer import import_swarm_files
from tests.swarm.conftest import HASH_A, HASH_B, HASH_LEAK, KEY, row, seed_catalog


def load_observations(db: Database, tmp_path: Path, lookup: GeoLookup) -> None:
    import json

    seed_catalog(db)
    rows = []
    for i in range(40):  # film-a: 40 peers, 10 complete, seen on two days
        ip = f"198.51.100.{i + 1}"
        rows.append(row(ip, time="2024-03-01T10:00:00Z", completed=i < 10))
        rows.append(row(ip, time="2024-03-02T10:00:00Z", completed=i < 10))
    for i in range(20):  # film-b (a pre-release leak): 20 peers in GB, all seeding
        rows.append(row(f"81.2.69.{i + 1}", infohash=HASH_LEAK, seeder=True))
    rows.append(row("203.0.113.5", infohash=HASH_B))  # an unknown torrent
    rows.append(row("192.0.2.1", infohash=HASH_A, tag="seedbox", seeder=True))  # not a download
    path = tmp_path / "obs.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    import_swarm_files(db, [path], KEY, lookup)


def test_report_per_work(db: Database, tmp_path: Path, geo: GeoLookup) -> None:
    load_observations(db, tmp_path, geo)
    report = impact_report(db, assumptions=Assumptions(sketch_sigmas=0.0)).as_dict()
    rows = {r["work"]: r for r in report["rows"]}
    assert set(rows) == {"film-a", "film-b", f"infohash:{HASH_B}"}
    a, b = rows["film-a"], rows["film-b"]
    assert (a["observed_peers"], a["observed_completed"]) == (40, 10)
    assert a["title"] == "Film A (2024)"
    assert a["downloads"] == {"low": 10, "central": 50, "high": 160}
    assert not a["pre_release"]
    assert b["pre_release"] and b["observed_completed"] == 20
    assert b["losses"]["central"] == pytest.approx(20 / 0.5 * 0.3 * 6.0 * 1.191, rel=0.01)
    assert report["total"]["works"] == 3
    assert report["total"]["observed_peers"] == 61  # the seedbox is not counted
    assert set(report["assumptions"]) >= {"displacement", "price", "coverage"}
    assert report["sketch"]["precision"] == 14


def test_report_filters_and_breakdowns(db: Database, tmp_path: Path, geo: GeoLookup) -> None:
    load_observations(db, tmp_path, geo)
    by_day = impact_report(db, ImpactFilter(work_id="film-a"), ("day",)).as_dict()
    assert [(r["day"], r["observed_peers"]) for r in by_day["rows"]] == [
        ("2024-03-01", 40),
        ("2024-03-02", 40),
    ]
    assert by_day["total"]["observed_peers"] == 40
    gb = impact_report(db, ImpactFilter(country="gb"), ("work", "country")).as_dict()
    assert [(r["work"], r["country"]) for r in gb["rows"]] == [("film-b", "GB")]
