"""The aggregations on DuckDB and on Spark over the same synthetic data: exact counts
equal (and equal to an independent pyarrow computation), sketches close to exact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("ibis")
np = pytest.importorskip("numpy")
pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")
pq = pytest.importorskip("pyarrow.parquet")

from leaktrace.analytics import (  # noqa: E402
    Aggregation,
    AnalyticsError,
    ArrowSource,
    ParquetSource,
    country_counts,
    downloads,
    group_activity,
    run,
    target_list,
    to_sql,
)
from leaktrace.analytics.aggregations import UNKNOWN_COUNTRY  # noqa: E402

if TYPE_CHECKING:
    from leaktrace.analytics.engines import Engine

# ibis 12 calls DuckDB's fetch_arrow_table, deprecated in duckdb 2.0 (harmless)
pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

AGGREGATIONS: dict[str, Callable[[], Aggregation]] = {
    "downloads": lambda: downloads(exact=True),
    "country_counts": lambda: country_counts(exact=True),
    "group_activity": group_activity,
    "target_list": target_list,
    "downloads_window": lambda: downloads(
        exact=True, since=date(2024, 1, 3), until=date(2024, 1, 6), work_ids=["tt1000002"]
    ),
}

TOTAL_TOLERANCE = 0.03
"""Sketch totals (summed over all rows) within 3 % of exact."""


def row_tolerance(exact: Any) -> Any:
    """Per row: HLL's error is relative (~2-5 %) but small counts move by a unit or two."""
    return 3 + 0.12 * exact


def _exact_of(column: str) -> str:
    return {"peers": "peers_exact", "completions": "completions_exact"}.get(column, column)


def check_sketches(result: Any, aggregation: Aggregation) -> None:
    for column in aggregation.approximate:
        exact_name = _exact_of(column)
        if exact_name == column or exact_name not in result.column_names:
            continue
        approx = np.asarray(result[column].to_numpy(), dtype=np.float64)
        exact = np.asarray(result[exact_name].to_numpy(), dtype=np.float64)
        assert np.all(np.abs(approx - exact) <= row_tolerance(exact)), column
        assert abs(approx.sum() - exact.sum()) <= TOTAL_TOLERANCE * exact.sum(), column


def compare(aggregation: Aggregation, left: Any, right: Any) -> None:
    assert left.schema.equals(right.schema), (left.schema, right.schema)
    assert left.num_rows == right.num_rows > 0
    for name in left.column_names:
        if name in aggregation.approximate:
            a = np.asarray(left[name].to_numpy(), dtype=np.float64)
            b = np.asarray(right[name].to_numpy(), dtype=np.float64)
            # two different sketches: each within tolerance of exact, so of each other
            assert np.all(np.abs(a - b) <= 2 * row_tolerance(np.maximum(a, b))), name
            assert abs(a.sum() - b.sum()) <= 2 * TOTAL_TOLERANCE * max(a.sum(), b.sum()), name
        else:
            assert left[name].equals(right[name]), name
    check_sketches(left, aggregation)
    check_sketches(right, aggregation)


# --- DuckDB ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(AGGREGATIONS))
def test_duckdb_sketches_close_to_exact(name: str, duck: Engine, dataset: Path) -> None:
    aggregation = AGGREGATIONS[name]()
    result = run(aggregation, duck, ParquetSource(dataset))
    assert result.num_rows > 0
    assert list(result.column_names[: len(aggregation.keys)]) == list(aggregation.keys) or (
        aggregation.name == "target_list"
    )
    check_sketches(result, aggregation)


def _observations(dataset: Path) -> Any:
    table = pq.read_table(dataset / "swarm_observations")
    return table.append_column("day", pc.cast(table["observed_at"], pa.date32())).set_column(
        table.schema.get_field_index("country"),
        "country",
        pc.fill_null(table["country"], UNKNOWN_COUNTRY),
    )


def test_downloads_match_pyarrow(duck: Engine, dataset: Path) -> None:
    result = run(downloads(exact=True), duck, ParquetSource(dataset))
    obs = _observations(dataset).filter(pc.field("role") == "peer")  # infrastructure is no download
    work = pc.coalesce(
        obs["work_id"], pc.binary_join_element_wise("infohash:", obs["infohash"], "")
    )
    obs = obs.set_column(obs.schema.get_field_index("work_id"), "work_id", work)
    whole = obs.filter(pc.or_(obs["completed"], obs["seeder"]))
    keys = ["work_id", "country", "day"]
    order = [(key, "ascending") for key in keys]
    expected = (
        obs.group_by(keys)
        .aggregate([("peer_key", "count"), ("peer_key", "count_distinct"), ("completed", "sum")])
        .sort_by(order)
    )
    assert result["work_id"].to_pylist() == expected["work_id"].to_pylist()
    assert result["day"].to_pylist() == expected["day"].to_pylist()
    assert result["observations"].to_pylist() == expected["peer_key_count"].to_pylist()
    assert result["peers_exact"].to_pylist() == expected["peer_key_count_distinct"].to_pylist()
    assert result["completed_observations"].to_pylist() == expected["completed_sum"].to_pylist()
    assert sum(result["observations"].to_pylist()) == obs.num_rows
    completions = {
        tuple(row[k] for k in keys): row["peer_key_count_distinct"]
        for row in whole.group_by(keys).aggregate([("peer_key", "count_distinct")]).to_pylist()
    }
    for row in result.to_pylist():
        assert row["completions_exact"] == completions.get(tuple(row[k] for k in keys), 0)


