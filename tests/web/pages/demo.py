"""The demo scenario's database (``leaktrace demo``) as a realistic data set for page and
browser tests: built once per test run, copied per module, served by a real uvicorn."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from leaktrace.config import load_settings
from leaktrace.services.context import build_context
from tests.services.demo_world import demo_copy
from tests.web.conftest import LiveServer, serve


def demo_server(directory: Path) -> Iterator[LiveServer]:
    """Serve a copy of the demo's database in ``directory`` (a generator: close it)."""
    with build_context(load_settings(db=str(demo_copy(directory / "demo")))) as context:
        yield from serve(context)
