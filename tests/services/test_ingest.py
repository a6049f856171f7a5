"""services.ingest: feed files in one transaction, the report in the CLI's JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leaktrace.config import Settings
from leaktrace.errors import FeedError, InputError
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import build_context
from leaktrace.services.ingest import ingest_files
from leaktrace.services.releases import ReleaseQuery, list_releases
from leaktrace.services.works import import_catalog
from tests.services.test_leaks import FIXTURES


def test_report_keeps_the_cli_shape_and_strict_writes_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    good = {
        "name": "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE",
        "time": "2026-05-16T08:00:00Z",
    }
    feed = tmp_path / "f.jsonl"
    feed.write_text(json.dumps(good) + "\n{broken\n")
    with build_context(settings) as ctx:
        import_catalog(ctx, local_operator(), FIXTURES / "catalog.csv")
        with pytest.raises(FeedError):
            ingest_files(ctx, local_operator(), [feed], strict=True)
        assert list_releases(ctx, local_operator(), ReleaseQuery()).items == []
        report = ingest_files(ctx, local_operator(), [feed]).to_json()
        assert list(report) == [
            "files",
            "lines",
            "accepted",
            "rejected",
            "errors",
            "new_releases",
            "earlier_times",
            "new_sightings",
            "repeated_sightings",
            "new_alerts",
            "nukes",
            "statuses",
            "run_id",
            "seconds",
        ]
        assert (report["accepted"], report["rejected"], report["new_alerts"]) == (1, 1, 1)
        assert report["errors"][0]["file"] == str(feed) and report["errors"][0]["line"] == 2
        with pytest.raises(InputError):
            ingest_files(ctx, local_operator(), [tmp_path])
