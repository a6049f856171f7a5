"""The live board of an action day in a real browser (Debian's chromium through
Playwright) against a real uvicorn: two browser contexts signed in as two agencies; the
first marks its target done with the button, the second's board shows it within one
second without reloading (row, tile, map, counters, timeline); the second has no button
for the first's target and the API answers its try with 403. And the board shows that it
is reconnecting when the server goes away, then catches up when it is back. The script's
copy of the country-state rule agrees with the server's (``operations.model``)."""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.operations.model import TargetKind, TargetStatus, country_state
from leaktrace.services import operation_changes, operations
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.operations import NewTarget
from leaktrace.web.app import create_app
from tests.web.browser.conftest import shot
from tests.web.conftest import ensure_user, free_port
from tests.web.operation_world import PREMISES, OperationWorld, ensure_agencies, plan_operation
from tests.web.pages.conftest import PASSWORD

pytestmark = pytest.mark.browser

LIVE_WITHIN = 1.0
"""Seconds within which a change shows on every open board (issue 13)."""


class _Server:
    """A uvicorn in a thread that can be stopped at once (open event streams and all)
    and started again on the same port."""

    def __init__(self, context: AppContext, port: int | None = None) -> None:
        self.context = context
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            create_app(self.context),
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        """Stop now: do not wait for open streams to end (they never do)."""
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._server.force_exit = True
        self._thread.join(timeout=15)
        assert not self._thread.is_alive(), "uvicorn did not stop"
        self._server = None


@contextmanager
def _running(context: AppContext) -> Iterator[_Server]:
    server = _Server(context)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[AppContext]:
    settings = load_settings(
        db=str(tmp_path / "ops.db"), evidence={"key_file": str(tmp_path / "evidence.pem")}
    )
    with build_context(settings) as context:
        ensure_agencies(context)
        yield context


