"""Browser tests: Playwright driving Debian's chromium (``/usr/bin/chromium``; the
Playwright browser download cannot run here) against a real uvicorn serving the demo
scenario's database. Screenshots of every page go to ``test-artifacts/screenshots/``.

The ``browser`` marker names the slow tests; they still run in the default test run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import LiveServer, ensure_user
from tests.web.pages.conftest import PASSWORD
from tests.web.pages.demo import demo_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives a real chromium through Playwright (slow; runs by default)"
    )


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """A headless chromium (skipped, with the reason, when Debian's is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip(
            "Debian's chromium is not installed at /usr/bin/chromium (apt install chromium)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo scenario served by uvicorn, built once per module."""
    yield from demo_server(Path(tmp_path_factory.mktemp("demo-browser")))


@pytest.fixture(scope="module")
def analyst_login(demo: LiveServer) -> tuple[str, str]:
    """E-mail and password of an analyst of NL-POL (a real user with an argon2 hash)."""
    return ensure_user(demo.context, "analyst", "NL-POL", password=PASSWORD), PASSWORD


def screenshot_path(name: str) -> Path:
    """Where the screenshot ``name`` is kept (the folder is made on first use)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / (re.sub(r"[^a-z0-9_-]+", "-", name.lower()) + ".png")


@pytest.fixture
def page(chromium: Any, demo: LiveServer) -> Iterator[Any]:
    """A fresh browser tab on ``demo`` (the module's server); ``page.problems`` collects
    the console errors and uncaught exceptions of its pages (tests assert it is empty)."""
    context = chromium.new_context(base_url=demo.url, viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    problems: list[str] = []
    tab.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.problems = problems
    try:
        yield tab
    finally:
        context.close()


def shot(page: Any, name: str) -> None:
    """A full-page screenshot of ``page`` kept as ``name`` (and checked to be written)."""
    page.screenshot(path=str(screenshot_path(name)), full_page=True)
    assert screenshot_path(name).stat().st_size > 0
