"""Takedown notices in a real browser (chromium through Playwright, a real uvicorn, a real
SMTP server on 127.0.0.1): an analyst of the industry agency signs in, drafts notices
from a leak with two more URLs, opens the notice to files.example, reviews its text,
sends it (the mail arrives at the SMTP server), marks one location removed and sees the
figures on /notices; an analyst of a police agency meets the 404 page for that notice.
Screenshots go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.browser.conftest import CHROMIUM, shot
from tests.web.conftest import LiveServer, ensure_user
from tests.web.notice_world import CONTACT_EMAIL, CONTACT_HOST, INDUSTRY, POLICE, NoticeWorld
from tests.web.notice_world import notice_world as build_world
from tests.web.pages.conftest import PASSWORD

pytestmark = pytest.mark.browser

URL_ONE = f"https://{CONTACT_HOST}/browser/one.mkv"
URL_TWO = f"https://{CONTACT_HOST}/browser/two.mkv"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NoticeWorld]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium")
    with build_world(Path(tmp_path_factory.mktemp("notices-browser"))) as built:
        yield built


@pytest.fixture(scope="module")
def demo(world: NoticeWorld) -> LiveServer:
    """The server of this module (the ``page`` fixture opens its tabs on it)."""
    return world.server


def _sign_in(page: Any, server: LiveServer, agency: str, then: str) -> None:
    email = ensure_user(server.context, "analyst", agency, password=PASSWORD)
    page.goto(then)
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def test_draft_review_send_mark_and_measure(page: Any, chromium: Any, world: NoticeWorld) -> None:
    server = world.server
    _sign_in(page, server, INDUSTRY, "/")
    page.click("header nav >> text=Notices")
    page.wait_for_url(re.compile(r"/notices$"))
    shot(page, "60-notices-empty")

    # draft from the leak, with two locations on files.example given by hand
    form = page.locator("#draft-notices form")
    form.locator("select[name=scope]").select_option("leak")
    form.locator("input[name=value]").fill(str(world.leak_id))
    form.locator("textarea[name=urls]").fill(f"{URL_ONE}\n{URL_TWO}\nhttp://127.0.0.1/x")
    form.locator("select[name=form]").select_option("dmca")
    form.locator("select[name=language]").select_option("en")
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/notices/drafts$"))
    assert "http://127.0.0.1/x" in page.inner_text("#refused")
    shot(page, "61-notices-drafted")
    row = page.locator("#drafted tr[data-notice]", has_text=CONTACT_EMAIL)
    assert row.count() == 1
    row.locator("a").click()
    page.wait_for_url(re.compile(r"/notices/\d+$"))
    notice_url = page.url
    notice_path = "/" + notice_url.split("/", 3)[3]

    # review: the text as it will be sent, both locations, the Send button
    body = page.inner_text("[data-testid=notice-body]")
    assert URL_ONE in body and URL_TWO in body
    reference = page.inner_text("[data-testid=notice-reference]").removeprefix("Notice ")
    assert re.fullmatch(r"LT-N-\d{6}", reference)
    assert reference in page.inner_text("[data-testid=notice-subject]")
    assert page.inner_text("[data-testid=notice-status]") == "drafted"
    shot(page, "62-notice-review")

    before = len(world.mailbox.messages)
    page.click("[data-testid=send-notice]")
    page.wait_for_url(re.compile(re.escape(notice_url) + r"#history$"))
    assert page.inner_text("[data-testid=notice-status]") == "sent"
    assert page.inner_text("[data-testid=sent-at]") != "not yet"

    # the mail arrived at the local SMTP server
    assert len(world.mailbox.messages) == before + 1
    _, recipients, message = world.mailbox.messages[-1]
    assert recipients == [CONTACT_EMAIL]
    assert reference in str(message["Subject"])
    text = message.get_body(("plain",))
    assert text is not None and URL_ONE in text.get_content()
    shot(page, "63-notice-sent")

    # one location removed, by hand
    location = page.locator("#locations tr[data-location]", has_text=URL_ONE)
    location.locator("select[name=status]").select_option("removed")
    location.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(notice_url) + r"#locations$"))
    statuses = {
        r.locator("td.url").inner_text(): r.locator("[data-testid=location-status]").inner_text()
        for r in page.locator("#locations tr[data-location]").all()
    }
    assert statuses == {URL_ONE: "removed", URL_TWO: "sent"}
    assert "removed" in page.inner_text("#history")
    shot(page, "64-notice-marked")

    # the figures on /notices: one removed, written in the chart
    page.click("header nav >> text=Notices")
    page.wait_for_url(re.compile(r"/notices$"))
    assert page.inner_text("[data-testid=stat-removed]").startswith("1 ")
    chart = page.inner_text("#chart-providers")
    assert "1 of 2 removed (50%)" in chart and "median" in chart
    shot(page, "65-notices-stats")
    assert page.problems == [], page.problems

    # a police analyst: the notice does not exist for that agency
    other = chromium.new_context(base_url=server.url, viewport={"width": 1400, "height": 900})
    try:
        tab = other.new_page()
        tab.set_default_timeout(15_000)
        _sign_in(tab, server, POLICE, "/notices")
        answer = tab.goto(notice_path)
        assert answer is not None and answer.status == 404
        assert tab.locator("section.error[data-status='404']").count() == 1
        assert tab.locator("[data-testid=send-notice]").count() == 0
        assert CONTACT_EMAIL not in tab.content()
        shot(tab, "66-notice-police-404")
    finally:
        other.close()
