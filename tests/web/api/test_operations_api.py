"""/api/v1/operations against a real uvicorn: the board as each agency sees it, and who
may change what. The target's agency and coordinators change a target, another
participant gets 403, an observer reads and raises issues but changes nothing (403), an
agency that does not take part gets 404 exactly like a missing operation, a viewer reads
only; bad moves are 409, bad input 422."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from leaktrace.config import load_settings
from leaktrace.services.context import build_context
from tests.web.conftest import LiveServer, serve
from tests.web.operation_world import PREMISES, OperationWorld, ensure_agencies, plan_operation

_names = itertools.count(1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    directory = Path(tmp_path_factory.mktemp("operations-api"))
    settings = load_settings(
        db=str(directory / "ops.db"), evidence={"key_file": str(directory / "evidence.pem")}
    )
    with build_context(settings) as context:
        ensure_agencies(context)
        yield from serve(context)


@pytest.fixture
def world(server: LiveServer) -> OperationWorld:
    return plan_operation(server.context, f"Action day {next(_names)}")


def _board(client: httpx.Client, world: OperationWorld) -> dict[str, Any]:
    answer = client.get(f"/api/v1/operations/{world.operation_id}")
    assert answer.status_code == 200, answer.text
    board: dict[str, Any] = answer.json()
    return board


def _target(board: dict[str, Any], target_id: int) -> dict[str, Any]:
    found = [t for t in board["targets"] if t["id"] == target_id]
    assert len(found) == 1
    return found[0]


def _status(
    client: httpx.Client, world: OperationWorld, target: int, status: str, **extra: Any
) -> httpx.Response:
    return client.post(
        f"/api/v1/operations/{world.operation_id}/targets/{target}/status",
        json={"status": status, **extra},
    )


def test_each_agency_reads_its_own_board(server: LiveServer, world: OperationWorld) -> None:
    nl = _board(server.client("analyst", agency="NL-POL"), world)
    assert nl["operation"]["handling"] == "H2" and nl["operation"]["role"] == "participant"
    assert nl["operation"]["h_hour_utc"] == "2026-12-07T05:00:00Z"
    assert nl["viewer_agency"] == "NL-POL" and nl["can_coordinate"] is False
    assert _target(nl, world.nl_server)["can_change"] is True
    assert _target(nl, world.premises)["label"] == PREMISES  # text as given (JSON)
    assert _target(nl, world.de_server)["can_change"] is False
    assert _target(nl, world.de_person)["real_name"] is None  # not NL's country
    zones = {a["code"]: a for a in nl["agencies"]}
    assert zones["DE-BKA"]["timezone"] == "Europe/Berlin"
    assert zones["DE-BKA"]["h_hour_local"] == "2026-12-07 06:00 CET (UTC+01:00)"
    assert zones["FR-OBS"]["role"] == "observer"
    assert nl["last_event_id"] == nl["events"][-1]["id"]
    assert [c["country"] for c in nl["countries"]] == ["DE", "NL"]

    de = _board(server.client("analyst", agency="DE-BKA"), world)
    assert _target(de, world.de_person)["real_name"] == "Hans Muster"
    assert _target(de, world.de_server)["can_change"] is True
    assert _target(de, world.nl_server)["can_change"] is False
    de_viewer = _board(server.client("viewer", agency="DE-BKA"), world)
    assert _target(de_viewer, world.de_person)["real_name"] is None  # no read:personal
    assert not any(t["can_change"] for t in de_viewer["targets"])

    coordinator = _board(server.client("analyst", agency="EJ"), world)
    assert coordinator["can_coordinate"] is True
    assert all(t["can_change"] for t in coordinator["targets"])
    observer = _board(server.client("analyst", agency="FR-OBS"), world)
    assert observer["operation"]["role"] == "observer"
    assert not any(t["can_change"] for t in observer["targets"])

    listed = server.client("analyst", agency="NL-POL").get("/api/v1/operations")
    assert listed.status_code == 200
    assert world.operation_id in [o["id"] for o in listed.json()]


def test_an_agency_that_does_not_take_part_meets_a_missing_operation(
    server: LiveServer, world: OperationWorld
) -> None:
    outsider = server.client("analyst", agency="US-FBI")
    assert world.operation_id not in [o["id"] for o in outsider.get("/api/v1/operations").json()]
    missing = outsider.get("/api/v1/operations/987654")
    hidden = outsider.get(f"/api/v1/operations/{world.operation_id}")
    assert missing.status_code == hidden.status_code == 404
    assert missing.json()["error"]["type"] == hidden.json()["error"]["type"]
    changes = [
        _status(outsider, world, world.nl_server, "go"),
        outsider.post(
            f"/api/v1/operations/{world.operation_id}/targets/{world.nl_server}/issues",
            json={"text": "hello"},
        ),
        outsider.post(
            f"/api/v1/operations/{world.operation_id}/targets/{world.nl_server}/checklist",
            json={"item": "search"},
        ),
    ]
    assert [c.status_code for c in changes] == [404, 404, 404]


def test_the_assigned_agency_moves_its_target_and_no_one_else_may(
    server: LiveServer, world: OperationWorld
) -> None:
    nl = server.client("analyst", agency="NL-POL")
    de = server.client("analyst", agency="DE-BKA")
    observer = server.client("analyst", agency="FR-OBS")
    nl_viewer = server.client("viewer", agency="NL-POL")

    assert _status(de, world, world.nl_server, "go").status_code == 403
    assert _status(observer, world, world.nl_server, "go").status_code == 403
    assert _status(nl_viewer, world, world.nl_server, "go").status_code == 403
    assert _status(nl, world, world.de_server, "go").status_code == 403

    assert _status(nl, world, world.nl_server, "go").status_code == 200
    assert _status(nl, world, world.nl_server, "in-progress").status_code == 200
    done = _status(
        nl,
        world,
        world.nl_server,
        "done",
        note="two racks <seized>",
        outcome={"seized": 2, "offline": True},
    )
    assert done.status_code == 200, done.text
    target = done.json()
    assert target["status"] == "done" and target["next_statuses"] == []
    assert target["outcome"] == {"seized": 2, "offline": True}
    assert target["note"] == "two racks <seized>"

    again = _status(nl, world, world.nl_server, "go")
    assert again.status_code == 409
    board = _board(de, world)
    assert board["operation"]["counters"]["servers_seized"] == 2
    assert board["operation"]["counters"]["by_status"]["done"] == 1
    nl_tile = [c for c in board["countries"] if c["country"] == "NL"][0]
    assert nl_tile["by_status"]["done"] == 1 and nl_tile["by_status"]["planned"] == 1
    statuses = [e for e in board["events"] if e["type"] == "status"]
    assert [e["status"] for e in statuses] == ["go", "in-progress", "done"]
    assert all(e["target_id"] == world.nl_server and e["handling"] == "H2" for e in statuses)
    assert statuses[-1]["label"] == "203.0.113.5" and statuses[-1]["by_agency"] == "NL-POL"
    assert board["last_event_id"] == statuses[-1]["id"]

    # the coordinator changes any target
    coordinator = server.client("analyst", agency="EJ")
    assert _status(coordinator, world, world.de_server, "aborted").status_code == 200


def test_bad_input_is_422(server: LiveServer, world: OperationWorld) -> None:
    nl = server.client("analyst", agency="NL-POL")
    base = f"/api/v1/operations/{world.operation_id}/targets/{world.nl_server}"
    assert _status(nl, world, world.nl_server, "finished").status_code == 422
    assert _status(nl, world, world.nl_server, "go", color="red").status_code == 422
    bad_outcome = _status(nl, world, world.nl_server, "go", outcome={"seized": -1})
    assert bad_outcome.status_code == 422
    assert _status(nl, world, world.nl_server, "go", note="a\x00b").status_code == 422
    assert nl.post(f"{base}/checklist", json={"item": "coffee"}).status_code == 422
    assert nl.post(f"{base}/issues", json={"text": ""}).status_code == 422
    too_big = f"/api/v1/operations/{2**63}/targets/1/status"
    assert nl.post(too_big, json={"status": "go"}).status_code == 422
    # ids inside the API's range but beyond the database's: not found, not a 500
    beyond = f"/api/v1/operations/{2**40}"
    assert nl.get(beyond).status_code == 404
    missing_target = _status(nl, world, 2**40, "go")
    assert missing_target.status_code == 404


def test_checklist_and_assignment(server: LiveServer, world: OperationWorld) -> None:
    nl = server.client("analyst", agency="NL-POL")
    coordinator = server.client("analyst", agency="EJ")
    base = f"/api/v1/operations/{world.operation_id}/targets"

    ticked = nl.post(
        f"{base}/{world.nl_server}/checklist",
        json={"item": "authorisation", "reference": "RC-Amsterdam 2026/117"},
    )
    assert ticked.status_code == 200, ticked.text
    assert ticked.json()["checklist"]["authorisation"] == "RC-Amsterdam 2026/117"
    undone = nl.post(
        f"{base}/{world.nl_server}/checklist", json={"item": "authorisation", "undo": True}
    )
    assert undone.json()["checklist"]["authorisation"] is None
    arrest = nl.post(f"{base}/{world.de_person}/checklist", json={"item": "arrest"})
    assert arrest.status_code == 403

    assert nl.post(f"{base}/{world.premises}/assign", json={"agency": "DE-BKA"}).status_code == 403
    observer = coordinator.post(f"{base}/{world.premises}/assign", json={"agency": "FR-OBS"})
    assert observer.status_code == 422  # an observer does not act
    moved = coordinator.post(f"{base}/{world.premises}/assign", json={"agency": "DE-BKA"})
    assert moved.status_code == 200 and moved.json()["agency"] == "DE-BKA"
    # now DE-BKA's: NL-POL may no longer change it, DE-BKA may
    assert _status(nl, world, world.premises, "go").status_code == 403
    de = server.client("analyst", agency="DE-BKA")
    assert _status(de, world, world.premises, "go").status_code == 200
    board = _board(nl, world)
    assert _target(board, world.premises)["can_change"] is False
    assigned = [e for e in board["events"] if e["type"] == "assigned"]
    assert assigned[-1]["agency"] == "DE-BKA" and assigned[-1]["target_id"] == world.premises


def test_issues_anyone_who_writes_raises_the_right_agencies_resolve(
    server: LiveServer, world: OperationWorld
) -> None:
    observer = server.client("analyst", agency="FR-OBS")
    nl = server.client("analyst", agency="NL-POL")
    de = server.client("analyst", agency="DE-BKA")
    viewer = server.client("viewer", agency="FR-OBS")
    path = f"/api/v1/operations/{world.operation_id}/targets/{world.de_server}/issues"

    assert viewer.post(path, json={"text": "read only"}).status_code == 403
    raised = observer.post(path, json={"text": "server moved to <another> provider"})
    assert raised.status_code == 201, raised.text
    issue = raised.json()
    assert issue["open"] is True and issue["raised_by_agency"] == "FR-OBS"
    assert issue["text"] == "server moved to <another> provider"
    assert issue["target_id"] == world.de_server

    resolve = f"/api/v1/operations/{world.operation_id}/issues/{issue['id']}/resolve"
    assert nl.post(resolve, json={"resolution": "not mine"}).status_code == 403
    board = _board(de, world)
    assert board["operation"]["counters"]["open_issues"] == 1
    assert _target(board, world.de_server)["open_issues"] == 1
    coordinator_board = _board(server.client("analyst", agency="EJ"), world)
    assert coordinator_board["targets"][0]["id"] == world.de_server  # open issues first

    closed = de.post(resolve, json={"resolution": "found it at the new provider"})
    assert closed.status_code == 200
    assert closed.json()["open"] is False
    assert closed.json()["resolution"] == "found it at the new provider"
    assert _board(de, world)["operation"]["counters"]["open_issues"] == 0
    missing = de.post(f"/api/v1/operations/{world.operation_id}/issues/987654/resolve", json={})
    assert missing.status_code == 404


def test_plan_an_operation_and_add_targets(server: LiveServer, world: OperationWorld) -> None:
    coordinator = server.client("analyst", agency="EJ")
    created = coordinator.post(
        "/api/v1/operations",
        json={
            "case_id": world.case_id,
            "name": "Second day",
            "date": "2026-12-08",
            "h_hour": "04:30",
            "agencies": ["NL-POL", "DE-BKA=Europe/Berlin"],
            "handling": "H3",
            "targets": [{"kind": "server", "label": "192.0.2.10", "country": "NL"}],
        },
    )
    assert created.status_code == 201, created.text
    summary = created.json()
    assert summary["handling"] == "H3" and summary["role"] == "coordinator"
    assert summary["targets"] == 1 and summary["h_hour_utc"] == "2026-12-08T04:30:00Z"
    duplicate = coordinator.post(
        "/api/v1/operations",
        json={
            "case_id": world.case_id,
            "name": "Second day",
            "date": "2026-12-08",
            "h_hour": "04:30",
        },
    )
    assert duplicate.status_code == 409
    bad_hour = coordinator.post(
        "/api/v1/operations",
        json={"case_id": world.case_id, "name": "Third", "date": "2026-12-08", "h_hour": "25:00"},
    )
    assert bad_hour.status_code == 422
    # NL-POL is not a member of the case: it cannot plan an operation of it
    nl = server.client("analyst", agency="NL-POL")
    foreign = nl.post(
        "/api/v1/operations",
        json={"case_id": world.case_id, "name": "Mine", "date": "2026-12-08", "h_hour": "04:30"},
    )
    assert foreign.status_code == 404
    viewer = server.client("viewer", agency="EJ")
    assert viewer.post("/api/v1/operations", json={}).status_code == 403

    targets = f"/api/v1/operations/{summary['id']}/targets"
    person = {"kind": "person", "label": "z3r0", "country": "DE", "real_name": "Zora Null"}
    assert nl.post(targets, json=person).status_code == 403  # participants do not add
    added = coordinator.post(targets, json=person)
    assert added.status_code == 201, added.text
    assert added.json()["agency"] == "DE-BKA" and added.json()["real_name"] == "Zora Null"
    assert coordinator.post(targets, json=person).status_code == 409
    nl_board = nl.get(f"/api/v1/operations/{summary['id']}").json()
    assert [t["real_name"] for t in nl_board["targets"]] == [None, None]


def test_session_users_send_the_csrf_token(server: LiveServer, world: OperationWorld) -> None:
    from tests.web.pages.conftest import signed_in

    browser = signed_in(server, "investigator", "NL-POL")  # a user with a password
    path = f"/api/v1/operations/{world.operation_id}/targets/{world.nl_server}/status"
    refused = browser.post(path, json={"status": "go"})
    assert refused.status_code == 403
    page = browser.get(f"/operations/{world.operation_id}")
    assert page.status_code == 200
    from tests.web.pages.conftest import csrf_of

    token = csrf_of(page.text)
    accepted = browser.post(path, json={"status": "go"}, headers={"X-CSRF-Token": token})
    assert accepted.status_code == 200, accepted.text


def test_the_after_action_report(server: LiveServer, world: OperationWorld) -> None:
    nl = server.client("analyst", agency="NL-POL")
    assert _status(nl, world, world.nl_server, "go").status_code == 200
    path = f"/api/v1/operations/{world.operation_id}/report"
    page = nl.get(path)
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "'sha256-" in policy and "script" not in policy
    assert "H2" in page.text and "203.0.113.5" in page.text
    assert "Hans Muster" not in page.text  # real names are never in the report
    assert "<script>alert" not in page.text  # the premises' label is escaped
    assert server.client("analyst", agency="US-FBI").get(path).status_code == 404

    assert nl.post(path).status_code == 403  # NL-POL is not a member of the case
    assert server.client("viewer", agency="EJ").post(path).status_code == 403
    added = server.client("analyst", agency="EJ").post(path)
    assert added.status_code == 201, added.text
    report = added.json()
    assert report["case_id"] == world.case_id and report["item_id"] is not None
    assert len(report["sha256"]) == 64 and report["bytes"] > 0
