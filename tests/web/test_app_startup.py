"""A server built by ``app_from_environment`` (what ``leaktrace serve`` runs) computes the
group figures in the background at start-up, so the first dossier does not pay for them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from leaktrace.attribution import index
from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import build_context
from leaktrace.services.ingest import ingest_files
from leaktrace.web.app import app_from_environment


def test_start_up_warms_the_group_figures(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_feed: Callable[..., Path]
) -> None:
    db = tmp_path / "served.db"
    feed = write_feed(
        [
            {
                "name": f"Film.{n}.2020.1080p.BluRay.x264-{group}",
                "time": f"2026-05-{n:02d}T08:00:00Z",
            }
            for n in range(1, 20)
            for group in ("ALPHA", "BETA")
        ]
    )
    with build_context(load_settings(db=str(db))) as ctx:
        ingest_files(ctx, local_operator(), [feed])
    index.clear_shared()
    monkeypatch.setenv("LEAKTRACE_DB", str(db))
    app = app_from_environment()
    warm = next(t for t in threading.enumerate() if t.name == "leaktrace-warm-up")
    warm.join(timeout=120)
    engine = app.state.context.database.engine
    try:
        kept = index._KEPT.get(engine)
        assert kept is not None and kept.current is not None
        with app.state.context.database.reading() as conn:
            assert kept.current.version == index.data_version(conn)
    finally:
        app.state.context.close()
