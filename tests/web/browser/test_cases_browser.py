"""A case in a real browser: sign in, open a case from the Cases page, open a leak's page,
add the leak to the case with one click on "Add to case" (the form htmx loads into the
page), land on the case page showing the item and its new timeline entry. Screenshots go
to ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.api.test_cases_api import case_demo_server
from tests.web.browser.conftest import shot
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo scenario with one evidence key for the module (overrides conftest's)."""
    yield from case_demo_server(Path(tmp_path_factory.mktemp("cases-browser")))


def test_add_a_leak_to_a_case_in_one_click(page: Any, analyst_login: tuple[str, str]) -> None:
    page.goto("/cases")
    page.fill("input[name=email]", analyst_login[0])
    page.fill("input[name=password]", analyst_login[1])
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/cases$"))

    # open a case from the Cases page
    page.fill("#open-case input[name=title]", "Operation Lantern <script>")
    page.fill("#open-case input[name=reference]", "NL-2025-001")
    page.click("#open-case button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    assert page.inner_text("[data-testid=case-title]") == "Operation Lantern <script>"
    entries_before = page.locator("#timeline-table tbody tr").count()
    assert entries_before == 1
    shot(page, "20-case-opened")

    # a leak's page: its "Add to case" form is loaded into the page, the case preselected
    page.click("header nav >> text=Leaks")
    page.wait_for_url(re.compile(r"/leaks$"))
    page.locator("#leaks-table tbody tr[data-leak] td.name a").first.click()
    page.wait_for_url(re.compile(r"/releases/\d+$"))
    release = page.inner_text("[data-testid=release-name]")
    form = page.locator("form[data-testid=add-to-case]")
    form.wait_for()
    assert "Operation Lantern" in form.locator("select[name=case_id] option").first.inner_text()
    shot(page, "21-leak-page-add-to-case")
    form.locator("button[type=submit]").click()

    # the case page, with the leak as an evidence item and a new timeline entry
    page.wait_for_url(re.compile(re.escape(case_url) + r"#item-\d+$"))
    item_id = page.url.rsplit("#item-", 1)[1]
    row = page.locator(f"#item-{item_id}")
    assert row.is_visible()
    assert "leak" in row.inner_text() and release in row.inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", row.locator("[data-testid=item-sha256]").inner_text())
    timeline = page.locator("#timeline-table tbody tr")
    assert timeline.count() == entries_before + 1
    last = timeline.last
    assert "item.added" in last.inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", last.locator("[data-testid=leaf-hash]").inner_text())
    assert page.inner_text("#tree-head dd[data-testid=root-hash]")
    shot(page, "22-case-with-leak")

    assert page.problems == [], page.problems
