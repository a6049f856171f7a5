"""bench/ingest_rows.py on a small ingested database: it prints a figure for every way of
binding the rows, and a missing database is named. Only the presence of the
figures is checked, never a time."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from leaktrace.config import load_settings
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import ingest_files
from leaktrace.store.database import Database

from ..pipeline.test_ingest import ROWS

ROOT = Path(__file__).resolve().parents[2]
WAYS = (
    "every column bound",
    "NULL columns left out (the ingest)",
    "  and foreign keys not enforced",
    "releases only, NULL columns left out",
    "releases only, one JSON parameter a batch",
)


def run_bench(database: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "ingest_rows.py"), str(database)],
        capture_output=True,
        text=True,
        timeout=300,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )


def test_every_way_gets_a_figure(
    tmp_path: Path, catalog_csv: Path, write_feed: Callable[..., Path]
) -> None:
    settings = load_settings(db=str(tmp_path / "lt.db"))
    with Database(settings.database_target()) as db:
        import_catalog(db, catalog_csv, settings)
        ingest_files(db, [write_feed(ROWS)], settings)
    done = run_bench(tmp_path / "lt.db")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "5 releases and 5 sightings from lt.db" in done.stdout
    for way in WAYS:
        assert re.search(rf"^{re.escape(way)} +\d+\.\d\d µs a release$", done.stdout, re.M), way


def test_a_missing_database_is_named(tmp_path: Path) -> None:
    done = run_bench(tmp_path / "none.db")
    assert done.returncode == 1 and "none.db: no such database" in done.stderr
