"""Pages /operations and /operations/{id} against a real uvicorn: what each agency sees,
outside text escaped (in the page and in the board's JSON block), the map coloured by
state with the counts written, 404 for an agency that does not take part."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from markupsafe import escape

from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services import operation_changes
from leaktrace.services.context import build_context
from tests.web.conftest import LiveServer, serve
from tests.web.operation_world import PREMISES, OperationWorld, ensure_agencies, plan_operation

_DATA = re.compile(r"<div id=\"op-data\" hidden data-board='([^']*)'></div>")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory = Path(tmp_path_factory.mktemp("operations-pages"))
    settings = load_settings(
        db=str(directory / "ops.db"), evidence={"key_file": str(directory / "evidence.pem")}
    )
    with build_context(settings) as context:
        ensure_agencies(context)
        yield from serve(context)


@pytest.fixture(scope="module")
def world(server: LiveServer) -> OperationWorld:
    planned = plan_operation(server.context)
    operator = local_operator()
    for status in ("go", "in-progress", "done"):
        operation_changes.change_status(
            server.context, operator, planned.operation_id, planned.de_server, status
        )
    operation_changes.raise_issue(
        server.context, operator, planned.operation_id, planned.nl_server, "warrant <missing>"
    )
    return planned


def test_the_list_shows_the_operations_an_agency_takes_part_in(
    server: LiveServer, world: OperationWorld
) -> None:
    page = server.client("viewer", agency="NL-POL").get("/operations")
    assert page.status_code == 200
    assert f'href="/operations/{world.operation_id}"' in page.text
    assert "Action day Lantern" in page.text and 'data-testid="nav-operations"' in page.text
    outsider = server.client("viewer", agency="US-FBI").get("/operations")
    assert outsider.status_code == 200
    assert "takes part in no operation" in outsider.text


def test_the_board_as_a_participant_reads_it(server: LiveServer, world: OperationWorld) -> None:
    page = server.client("analyst", agency="NL-POL").get(f"/operations/{world.operation_id}")
    assert page.status_code == 200
    text = page.text
    assert 'data-testid="handling"' in text and ">H2</strong>" in text
    assert "2026-12-07 05:00 UTC" in text and 'data-utc="2026-12-07T05:00:00Z"' in text
    assert "2026-12-07 06:00 CET (UTC+01:00)" in text  # each agency's H-hour
    # outside text is escaped: the premises' label and the issue's text
    assert "<script>alert" not in text and "<b>1</b>" not in text
    assert str(escape(PREMISES)) in text
    assert "warrant &lt;missing&gt;" in text
    # no inline script: the board's static files (in order), its data as JSON in an attribute
    assert re.findall(r"<script[^>]*>", text) == [
        '<script src="/static/vendor/htmx.org-2.0.11/htmx.min.js" defer>',
        '<script src="/static/operations-board.js" defer>',
        '<script src="/static/operations-apply.js" defer>',
        '<script src="/static/operations-forms.js" defer>',
        '<script src="/static/operations-stream.js" defer>',
    ]
    block = _DATA.search(text)
    assert block is not None and "<" not in block.group(1) and "&" not in block.group(1)
    data = json.loads(block.group(1))
    assert data["operation_id"] == world.operation_id and data["viewer_agency"] == "NL-POL"
    assert data["may_write"] is True and data["can_coordinate"] is False
    assert {t["label"] for t in data["targets"]} >= {PREMISES, "203.0.113.5"}
    assert data["last_event_id"] >= 1
    assert "Hans Muster" not in text  # DE's person: not NL's to see
    # the map: each country with targets coloured by its state and its counts in words
    germany = re.search(
        r'data-iso="DE" data-value="2" data-state="([a-z-]+)"><title>([^<]*)<', text
    )
    assert germany is not None
    assert germany.groups() == ("in-progress", "Germany: 2 targets (1 planned, 1 done)")
    assert 'data-iso="NL" data-value="2" data-state="planned"' in text
    assert 'data-iso="FR" data-value="0"' in text  # no targets: not marked
    # the tiles say the server's state (operations.model.country_state), for the scripts too
    assert data["tile_states"] == {"DE": "in-progress", "NL": "planned"}
    assert '<div class="op-tile" data-country="DE" data-state="in-progress">' in text
    assert '<p class="op-tile-state">under way</p>' in text
    assert "1 open issue" in text
    for counter, value in (("servers_seized", 1), ("arrests", 0), ("open_issues", 1)):
        assert f'data-counter="{counter}">{value}<' in text


def test_names_and_rights_follow_the_viewer(server: LiveServer, world: OperationWorld) -> None:
    de = server.client("analyst", agency="DE-BKA").get(f"/operations/{world.operation_id}")
    assert "real name: Hans Muster" in de.text
    viewer = server.client("viewer", agency="DE-BKA").get(f"/operations/{world.operation_id}")
    assert viewer.status_code == 200 and 'data-testid="read-only"' in viewer.text
    assert "Hans Muster" not in viewer.text
    block = _DATA.search(viewer.text)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["may_write"] is False and data["may_raise"] is False
    observer = server.client("analyst", agency="FR-OBS").get(f"/operations/{world.operation_id}")
    block = _DATA.search(observer.text)
    assert block is not None
    data = json.loads(block.group(1))
    assert data["may_write"] is False and data["may_raise"] is True  # observers raise issues


def test_an_agency_that_does_not_take_part_gets_404(
    server: LiveServer, world: OperationWorld
) -> None:
    outsider = server.client("analyst", agency="US-FBI")
    hidden = outsider.get(f"/operations/{world.operation_id}")
    missing = outsider.get("/operations/987654")
    assert hidden.status_code == missing.status_code == 404
    assert "Action day Lantern" not in hidden.text
    assert outsider.get("/operations/abc").status_code == 422
    assert outsider.get(f"/operations/{2**40}").status_code == 422


def test_the_report_button_shows_to_those_who_may_add_it(
    server: LiveServer, world: OperationWorld
) -> None:
    """Adding the report to the case needs a writing member of the case (the board's
    ``may_add_report``): the case's lead agency (EJ) sees the button; a participant that
    is not a member of the case (NL-POL), an observer and a viewer do not. Everyone reads
    the printable report."""
    path = f"/operations/{world.operation_id}"
    seen = {}
    for role, agency in (
        ("analyst", "EJ"),
        ("analyst", "NL-POL"),
        ("analyst", "FR-OBS"),
        ("viewer", "EJ"),
    ):
        page = server.client(role, agency=agency).get(path)
        assert page.status_code == 200
        assert 'data-testid="report-link"' in page.text
        seen[(role, agency)] = 'data-testid="add-report"' in page.text
    assert seen == {
        ("analyst", "EJ"): True,
        ("analyst", "NL-POL"): False,
        ("analyst", "FR-OBS"): False,
        ("viewer", "EJ"): False,
    }
    # and the API agrees with the page: NL-POL's try to add it is refused
    api = server.client("analyst", agency="NL-POL")
    answer = api.post(f"/api/v1/operations/{world.operation_id}/report", json={})
    assert answer.status_code == 403
