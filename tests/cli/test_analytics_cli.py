"""``leaktrace analytics`` on the embedded engine, over a real exported database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Run

pytest.importorskip("ibis")

Write = Callable[..., Path]


def test_group_activity_on_duckdb(
    run: Run, db_path: Path, catalog_csv: Path, write_feed: Write
) -> None:
    assert run("catalog", "import", str(catalog_csv), "--db", str(db_path)).code == 0
    feed = write_feed(
        [
            {
                "name": "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE",
                "time": "2026-05-16T08:00:00Z",
            },
            {"name": "It.2017.1080p.BluRay.x264-SPARKLE", "time": "2018-02-01T00:00:00Z"},
        ]
    )
    assert run("ingest", str(feed), "--db", str(db_path)).code == 0
    result = run("analytics", "group_activity", "--db", str(db_path), "-f", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    by_month = {str(r["month"])[:7]: r for r in rows}
    assert by_month["2026-05"]["leaks"] == 1 and by_month["2018-02"]["leaks"] == 0
    assert {r["group_key"] for r in rows} == {"sparkle"}


def test_unknown_aggregation_is_a_usage_error(run: Run, db_path: Path) -> None:
    assert run("analytics", "everything", "--db", str(db_path)).code == 2


def test_export_then_read_the_export(
    run: Run, db_path: Path, catalog_csv: Path, write_feed: Write, tmp_path: Path
) -> None:
    assert run("catalog", "import", str(catalog_csv), "--db", str(db_path)).code == 0
    feed = write_feed(
        [{"name": "It.2017.1080p.BluRay.x264-SPARKLE", "time": "2018-02-01T00:00:00Z"}]
    )
    assert run("ingest", str(feed), "--db", str(db_path)).code == 0
    folder = tmp_path / "export"
    result = run("export", str(folder), "--db", str(db_path))
    assert result.code == 0, result.err
    assert "6 tables" in result.out
    assert sorted(p.name for p in folder.iterdir()) == [
        "alerts.parquet",
        "host_evidence.parquet",
        "hosts.parquet",
        "leaktrace-export.json",  # the manifest: what the export holds, until when
        "releases.parquet",
        "swarm_observations.parquet",
        "works.parquet",
    ]
    only = run("export", str(tmp_path / "one"), "--db", str(db_path), "--table", "releases")
    assert only.code == 0 and sorted(p.name for p in (tmp_path / "one").iterdir()) == [
        "leaktrace-export.json",
        "releases.parquet",
    ]
    assert run("export", str(tmp_path / "x"), "--db", str(db_path), "--table", "nope").code == 2
    as_csv = run("export", str(tmp_path / "c"), "--db", str(db_path), "-f", "csv")
    assert as_csv.out.splitlines()[0] == "table,path,bytes"
    unusable = run("export", str(db_path), "--db", str(db_path))  # a file, not a folder
    assert unusable.code == 65 and "cannot write the export" in unusable.err
    rows = run("analytics", "group_activity", "--parquet", str(folder), "-f", "json")
    assert rows.code == 0, rows.err
    assert [r["group_key"] for r in json.loads(rows.out)] == ["sparkle"]
    impact = run("impact", "--db", str(db_path), "--parquet", str(folder), "-f", "json")
    assert impact.code == 0, impact.err
    assert json.loads(impact.out)["observations"] == 0
    targets = run("targets", "--all", "--out", str(tmp_path / "t"), "--db", str(db_path),
                  "--parquet", str(folder))  # fmt: skip
    assert targets.code == 0, targets.err
