"""The demo scenario as a realistic database for service and API tests: built once per
test run (about 6 s), copied for each test or module that needs one (tests write audit
entries).

A test module uses it with::

    @pytest.fixture
    def demo(tmp_path: Path) -> Iterator[AppContext]:
        yield from demo_context(tmp_path)
"""

from __future__ import annotations

import atexit
import dataclasses
import functools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from leaktrace.config import load_settings
from leaktrace.demo.run import DemoResult, run_demo
from leaktrace.services.context import AppContext, build_context


@functools.cache
def demo_built() -> DemoResult:
    """``run_demo`` once per test run (its folder and database are never written to:
    tests take a :func:`demo_copy`, or :func:`demo_result_copy`)."""
    folder = Path(tempfile.mkdtemp(prefix="leaktrace-demo-"))
    atexit.register(shutil.rmtree, folder, True)
    return run_demo(folder / "demo", load_settings(db=str(folder / "unused.db")))


def demo_database() -> Path:
    return demo_built().database


def demo_result_copy(folder: Path) -> DemoResult:
    """The demo's result (scenario, counts, report) with ``database`` a fresh copy in
    ``folder`` (the scenario's files stay in the shared folder: read them, never write)."""
    return dataclasses.replace(demo_built(), database=demo_copy(folder))


def demo_copy(folder: Path) -> Path:
    """A fresh copy of the demo database in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "demo.db"
    shutil.copyfile(demo_database(), target)
    return target


def demo_context(folder: Path) -> Iterator[AppContext]:
    """An application context over a copy of the demo database in ``folder`` (for a
    fixture: ``yield from demo_context(tmp_path)``)."""
    with build_context(load_settings(db=str(demo_copy(folder)))) as context:
        yield context
