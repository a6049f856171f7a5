"""The demo scenario's database (``leaktrace demo``) as a realistic data set for page and
browser tests: built once per module, served by a real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from leaktrace.config import load_settings
from leaktrace.demo.run import run_demo
from leaktrace.services.context import build_context
from tests.web.conftest import LiveServer, serve


def demo_server(directory: Path) -> Iterator[LiveServer]:
    """Build the demo in ``directory`` and serve its database (a generator: close it)."""
    settings = load_settings(db=str(directory / "unused.db"))
    result = run_demo(directory / "demo", settings)
    with build_context(load_settings(db=str(result.database))) as context:
        yield from serve(context)