def test_downloads_by_work_unions_days(duck: Engine, dataset: Path) -> None:
    per_work = run(downloads(by=["work_id"], exact=True), duck, ParquetSource(dataset))
    per_day = run(downloads(exact=True), duck, ParquetSource(dataset))
    assert per_work.column_names[0] == "work_id" and "day" not in per_work.column_names
    assert sum(per_work["observations"].to_pylist()) == sum(per_day["observations"].to_pylist())
    # a peer seen on several days counts once for the work: fewer than the days' sum
    assert sum(per_work["peers_exact"].to_pylist()) < sum(per_day["peers_exact"].to_pylist())
    with pytest.raises(ValueError, match="keyed by"):
        downloads(by=["planet"])


def test_country_counts_match_pyarrow(duck: Engine, dataset: Path) -> None:
    result = run(country_counts(exact=True), duck, ParquetSource(dataset))
    obs = _observations(dataset)
    expected = obs.group_by("country").aggregate(
        [("peer_key", "count"), ("peer_key", "count_distinct"), ("work_id", "count_distinct")]
    )
    by_country = {row["country"]: row for row in expected.to_pylist()}
    hosts = pq.read_table(dataset / "hosts.parquet")
    host_counts = pc.value_counts(pc.fill_null(hosts["country"], UNKNOWN_COUNTRY)).to_pylist()
    per_host = {item["values"]: item["counts"] for item in host_counts}
    assert set(result["country"].to_pylist()) == set(by_country) | set(per_host)
    for row in result.to_pylist():
        want = by_country.get(row["country"])
        assert row["observations"] == (want["peer_key_count"] if want else 0)
        assert row["peers_exact"] == (want["peer_key_count_distinct"] if want else 0)
        assert row["works"] == (want["work_id_count_distinct"] if want else 0)
        assert row["infrastructure_hosts"] == per_host.get(row["country"], 0)
    assert sum(result["infrastructure_hosts"].to_pylist()) == hosts.num_rows


def test_group_activity_counts_releases_and_leaks(duck: Engine, dataset: Path) -> None:
    result = run(group_activity(), duck, ParquetSource(dataset))
    releases = pq.read_table(dataset / "releases.parquet").filter(
        pc.is_valid(pc.field("group_key"))
    )
    assert sum(result["releases"].to_pylist()) == releases.num_rows
    leaks = releases.filter(pc.equal(releases["status"], "leak")).num_rows
    assert sum(result["leaks"].to_pylist()) == leaks > 0
    assert all(d.day == 1 for d in result["month"].to_pylist())
    first = result["first_release"].to_pylist()
    assert all(
        f.month == m.month and f.tzinfo is not None
        for f, m in zip(first, result["month"].to_pylist(), strict=True)
    )


def test_target_list_counts_evidence(duck: Engine, dataset: Path) -> None:
    result = run(target_list(), duck, ParquetSource(dataset))
    hosts = pq.read_table(dataset / "hosts.parquet")
    evidence = pq.read_table(dataset / "host_evidence.parquet")
    assert result.num_rows == hosts.num_rows
    tied = evidence.group_by("host_id").aggregate(
        [("release_id", "count_distinct"), ("host_id", "count")]
    )
    want = dict(
        zip(tied["host_id"].to_pylist(), tied["release_id_count_distinct"].to_pylist(), strict=True)
    )
    for row in result.to_pylist():
        assert row["releases"] == want.get(row["host_id"], 0)
    assert 0 in result["releases"].to_pylist()  # hosts without evidence are listed too
    # busiest first within a country
    rows = result.to_pylist()
    for before, after in zip(rows, rows[1:], strict=False):
        if before["country"] == after["country"]:
            assert before["releases"] >= after["releases"]
        else:
            assert before["country"] < after["country"]