def _board_tab(
    chromium: Any, server: _Server, agency: str, world: OperationWorld, zone: str = "UTC"
) -> Any:
    """A new browser context in time zone ``zone`` signed in as an analyst of
    ``agency``, on the board."""
    email = ensure_user(server.context, "analyst", agency, password=PASSWORD)
    context = chromium.new_context(
        base_url=server.url, viewport={"width": 1400, "height": 1000}, timezone_id=zone
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    problems: list[str] = []
    tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.problems = problems
    navigations: list[str] = []
    tab.on("framenavigated", lambda frame: navigations.append(frame.url))
    tab.navigations = navigations
    tab.goto(f"/operations/{world.operation_id}")  # sends to the login page
    tab.fill("input[name=email]", email)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("form.stack button[type=submit]")
    tab.wait_for_url(re.compile(rf"/operations/{world.operation_id}$"))
    tab.wait_for_selector("#op-live[data-state=live]")
    return tab


def _status_within(tab: Any, target: int, status: str, seconds: float) -> bool:
    """Poll the board until the target's row shows ``status`` (True) or time is up."""
    deadline = time.monotonic() + seconds
    selector = f"#target-{target}"
    while True:
        if tab.get_attribute(selector, "data-status") == status:
            return True
        if time.monotonic() > deadline:
            return False
        tab.wait_for_timeout(20)


def _post_from(tab: Any, path: str, body: dict[str, Any]) -> int:
    """POST ``body`` to the API from the page itself, with its session's CSRF token."""
    status: int = tab.evaluate(
        """async ([path, body]) => {
            const token = document.getElementById("op-board").getAttribute("data-csrf");
            const answer = await fetch(path, {
                method: "POST",
                headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
                body: JSON.stringify(body),
            });
            return answer.status;
        }""",
        [path, body],
    )
    return status


def test_a_change_on_one_board_shows_on_the_other_within_a_second(
    chromium: Any, app: AppContext
) -> None:
    world = plan_operation(app)
    operator = local_operator()
    for status in ("go", "in-progress"):
        operation_changes.change_status(app, operator, world.operation_id, world.nl_server, status)

    with _running(app) as server:
        nl = _board_tab(chromium, server, "NL-POL", world)
        de = _board_tab(chromium, server, "DE-BKA", world, zone="America/Los_Angeles")
        try:
            nl_row = f"#target-{world.nl_server}"
            de_row = f"#target-{world.de_server}"
            # what each may do: buttons on its own targets only
            assert nl.locator(f"{nl_row} button[data-status=done]").count() == 1
            assert de.locator(f"{nl_row} button.op-move").count() == 0
            assert de.locator(f"{nl_row} form[data-action=status]").count() == 0
            assert de.locator(f"{de_row} button[data-status=go]").count() == 1
            assert de.locator(f"{nl_row} form[data-action=issues]").count() == 1  # may raise
            # the board as the viewer reads it
            assert de.inner_text("[data-testid=handling]").startswith("Handling code H2")
            assert de.inner_text("[data-testid=h-hour-utc]") == "2026-12-07 05:00 UTC"
            local = de.inner_text("[data-testid=h-hour-local]")  # the browser's own zone
            assert "21:00" in local and "America/Los_Angeles" in local, local
            assert "2026-12-07 06:00 CET" in de.inner_text("#op-agencies tr[data-agency=DE-BKA]")
            premises = de.locator(f"#target-{world.premises} .op-label")
            assert premises.inner_text() == PREMISES  # shown as text, not markup
            assert de.locator("#op-target-table script, #op-target-table b").count() == 0
            assert de.inner_text(f"#target-{world.de_person}").count("Hans Muster") == 1
            assert "Hans Muster" not in nl.inner_text("#op-target-table")
            nl_tile = de.locator("#op-tiles .op-tile[data-country=NL]")
            assert "1 in progress" in nl_tile.inner_text()
            assert de.get_attribute("#op-map path[data-iso=NL]", "data-state") == "in-progress"
            seized_before = de.inner_text("[data-counter=servers_seized]")
            assert seized_before == "0"
            events_before = de.locator("#op-events li").count()
            de.evaluate("() => { window.boardMarker = 'not reloaded'; }")
            navigations_before = len(de.navigations)
            shot(de, "40-operation-board-before")

            # NL-POL marks its server done with the button
            with nl.expect_response(re.compile(r"/status$")) as answer:
                nl.click(f"{nl_row} button[data-status=done]")
            assert answer.value.status == 200
            shown = _status_within(de, world.nl_server, "done", LIVE_WITHIN)
            assert shown, f"DE-BKA's board did not show the change within {LIVE_WITHIN} s"

            # without reloading: same document, no navigation
            assert de.evaluate("() => window.boardMarker") == "not reloaded"
            assert len(de.navigations) == navigations_before
            assert de.inner_text(f"{nl_row} .op-status") == "done"
            # the tile, map, counters and timeline follow
            de.wait_for_selector("[data-counter=servers_seized]:text-is('1')")
            assert "1 done" in nl_tile.inner_text()
            assert de.get_attribute("#op-map path[data-iso=NL]", "data-state") == "in-progress"
            assert "Netherlands: 2 targets (1 planned, 1 done)" in de.evaluate(
                "() => document.querySelector('#op-map path[data-iso=NL] title').textContent"
            )
            assert de.locator("#op-events li").count() == events_before + 1
            newest = de.locator("#op-events li").first
            assert "203.0.113.5" in newest.inner_text() and "done" in newest.inner_text()
            assert "by NL-POL" in newest.inner_text()
            # NL-POL's own board: no more moves for a final target
            nl.wait_for_selector(f"{nl_row}[data-status=done]")
            assert nl.locator(f"{nl_row} button.op-move").count() == 0
            shot(de, "41-operation-board-after")
            assert de.problems == [] and nl.problems == [], (de.problems, nl.problems)

            # DE-BKA cannot change NL-POL's target: the API says 403
            path = f"/api/v1/operations/{world.operation_id}/targets/{world.nl_server}"
            assert _post_from(de, f"{path}/checklist", {"item": "search"}) == 403
            assert _post_from(de, f"{path}/assign", {"agency": "DE-BKA"}) == 403
            # while an issue from anyone who writes goes through, and shows on NL's board
            issue = {"text": "server <moved> to another provider"}
            assert _post_from(de, f"{path}/issues", issue) == 201
            nl.wait_for_selector("#op-issue-list li[data-open=yes]")
            assert nl.inner_text("#op-issue-list li[data-open=yes] .op-issue-text") == issue["text"]
            nl.wait_for_selector("[data-counter=open_issues]:text-is('1')")

            # filters per country and agency, in the page
            de.select_option("#op-filter-country", "DE")
            assert de.is_hidden(nl_row) and de.is_visible(de_row)
            assert de.is_hidden("#op-tiles .op-tile[data-country=NL]")
            de.select_option("#op-filter-country", "")
            de.select_option("#op-filter-agency", "NL-POL")
            assert de.is_visible(nl_row) and de.is_hidden(de_row)
            assert de.is_hidden(f"#op-events li[data-target='{world.de_server}']")
            de.select_option("#op-filter-agency", "")
            assert de.is_visible(nl_row) and de.is_visible(de_row)
        finally:
            nl.context.close()
            de.context.close()


def test_the_board_shows_it_is_reconnecting_and_catches_up(chromium: Any, app: AppContext) -> None:
    world = plan_operation(app)
    server = _Server(app)
    server.start()
    tab = None
    try:
        tab = _board_tab(chromium, server, "NL-POL", world)
        assert tab.inner_text("#op-live").startswith("Live")
        server.stop()
        tab.wait_for_selector("#op-live[data-state=reconnecting]")
        assert tab.inner_text("#op-live").startswith("Reconnecting")
        assert tab.is_visible("#op-live")
        shot(tab, "42-operation-board-reconnecting")

        # a change while the server is away, then the server comes back on the same port
        operation_changes.change_status(
            app, local_operator(), world.operation_id, world.nl_server, "go", note="while away"
        )
        server.start()
        tab.wait_for_selector("#op-live[data-state=live]", timeout=30_000)
        tab.wait_for_selector(f"#target-{world.nl_server}[data-status=go]", timeout=30_000)
        assert tab.locator("#op-events li", has_text="while away").count() == 1
    finally:
        if tab is not None:
            tab.context.close()
        server.stop()


def test_the_forms_of_the_board_reach_every_board(chromium: Any, app: AppContext) -> None:
    """The coordinator's forms (status with outcome and note, checklist, assignment), a
    participant's issue and the coordinator's resolve button: each change shows on the
    other board, outside text as text."""
    world = plan_operation(app)
    with _running(app) as server:
        coordinator = _board_tab(chromium, server, "EJ", world)
        nl = _board_tab(chromium, server, "NL-POL", world)
        try:
            row = f"#target-{world.nl_server}"
            coordinator.click(f"{row} details.op-more summary")
            for status in ("go", "in-progress", "done"):
                form = coordinator.locator(f"{row} form[data-action=status]")
                form.locator("select[name=status]").select_option(status)
                if status == "done":
                    form.locator("input[name=note]").fill("racks <b>seized</b>")
                    form.locator("input[name=seized]").fill("3")
                    form.locator("select[name=offline]").select_option("yes")
                form.locator("button[type=submit]").click()
                nl.wait_for_selector(f"{row}[data-status='{status}']")
                coordinator.wait_for_selector(f"{row}[data-status='{status}']")
                assert coordinator.locator(f"{row} details.op-more[open]").count() == 1  # kept
            nl.wait_for_selector("[data-counter=servers_seized]:text-is('3')")
            outcome = nl.inner_text(f"{row} .op-outcome-cell")
            assert "seized: 3" in outcome and "offline: yes" in outcome
            assert "note: racks <b>seized</b>" in outcome

            checklist = coordinator.locator(f"{row} form[data-action=checklist]")
            checklist.locator("select[name=item]").select_option("arrest")
            checklist.locator("input[name=reference]").fill("PV <2026>/7")
            checklist.locator("button[type=submit]").click()
            nl.wait_for_selector(f"{row} li[data-item=arrest][data-done=yes]")
            assert "(PV <2026>/7)" in nl.inner_text(f"{row} li[data-item=arrest]")
            nl.wait_for_selector("[data-counter=arrests]:text-is('1')")

            premises = f"#target-{world.premises}"
            coordinator.click(f"{premises} details.op-more summary")
            assign = coordinator.locator(f"{premises} form[data-action=assign]")
            assign.locator("select[name=agency]").select_option("DE-BKA")
            assign.locator("button[type=submit]").click()
            nl.wait_for_selector(f"{premises}[data-agency=DE-BKA]")
            assert nl.locator(f"{premises} button.op-move").count() == 0  # no longer NL's

            nl.click(f"#target-{world.de_server} details.op-more summary")
            issue = nl.locator(f"#target-{world.de_server} form[data-action=issues]")
            issue.locator("input[name=text]").fill("warrant <missing>")
            issue.locator("button[type=submit]").click()
            open_issue = "#op-issue-list li[data-open=yes]"
            coordinator.wait_for_selector(open_issue)
            assert coordinator.inner_text(f"{open_issue} .op-issue-text") == "warrant <missing>"
            # coordinators see the targets with open issues first
            first = coordinator.locator("#op-target-table tbody tr").first
            assert first.get_attribute("data-target") == str(world.de_server)
            assert nl.locator(f"{open_issue} button.op-resolve").count() == 1  # raised it
            coordinator.click(f"{open_issue} button.op-resolve")
            nl.wait_for_selector("#op-issue-list li[data-open=no]")
            nl.wait_for_selector("[data-counter=open_issues]:text-is('0')")
            # the after-action report, added to the case by its lead (the coordinator)
            coordinator.click("[data-testid=add-report]")
            coordinator.wait_for_selector("#op-message:has-text('added to the case')")
            assert coordinator.get_attribute("#op-message", "data-kind") == "ok"
            assert coordinator.problems == [] and nl.problems == []
            shot(nl, "43-operation-board-forms")
        finally:
            coordinator.context.close()
            nl.context.close()


_SHOWN_STATES = """() => {
    const tiles = {};
    document.querySelectorAll("#op-tiles .op-tile").forEach((tile) => {
        tiles[tile.getAttribute("data-country")] = tile.getAttribute("data-state");
    });
    const map = {};
    document.querySelectorAll("#op-map path[data-iso][data-state]").forEach((path) => {
        map[path.getAttribute("data-iso")] = path.getAttribute("data-state");
    });
    const data = JSON.parse(document.getElementById("op-data").getAttribute("data-board"));
    return {tiles: tiles, map: map, data: data.tile_states};
}"""
"""Each country's state as the page shows it: tiles, map, and the data from the server."""

_EXPECTED_STATES = [
    ({"planned": 2}, "planned"),
    ({"planned": 1, "go": 1}, "go"),
    ({"go": 1, "in-progress": 1}, "in-progress"),
    ({"planned": 1, "done": 1}, "in-progress"),
    ({"done": 2}, "done"),
    ({"done": 1, "failed": 1}, "failed"),
    ({"planned": 1, "in-progress": 1, "failed": 1}, "failed"),
    ({"done": 1, "aborted": 1}, "done"),
    ({"aborted": 1}, "aborted"),
]


def test_the_script_and_the_server_agree_on_country_states(chromium: Any, app: AppContext) -> None:
    """``operations-board.js`` keeps a copy of :func:`operations.model.country_state` for
    live updates: the two agree on every mix of up to two targets per status, and a live
    board's tiles and map after each event read as the server's after a reload."""
    world = plan_operation(app)
    operator = local_operator()
    with _running(app) as server:
        live = _board_tab(chromium, server, "NL-POL", world)
        fresh = live.context.new_page()
        try:
            statuses = [s.value for s in TargetStatus]
            mixes = [
                dict(zip(statuses, counts, strict=True))
                for counts in itertools.product(range(3), repeat=len(statuses))
                if any(counts)
            ]
            script: list[str] = live.evaluate(
                "(mixes) => mixes.map((by) => window.OperationBoard.countryState(by))", mixes
            )
            assert len(script) == len(mixes) == 3 ** len(statuses) - 1
            disagree = [
                (by, js, country_state(by))
                for by, js in zip(mixes, script, strict=True)
                if js != country_state(by)
            ]
            assert disagree == []
            for by, state in _EXPECTED_STATES:
                assert country_state(by) == state
                assert live.evaluate("(by) => window.OperationBoard.countryState(by)", by) == state

            def check(step: str) -> dict[str, str]:
                """The live board (the script's states) against a fresh load (the
                server's); returns the server's states."""
                shown = live.evaluate(_SHOWN_STATES)
                fresh.goto(f"/operations/{world.operation_id}")
                loaded = fresh.evaluate(_SHOWN_STATES)
                assert shown["tiles"] == loaded["tiles"] == loaded["data"], step
                assert shown["map"] == loaded["map"], step
                assert {k: v for k, v in loaded["data"].items() if k != "??"} == loaded["map"]
                states: dict[str, str] = loaded["data"]
                return states

            assert check("planned") == {"NL": "planned", "DE": "planned"}
            steps = [
                (world.nl_server, "go"),
                (world.nl_server, "in-progress"),
                (world.nl_server, "done"),
                (world.premises, "aborted"),
                (world.de_server, "aborted"),
                (world.de_person, "go"),
                (world.de_person, "aborted"),
            ]
            seen = set()
            for target, status in steps:
                operation_changes.change_status(app, operator, world.operation_id, target, status)
                live.wait_for_selector(f"#target-{target}[data-status='{status}']")
                seen |= set(check(f"{target} {status}").values())
            # a new target in a new country (its tile made by the script), which fails
            added = operations.add_target(
                app,
                operator,
                world.operation_id,
                NewTarget(kind=TargetKind.server, label="192.0.2.9", country="FR"),
            )
            live.wait_for_selector(f"#target-{added.id}")
            check("added")
            for status in ("go", "in-progress", "failed"):
                operation_changes.change_status(app, operator, world.operation_id, added.id, status)
                live.wait_for_selector(f"#target-{added.id}[data-status='{status}']")
                seen |= set(check(f"FR {status}").values())
            assert check("end") == {"NL": "done", "DE": "aborted", "FR": "failed"}
            assert seen == set(statuses)  # every state was compared at least once
            assert live.problems == [], live.problems
        finally:
            live.context.close()
