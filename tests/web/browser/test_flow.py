"""An analyst's session in a real browser: log in with a password, the overview chart,
filter leaks, open a release, triage a leak (CSRF form), a group dossier, the world map,
log out. A screenshot of each page is kept in ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.browser.conftest import shot

pytestmark = pytest.mark.browser


def log_in(page: Any, login: tuple[str, str], target: str = "/") -> None:
    page.goto(target)
    assert "/login" in page.url
    page.fill("input[name=email]", login[0])
    page.fill("input[name=password]", login[1])
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def test_analyst_session_in_a_browser(page: Any, analyst_login: tuple[str, str]) -> None:
    # signed out: every page sends the browser to the login form
    page.goto("/leaks")
    assert re.search(r"/login\?next=%2Fleaks$", page.url)
    shot(page, "01-login")

    log_in(page, analyst_login, "/")
    assert page.url.endswith("/")
    assert page.inner_text("[data-testid=signed-in-user]") == analyst_login[0]
    assert page.inner_text("[data-testid=signed-in-agency]") == "NL-POL"

    # the overview chart, over two years so that the demo's leaks are in it
    page.select_option("select[name=days]", "730")
    page.click("#leaks-over-time button[type=submit]")
    page.wait_for_url(re.compile(r"days=730"))
    chart = page.locator("#leaks-over-time svg.columns")
    assert chart.is_visible()
    heights = [
        float(h)
        for h in chart.locator("rect.day").evaluate_all(
            "rects => rects.map(r => r.getAttribute('height'))"
        )
    ]
    assert heights and max(heights) > 0
    shot(page, "02-overview")

    # filter leaks: critical ones, longest lead first
    page.click("header nav >> text=Leaks")
    page.wait_for_url(re.compile(r"/leaks$"))
    everything = page.locator("#leaks-table tbody tr[data-leak]").count()
    page.select_option("select[name=severity]", "critical")
    page.select_option("select[name=sort]", "lead")
    page.click("#leak-filters button[type=submit]")
    page.wait_for_url(re.compile(r"severity=critical"))
    rows = page.locator("#leaks-table tbody tr[data-leak]")
    assert 0 < rows.count() <= everything
    assert rows.locator(".sev-critical").count() == rows.count()
    shot(page, "03-leaks-filtered")

    # triage the first leak through its form (htmx posts it with the CSRF token)
    first = rows.first
    leak_id = first.get_attribute("data-leak")
    first.locator("input[name=note]").fill("Checked against the tracker logs")
    first.locator("button[value=confirmed]").click()
    row = page.locator(f"#leak-{leak_id}")
    row.locator(".verdict-confirmed").wait_for()
    page.goto("/leaks?verdict=confirmed")
    confirmed = page.locator("#leaks-table tbody tr[data-leak]")
    assert confirmed.count() == 1
    assert confirmed.first.get_attribute("data-leak") == leak_id
    assert "Checked against the tracker logs" in confirmed.first.inner_text()
    shot(page, "04-leaks-triaged")

    # open a release from the leaks: its name, parse, match reason, rule and sightings
    page.goto("/leaks?severity=critical")
    name = page.locator("#leaks-table tbody tr[data-leak] td.name a").first
    release = name.inner_text()
    name.click()
    page.wait_for_url(re.compile(r"/releases/\d+$"))
    assert page.inner_text("[data-testid=release-name]") == release
    assert page.inner_text("[data-testid=match-reason]")
    assert page.inner_text("[data-testid=rule]")
    assert page.locator("[data-testid=parsed] dt").count() > 2
    shot(page, "05-release")

    # a group dossier with its graph
    page.click("header nav >> text=Groups")
    page.locator("table tbody a").first.click()
    page.wait_for_url(re.compile(r"/groups/.+"))
    assert page.locator("#group-graph svg.graph").is_visible()
    assert page.locator("#group-graph svg.graph circle").count() >= 1
    shot(page, "06-group-dossier")

    # the world map of servers, then one country's target sheet
    page.click("header nav >> text=Targets")
    page.wait_for_url(re.compile(r"/targets$"))
    world = page.locator("#world-map svg")
    assert world.is_visible()
    assert world.locator("path").count() > 50
    shot(page, "07-targets-map")
    page.locator("table a[href^='/targets?country=']").first.click()
    page.wait_for_url(re.compile(r"country=[A-Z]{2}"))
    assert page.locator("#targets-table tbody tr").count() >= 1
    shot(page, "08-targets-country")

    # the other pages render too
    for path, name in (
        ("/works", "09-works"),
        ("/hosts", "10-hosts"),
        ("/supply", "11-supply"),
        ("/sources", "12-sources"),
    ):
        page.goto(path)
        assert page.locator("main h1").is_visible()
        shot(page, name)

    # sign out: the session ends, pages send the browser back to the login form
    page.click("header button:has-text('Sign out')")
    page.wait_for_url(re.compile(r"/login$"))
    page.goto("/leaks")
    assert "/login" in page.url
    shot(page, "13-signed-out")

    # no page broke the Content-Security-Policy or threw a script error
    assert page.problems == [], page.problems


def test_api_docs_run_the_vendored_swagger_ui(page: Any) -> None:
    page.goto("/api/docs")
    page.locator("#swagger-ui .info .title").wait_for()
    assert "LeakTrace" in page.inner_text("#swagger-ui .info .title")
    assert page.locator("#swagger-ui .opblock").count() > 5
    shot(page, "14-api-docs")


def test_wrong_password_stays_on_the_login_form(page: Any, analyst_login: tuple[str, str]) -> None:
    log_in(page, (analyst_login[0], "not the password"), "/works")
    assert "/login" in page.url
    assert "Wrong e-mail or password" in page.inner_text("main")


def test_triage_after_the_session_ended_leads_to_the_login_form(
    page: Any, analyst_login: tuple[str, str]
) -> None:
    log_in(page, analyst_login, "/leaks?window=physical")
    assert page.url.endswith("/leaks?window=physical")
    page.context.clear_cookies()  # the session ends (expired, or signed out elsewhere)
    page.locator("#leaks-table tbody tr[data-leak] button[value=confirmed]").first.click()
    page.wait_for_url(re.compile(r"/login\?next=%2Fleaks%3Fwindow%3Dphysical$"))
    assert page.locator("input[name=password]").is_visible()
