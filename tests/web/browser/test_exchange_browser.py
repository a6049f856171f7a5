"""Shared intelligence in a real browser: an analyst of DE-BKA signs in, follows the
Exchange link to the collection and sees the RED object sent to DE-BKA with its TLP badge;
an analyst of FR-GN, who reads the same collection but was not named for it, neither sees
it listed nor reaches it by its address (the 404 of a missing object). Screenshots go to
``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leaktrace.config import load_settings
from leaktrace.services.context import build_context
from tests.services.exchange_world import ExchangeWorld, exchange_world
from tests.web.browser.conftest import shot
from tests.web.conftest import LiveServer, ensure_user, serve
from tests.web.pages.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, ExchangeWorld]]:
    folder = Path(tmp_path_factory.mktemp("exchange-browser"))
    with build_context(load_settings(db=str(folder / "browser.db"))) as context:
        shared = exchange_world(context)
        for server in serve(context):
            yield server, shared


@pytest.fixture(scope="module")
def demo(world: tuple[LiveServer, ExchangeWorld]) -> LiveServer:
    """The server of this module (the ``page`` fixture opens its tabs on it)."""
    return world[0]


def _sign_in(page: Any, server: LiveServer, agency: str, then: str) -> None:
    email = ensure_user(server.context, "analyst", agency, password=PASSWORD)
    page.goto(then)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def test_a_red_object_is_seen_by_its_audience_only(
    page: Any, chromium: Any, world: tuple[LiveServer, ExchangeWorld]
) -> None:
    server, w = world
    _sign_in(page, server, "DE-BKA", "/exchange")
    page.click("header nav >> text=Exchange")
    page.wait_for_url(re.compile(r"/exchange$"))
    page.click("table[data-testid=collections] >> text=Partners")
    page.wait_for_url(re.compile(re.escape(f"/exchange/{w.partners}") + "$"))
    row = page.locator(f"tr[data-stix-id='{w.ids['red']}']")
    assert "Red Crew" in row.inner_text()
    badge = row.locator("[data-testid=tlp]")
    assert badge.is_visible() and badge.inner_text() == "TLP:RED"
    assert "tlp-red" in (badge.get_attribute("class") or "")
    shot(page, "30-exchange-collection-red-object")
    row.locator("a").click()
    page.wait_for_url(re.compile(r"/objects/"))
    assert page.locator("[data-testid=object-facts] [data-testid=tlp]").inner_text() == "TLP:RED"
    assert w.ids["red"] in page.inner_text("[data-testid=stix-json]")
    shot(page, "31-exchange-object-red")
    assert page.problems == [], page.problems

    # another agency reading the same collection, not named for the RED object
    other = chromium.new_context(base_url=server.url, viewport={"width": 1400, "height": 900})
    try:
        tab = other.new_page()
        tab.set_default_timeout(15_000)
        _sign_in(tab, server, "FR-GN", f"/exchange/{w.partners}")
        assert "Amber Crew" in tab.inner_text("table[data-testid=objects]")
        assert "Red Crew" not in tab.content()
        assert tab.locator(f"tr[data-stix-id='{w.ids['red']}']").count() == 0
        shot(tab, "32-exchange-collection-other-agency")
        answer = tab.goto(f"/exchange/{w.partners}/objects/{w.ids['red']}")
        assert answer is not None and answer.status == 404
        assert "Red Crew" not in tab.content()
    finally:
        other.close()
