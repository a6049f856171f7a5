"""The demo scenario as a realistic database for service and API tests: built once per
test run (about 6 s), copied for each test that needs one (tests write audit entries).

A test module uses it with::

    @pytest.fixture
    def demo(tmp_path: Path) -> Iterator[AppContext]:
        yield from demo_context(tmp_path)
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from leaktrace.config import load_settings
from leaktrace.demo.run import run_demo
from leaktrace.services.context import AppContext, build_context


@functools.cache
def demo_database() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="leaktrace-demo-"))
    atexit.register(shutil.rmtree, folder, True)
    result = run_demo(folder / "demo", load_settings(db=str(folder / "unused.db")))
    return result.database


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
