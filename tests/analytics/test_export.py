"""export_parquet: the project's database to Parquet that both engines read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

pytest.importorskip("ibis")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from sqlalchemy import insert  # noqa: E402

from leaktrace.analytics import (  # noqa: E402
    AnalyticsError,
    ParquetSource,
    country_counts,
    database_source,
    downloads,
    export_parquet,
    group_activity,
    run,
    target_list,
)
from leaktrace.store.database import Database  # noqa: E402
from leaktrace.store.schema import (  # noqa: E402
    HOST_EVIDENCE,
    HOSTS,
    RELEASES,
    SWARM_OBSERVATIONS,
    WORKS,
)

if TYPE_CHECKING:
    from leaktrace.analytics.engines import Engine

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

T0 = datetime(2024, 5, 1, 22, 0, tzinfo=UTC)


def _at(day: int, hour: int) -> datetime:
    return datetime(2024, 5, day, hour, 30, tzinfo=UTC)


def _obs(n: int, peer: str, day: int, hour: int, **extra: Any) -> dict[str, Any]:
    row = {
        "fingerprint": f"fp{n}",
        "observed_at": _at(day, hour),
        "infohash": "a" * 40,
        "release_id": 1,
        "work_id": "w1",
        "peer_key": peer * 64,
        "peer_ip": None,
        "port": 6881,
        "client": "qBittorrent 4.6",
        "seeder": False,
        "completed": False,
        "country": "DE",
        "asn": 3320,
        "role": "peer",
        "imported_from": None,
    }
    row.update(extra)
    return row


def _fill(db: Database) -> None:
    with db.transaction() as conn:
        conn.execute(
            insert(WORKS),
            [
                {"id": "w1", "kind": "movie", "title": "One", "updated_at": T0},
                {"id": "w2", "kind": "movie", "title": "Two", "updated_at": T0},
            ],
        )
        conn.execute(
            insert(RELEASES),
            [
                {
                    "name": "One.2024.1080p.WEB-DL-AAA",
                    "kind": "movie",
                    "group_key": "aaa",
                    "work_id": "w1",
                    "status": "leak",
                    "released_at": _at(2, 1),
                },
                {
                    "name": "One.2024.720p.WEB-DL-AAA",
                    "kind": "movie",
                    "group_key": "aaa",
                    "work_id": "w1",
                    "status": "in-window",
                    "released_at": _at(31, 23),
                },
                {
                    "name": "Two.2024.1080p.WEB-DL-BBB",
                    "kind": "movie",
                    "group_key": "bbb",
                    "work_id": "w2",
                    "status": "leak",
                    "released_at": _at(3, 5),
                },
            ],
        )
        conn.execute(
            insert(SWARM_OBSERVATIONS),
            [
                _obs(1, "a", 1, 23),
                _obs(2, "a", 2, 0, completed=True),  # next UTC day
                _obs(3, "a", 2, 1, completed=True, seeder=True),
                _obs(4, "b", 2, 2, country=None, asn=None),
                _obs(
                    5,
                    "c",
                    2,
                    3,
                    peer_ip="203.0.113.9",
                    role="seedbox",
                    seeder=True,
                    completed=True,
                    country="NL",
                    asn=64500,
                ),
                _obs(6, "d", 2, 4, work_id=None, release_id=None),
            ],
        )
        conn.execute(
            insert(HOSTS),
            [
                {
                    "kind": "ip",
                    "value": "203.0.113.9",
                    "role": "seedbox",
                    "country": "NL",
                    "asn": 64500,
                    "organisation": "Seeds BV",
                    "first_seen": _at(1, 0),
                    "last_seen": _at(2, 0),
                },
                {
                    "kind": "domain",
                    "value": "tracker.example",
                    "role": "tracker",
                    "country": "FR",
                    "asn": None,
                    "organisation": None,
                    "first_seen": None,
                    "last_seen": None,
                },
            ],
        )
        conn.execute(
            insert(HOST_EVIDENCE),
            [
                {
                    "host_id": 1,
                    "release_id": 1,
                    "group_key": "aaa",
                    "kind": "announce",
                    "reference": "r1",
                    "seen_at": _at(3, 0),
                },
                {
                    "host_id": 1,
                    "release_id": 3,
                    "group_key": "bbb",
                    "kind": "announce",
                    "reference": "r2",
                    "seen_at": None,
                },
            ],
        )


@pytest.fixture
def exported(db: Database, tmp_path: Path) -> Path:
    _fill(db)
    out = tmp_path / "parquet"
    export_parquet(db, out, batch_size=2)
    return out


def test_export_writes_typed_tables(exported: Path) -> None:
    obs = pq.read_table(exported / "swarm_observations.parquet")
    assert obs.num_rows == 6
    assert obs.schema.field("observed_at").type == pa.timestamp("us", tz="UTC")
    assert obs.schema.field("asn").type == pa.int64()
    assert obs.schema.field("seeder").type == pa.bool_()
    assert obs["observed_at"][1].as_py() == _at(2, 0)
    assert pq.ParquetFile(exported / "swarm_observations.parquet").num_row_groups == 3
    alerts = pq.read_table(exported / "alerts.parquet")  # empty, with its schema
    assert alerts.num_rows == 0 and "window_date" in alerts.column_names
    assert alerts.schema.field("window_date").type == pa.date32()
    assert not list(exported.glob(".*"))  # no staging folder left behind


def test_aggregations_over_export(exported: Path, duck: Engine) -> None:
    source = ParquetSource(exported)
    rows = run(downloads(exact=True), duck, source).to_pylist()
    got = {(r["work_id"], r["country"], r["day"].day): r for r in rows}
    assert set(got) == {  # the NL seedbox is no download; the unlinked torrent keeps its hash
        ("w1", "DE", 1),
        ("w1", "DE", 2),
        ("w1", "--", 2),
        ("infohash:" + "a" * 40, "DE", 2),
    }
    de2 = got[("w1", "DE", 2)]
    assert (de2["observations"], de2["peers_exact"], de2["completions_exact"]) == (2, 1, 1)
    assert (de2["completed_observations"], de2["seeder_observations"]) == (2, 1)
    assert de2["peers"] == 1 and de2["completions"] == 1

    countries = {r["country"]: r for r in run(country_counts(exact=True), duck, source).to_pylist()}
    assert set(countries) == {"DE", "NL", "FR", "--"}
    assert countries["NL"]["infrastructure_peers"] == 1
    assert countries["NL"]["infrastructure_hosts"] == 1
    assert countries["FR"]["observations"] == 0 and countries["FR"]["infrastructure_hosts"] == 1
    # DE: three observations of w1 and one of no work (not a work: NULL is not counted)
    assert countries["DE"]["observations"] == 4 and countries["DE"]["works"] == 1
    assert countries["--"]["observations"] == 1 and countries["--"]["works"] == 1

    groups = [
        (r["group_key"], r["month"].month, r["releases"], r["leaks"])
        for r in run(group_activity(), duck, source).to_pylist()
    ]
    assert groups == [("aaa", 5, 2, 1), ("bbb", 5, 1, 1)]

    targets = run(target_list(), duck, source).to_pylist()
    assert [(t["country"], t["value"], t["releases"]) for t in targets] == [
        ("FR", "tracker.example", 0),
        ("NL", "203.0.113.9", 2),
    ]
    assert targets[1]["last_seen"] == _at(3, 0)


@pytest.mark.spark
def test_spark_agrees_over_export(exported: Path, duck: Engine, spark: Engine) -> None:
    source = ParquetSource(exported)
    for aggregation in (
        downloads(exact=True),
        country_counts(exact=True),
        group_activity(),
        target_list(),
    ):
        assert run(aggregation, spark, source).equals(run(aggregation, duck, source))


def test_export_of_some_columns_feeds_the_aggregation(db: Database, duck: Engine) -> None:
    _fill(db)
    aggregation = downloads(exact=True)
    with database_source(db, aggregation.tables, aggregation.columns) as source:
        folder = source.directory
        columns = pq.read_schema(folder / "swarm_observations.parquet").names
        assert columns == list(aggregation.columns["swarm_observations"])
        assert "peer_ip" not in columns and "imported_from" not in columns
        narrow = run(aggregation, duck, source).to_pylist()
    assert not folder.exists()  # the temporary export is gone
    with database_source(db, aggregation.tables) as source:
        assert run(aggregation, duck, source).to_pylist() == narrow
    with pytest.raises(AnalyticsError):
        with database_source(db, ["no_such_table"]):
            pass


def test_sqlite_time_text_the_bulk_parser_refuses_is_parsed_one_by_one() -> None:
    from leaktrace.analytics.export import _array

    kind = pa.timestamp("us", tz="UTC")
    values = ["2024-05-01 10:00:00.000001", None, "2024-05-01T12:00:00+02:00"]
    parsed = _array(values, kind, as_text=True).to_pylist()
    ten = datetime(2024, 5, 1, 10, tzinfo=UTC)
    assert parsed == [ten.replace(microsecond=1), None, ten]
    assert _array(["2024-05-01"], pa.date32(), as_text=True).to_pylist()[0].day == 1


def test_a_failed_export_leaves_the_folder_as_it_was(db: Database, tmp_path: Path) -> None:
    from sqlalchemy import text

    _fill(db)
    out = tmp_path / "parquet"
    export_parquet(db, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with db.transaction() as conn:  # a value no reader can parse, in the third table
        conn.execute(text("UPDATE hosts SET first_seen = 'not a time'"))
    with pytest.raises(ValueError):
        export_parquet(db, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_unusable_places_and_data_are_clear_errors(
    db: Database, tmp_path: Path, duck: Engine
) -> None:
    from leaktrace.errors import InputError

    _fill(db)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(InputError) as place:
        export_parquet(db, a_file)
    assert place.value.file == str(a_file)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "swarm_observations.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(AnalyticsError, match="cannot read the Parquet data"):
        run(downloads(), duck, ParquetSource(bad))
    old = tmp_path / "old"
    export_parquet(db, old, tables=[HOSTS, HOST_EVIDENCE, RELEASES], columns={"hosts": ["id"]})
    with pytest.raises(AnalyticsError, match="export it|'leaktrace export'"):
        run(target_list(), duck, ParquetSource(old))
    (old / "hosts").mkdir()
    with pytest.raises(AnalyticsError, match="keep one of them"):
        run(target_list(), duck, ParquetSource(old))


def test_the_manifest_carries_rows_and_the_retention_deadline(exported: Path, db: Database) -> None:
    from leaktrace.analytics.manifest import MANIFEST_NAME, read_manifest

    manifest = read_manifest(exported)
    assert manifest is not None
    swarm = manifest.tables["swarm_observations"]
    assert (swarm.file, swarm.rows, swarm.retention_days) == ("swarm_observations.parquet", 6, 180)
    assert swarm.earliest_observed_at == _at(1, 23)
    assert swarm.retention_deadline == datetime(2024, 10, 28, 23, 30, tzinfo=UTC)
    assert manifest.retention_deadline == swarm.retention_deadline
    assert (
        manifest.tables["alerts"].rows == 0 and manifest.tables["alerts"].retention_deadline is None
    )
    # exporting one table again keeps the others' entries, and with them the deadline
    export_parquet(db, exported, tables=[WORKS], retention_days=30)
    again = read_manifest(exported)
    assert again is not None and set(again.tables) == set(manifest.tables)
    assert again.retention_deadline == swarm.retention_deadline
    raw = (exported / MANIFEST_NAME).read_text()
    assert '"retention_deadline": "2024-10-28T23:30:00Z"' in raw


def test_a_folder_without_swarm_data_has_no_deadline(db: Database, tmp_path: Path) -> None:
    from leaktrace.analytics.manifest import read_manifest

    _fill(db)
    export_parquet(db, tmp_path / "some", tables=[RELEASES, WORKS])
    manifest = read_manifest(tmp_path / "some")
    assert manifest is not None and manifest.retention_deadline is None
    assert set(manifest.tables) == {"releases", "works"}


@pytest.mark.skipif(__import__("os").name != "posix", reason="file modes are POSIX")
def test_export_files_are_readable_by_their_owner_only(exported: Path) -> None:
    import stat

    assert stat.S_IMODE(exported.stat().st_mode) == 0o700
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in exported.iterdir()}
    assert "leaktrace-export.json" in modes and len(modes) == 7
    assert set(modes.values()) == {0o600}
