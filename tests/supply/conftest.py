from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaktrace.config import Settings
from leaktrace.pipeline.catalog import import_catalog
from leaktrace.pipeline.ingest import ingest_files
from leaktrace.store.database import Database
from tests.supply import market


@pytest.fixture
def market_db(db: Database, settings: Settings, tmp_path: Path) -> Database:
    """The small market's catalogue and leaks (no shipments yet)."""
    import_catalog(db, market.write_catalog(tmp_path / "catalog.csv"), settings)
    feed = tmp_path / "leaks.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in market.feed_rows()), encoding="utf-8")
    report = ingest_files(db, [feed], settings)
    assert report.new_alerts == 2 * len(market.LEAKED)
    return db


@pytest.fixture
def shipments_csv(tmp_path: Path) -> Path:
    return market.write_shipments(tmp_path / "shipments.csv")
