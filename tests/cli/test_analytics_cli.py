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