def test_target_list_first_seen_takes_evidence_into_account(duck: Engine) -> None:
    from datetime import UTC, datetime

    ts = pa.timestamp("us", tz="UTC")
    hosts = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "kind": ["ip", "domain"],
            "value": ["192.0.2.1", "t.example"],
            "role": ["seedbox", "tracker"],
            "first_seen": pa.array([datetime(2024, 3, 1, tzinfo=UTC), None], ts),
            "last_seen": pa.array([datetime(2024, 3, 5, tzinfo=UTC), None], ts),
            "country": ["NL", None],
            "asn": pa.array([64500, None], pa.int64()),
            "organisation": ["Seeds BV", None],
            "information_source": ["import:servers.csv", "sighting"],
            "enriched_at": pa.array([datetime(2024, 3, 10, tzinfo=UTC), None], ts),
            "enrichment_source": ["test.mmdb", None],
            "notes": [None, "open tracker"],
            "reverse_dns": ["static.1.2.0.192.seeds.example", None],
        }
    )
    releases = pa.table(
        {
            "id": pa.array([7, 8], pa.int64()),
            "name": ["Film.2024.1080p.BluRay.x264-EMBERS", "Film.2024.720p.WEB-DL-OTHER"],
            "group_key": ["embers", "other"],
            "work_id": ["w1", "w1"],
            "released_at": pa.array([datetime(2024, 2, 1, tzinfo=UTC)] * 2, ts),
            "status": ["leak", "in-window"],
        }
    )
    evidence = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "host_id": pa.array([1, 1, 1], pa.int64()),
            "release_id": pa.array([7, 7, 8], pa.int64()),
            "group_key": ["a", "b", None],
            "kind": ["announce", "nfo", "announce"],
            "reference": ["r1", "r2", "r3"],
            "seen_at": pa.array(
                [datetime(2024, 2, 1, tzinfo=UTC), datetime(2024, 3, 9, tzinfo=UTC), None], ts
            ),
        }
    )
    source = ArrowSource({"hosts": hosts, "host_evidence": evidence, "releases": releases})
    rows = run(target_list(), duck, source).to_pylist()
    assert [r["country"] for r in rows] == [UNKNOWN_COUNTRY, "NL"]
    unknown, nl = rows
    assert (unknown["releases"], unknown["evidence"], unknown["first_seen"]) == (0, 0, None)
    assert (unknown["release_names"], unknown["group_keys"], unknown["references"]) == ([], [], [])
    assert unknown["notes"] == "open tracker"
    assert (nl["reverse_dns"], unknown["reverse_dns"]) == ("static.1.2.0.192.seeds.example", None)
    assert (nl["releases"], nl["leaks"], nl["groups"], nl["evidence"]) == (2, 1, 2, 3)
    assert nl["release_names"] == [
        "Film.2024.1080p.BluRay.x264-EMBERS",
        "Film.2024.720p.WEB-DL-OTHER",
    ]
    assert nl["group_keys"] == ["a", "b", "embers", "other"]  # evidence's and releases' groups
    assert nl["references"] == ["r1", "r2", "r3"]
    assert (nl["leak_ids"], unknown["leak_ids"]) == ([7], [])
    assert (nl["information_source"], nl["enrichment_source"]) == (
        "import:servers.csv",
        "test.mmdb",
    )
    assert nl["first_seen"] == datetime(2024, 2, 1, tzinfo=UTC)
    assert nl["last_seen"] == datetime(2024, 3, 9, tzinfo=UTC)


def test_window_and_work_filter(duck: Engine, dataset: Path) -> None:
    result = run(AGGREGATIONS["downloads_window"](), duck, ParquetSource(dataset))
    assert set(result["work_id"].to_pylist()) == {"tt1000002"}
    days = result["day"].to_pylist()
    assert min(days) >= date(2024, 1, 3) and max(days) < date(2024, 1, 6)


def test_sketch_sql_on_both_dialects(duck: Engine, dataset: Path) -> None:
    sql = to_sql(downloads(), duck, ParquetSource(dataset))
    assert "APPROX_COUNT_DISTINCT" in sql.upper()
    assert "COUNT(DISTINCT" not in sql.upper()  # the default path never shuffles peer keys


def test_missing_table_is_reported(duck: Engine, tmp_path: Path) -> None:
    with pytest.raises(AnalyticsError, match="swarm_observations"):
        run(downloads(), duck, ParquetSource(tmp_path))
    with pytest.raises(AnalyticsError, match="hosts"):
        run(target_list(), duck, ArrowSource({}))


# --- Spark (local) against DuckDB --------------------------------------------------------


@pytest.mark.spark
@pytest.mark.parametrize("name", sorted(AGGREGATIONS))
def test_spark_matches_duckdb(name: str, duck: Engine, spark: Engine, dataset: Path) -> None:
    aggregation = AGGREGATIONS[name]()
    source = ParquetSource(dataset)
    compare(aggregation, run(aggregation, duck, source), run(aggregation, spark, source))


@pytest.mark.spark
def test_spark_sql_uses_the_sketch(spark: Engine, dataset: Path) -> None:
    sql = to_sql(country_counts(), spark, ParquetSource(dataset))
    assert "APPROX_COUNT_DISTINCT" in sql.upper()


@pytest.mark.spark
def test_spark_reads_arrow_sources(duck: Engine, spark: Engine, dataset: Path) -> None:
    tables = {"releases": pq.read_table(dataset / "releases.parquet")}
    aggregation = group_activity()
    compare(
        aggregation,
        run(aggregation, duck, ArrowSource(tables)),
        run(aggregation, spark, ArrowSource(tables)),
    )
