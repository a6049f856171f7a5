from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pytest

from leaktrace.analytics.engines import DUCKDB_SKETCH_ERROR, ArrowSource, Engine, duckdb_engine
from leaktrace.analytics.export import arrow_schema
from leaktrace.errors import InputError
from leaktrace.geo import GeoLookup
from leaktrace.impact.model import Assumptions, ImpactFilter
from leaktrace.impact.report import Dimension, impact_report, parse_dimensions
from leaktrace.store.database import Database
from leaktrace.store.schema import SWARM_OBSERVATIONS
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
    report = impact_report(db, assumptions=Assumptions(sketch_sigmas=0.0), exact=True).as_dict()
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
    assert report["counting"] == {
        "engine": "duckdb",
        "kind": "COUNT DISTINCT",
        "relative_error": 0.0,
    }
    assert report["observations"] == 40 * 2 + 20 + 1


def test_report_filters_and_breakdowns(db: Database, tmp_path: Path, geo: GeoLookup) -> None:
    load_observations(db, tmp_path, geo)
    by_day = impact_report(db, ImpactFilter(work_id="film-a"), ("day",), exact=True).as_dict()
    assert [(r["day"], r["observed_peers"]) for r in by_day["rows"]] == [
        ("2024-03-01", 40),
        ("2024-03-02", 40),
    ]
    assert by_day["total"]["observed_peers"] == 40
    gb = impact_report(db, ImpactFilter(country="gb"), ("work", "country"), exact=True).as_dict()
    assert [(r["work"], r["country"]) for r in gb["rows"]] == [("film-b", "GB")]


def test_sketch_counts_are_close_and_widen_the_range(
    db: Database, tmp_path: Path, geo: GeoLookup
) -> None:
    load_observations(db, tmp_path, geo)
    report = impact_report(db).as_dict()
    assert report["counting"]["kind"] == "HyperLogLog (APPROX_COUNT_DISTINCT)"
    assert report["counting"]["relative_error"] == DUCKDB_SKETCH_ERROR
    a = {r["work"]: r for r in report["rows"]}["film-a"]
    assert a["observed_peers"] == pytest.approx(40, rel=0.1)
    assert a["observed_completed"] == pytest.approx(10, rel=0.2)
    exact = impact_report(db, exact=True).as_dict()
    exact_a = {r["work"]: r for r in exact["rows"]}["film-a"]
    # the sketch's error widens the envelope: lower low, higher high than the exact count's
    assert a["downloads"]["low"] < exact_a["downloads"]["low"] or exact_a["downloads"]["low"] == 0
    assert a["downloads"]["high"] > exact_a["downloads"]["high"] * 0.99


def _observations(rows: list[tuple[str, str | None, str, datetime, bool]]) -> pa.Table:
    """swarm_observations rows: (work, country, peer, time, completed)."""
    schema = arrow_schema(SWARM_OBSERVATIONS)
    columns: dict[str, list[object]] = {name: [] for name in schema.names}
    for n, (work, country, peer, when, completed) in enumerate(rows, start=1):
        values: dict[str, object] = {
            "id": n,
            "observed_at": when,
            "infohash": "ab" * 20,
            "work_id": work,
            "peer_key": peer,
            "completed": completed,
            "seeder": False,
            "country": country,
            "role": "peer",
            "fingerprint": f"fp{n}",
        }
        for name in schema.names:
            columns[name].append(values.get(name))
    return pa.table(columns, schema=schema)


def _union_rows() -> list[tuple[str, str | None, str, datetime, bool]]:
    rows = []
    for day in (datetime(2024, 3, 1, 9, tzinfo=UTC), datetime(2024, 3, 2, 9, tzinfo=UTC)):
        for i in range(300):  # the same 300 peers on both days, for two works
            rows.append(("w1", "GB" if i % 3 else "FR", f"peer{i}", day, i < 100))
            rows.append(("w2", "GB", f"peer{i}", day, False))
    return rows


NOW = datetime(2024, 3, 3, tzinfo=UTC)


def _known_works(db: Database) -> None:
    """The works of the Arrow observations, in the database the report reads titles from."""
    from sqlalchemy import insert

    from leaktrace.store.schema import WORKS

    with db.transaction() as conn:
        if conn.execute(WORKS.select().where(WORKS.c.id == "w1")).first() is None:
            conn.execute(
                insert(WORKS),
                [
                    {"id": w, "kind": "movie", "title": w.upper(), "year": 2024, "updated_at": NOW}
                    for w in ("w1", "w2")
                ],
            )


def _check_union(db: Database, engine: Engine, exact: bool) -> None:
    source = ArrowSource({"swarm_observations": _observations(_union_rows())})
    a = Assumptions(sketch_sigmas=0.0)
    _known_works(db)

    def report(dims: tuple[Dimension, ...]) -> dict[str, Any]:
        return impact_report(db, None, dims, a, exact=exact, engine=engine, source=source).as_dict()

    rel = 0 if exact else 0.12
    by_work = {r["work"]: r for r in report(("work",))["rows"]}
    assert by_work["w1"]["observed_peers"] == pytest.approx(300, rel=rel)  # days unioned
    assert by_work["w1"]["observed_completed"] == pytest.approx(100, rel=rel)
    assert by_work["w2"]["observed_peers"] == pytest.approx(300, rel=rel)
    by_day = report(("day",))
    assert [r["day"] for r in by_day["rows"]] == ["2024-03-01", "2024-03-02"]
    assert by_day["rows"][0]["observed_peers"] == pytest.approx(600, rel=rel)  # works summed
    assert by_day["total"]["observed_peers"] == pytest.approx(600, rel=rel)
    assert by_day["observations"] == 1200
    by_country = {r["country"]: r for r in report(("country",))["rows"]}
    assert by_country["FR"]["observed_peers"] == pytest.approx(100, rel=rel)
    assert by_country["GB"]["observed_peers"] == pytest.approx(500, rel=rel)


@pytest.mark.parametrize("exact", [True, False])
def test_unions_within_a_work_and_sums_across_works(db: Database, exact: bool) -> None:
    with duckdb_engine() as engine:
        _check_union(db, engine, exact)


@pytest.mark.spark
def test_the_same_counts_on_spark(db: Database, spark: Engine) -> None:
    _check_union(db, spark, exact=True)
    _check_union(db, spark, exact=False)


def test_dimensions() -> None:
    assert parse_dimensions("country, work") == ("work", "country")
    with pytest.raises(ValueError):
        parse_dimensions("planet")


def test_observations_from_another_database_are_refused(db: Database) -> None:
    source = ArrowSource({"swarm_observations": _observations(_union_rows())})
    with duckdb_engine() as engine, pytest.raises(InputError, match="knows none of the 2 works"):
        impact_report(db, engine=engine, source=source)
