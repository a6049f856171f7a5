"""The demo case's action day: 60 servers in 18 countries, each with its country's
fictional police, persons whose real names only their country and the coordinators see,
and a first hour of changes that are real evidence-log entries and live events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from leaktrace.config import load_settings
from leaktrace.demo.infra import COUNTRIES
from leaktrace.errors import PermissionDeniedError
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services.cases import show_case
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.demo_accounts import DEMO_USERS, create_demo_accounts, police_code
from leaktrace.services.demo_case import DemoCase, create_demo_case
from leaktrace.services.demo_operation import (
    DEMO_OPERATION_NAME,
    DEMO_PERSONS,
    MOVED_ISSUE,
    action_day_start,
    duty_email,
)
from leaktrace.services.evidence import verify_logs
from leaktrace.services.identity import list_agencies
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_changes import change_status
from leaktrace.services.operation_events import events_after
from leaktrace.services.operations import list_operations
from leaktrace.services.sessions import login
from tests.services.demo_world import demo_copy


@dataclass(frozen=True, slots=True)
class World:
    ctx: AppContext
    case: DemoCase
    users: dict[str, Actor]
    """The printed demo logins, signed in, by e-mail."""
    before: datetime


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("demo-operation")
    settings = load_settings(
        db=str(demo_copy(folder)), evidence={"key_file": folder / "evidence-ed25519.pem"}
    )
    me = local_operator()
    with build_context(settings) as ctx:
        before = datetime.now(UTC)
        case = create_demo_case(
            ctx,
            me,
            group="EMBERS",
            leak_id=None,
            country="NL",
            supply=True,
            bundle=folder / "case.zip",
            action_day=COUNTRIES,
        )
        logins = create_demo_accounts(ctx, me)
        users = {
            entry.email: login(ctx, entry.email, entry.password, "127.0.0.1").actor
            for entry in logins
        }
        yield World(ctx, case, users, before)


def _operation_id(world: World) -> int:
    assert world.case.operation is not None
    return world.case.operation.id


def test_sixty_servers_in_eighteen_countries_each_with_its_countrys_police(
    world: World,
) -> None:
    board = operation_board(world.ctx, local_operator(), _operation_id(world))
    servers = [t for t in board.targets if t.kind == "server"]
    assert len(servers) == 60
    assert {t.country for t in servers} == set(COUNTRIES) and len(COUNTRIES) == 18
    assert all(t.agency == police_code(t.country or "") for t in servers)
    assert all(t.reference == f"targets:{t.country}" for t in servers)
    roles = {a.code: a.role for a in board.agencies}
    assert roles == {
        "DEMO-EUROPOL": "coordinator",
        "DEMO-INDUSTRY": "observer",
        "DEMO-SE-PROS": "observer",  # a member of the case: its log records the day
        **{police_code(c): "participant" for c in COUNTRIES},
    }
    names = {a.code: a.name for a in list_agencies(world.ctx, local_operator())}
    assert all(names[code].endswith("(fictional)") for code in roles)
    # every other target (persons, premises, the supply account) has an agency too
    assert all(t.agency is not None for t in board.targets)
    assert Counter(t.kind for t in board.targets) == {
        "server": 60,
        "person": len(DEMO_PERSONS),
        "premises": 2,
        "account": 1,
    }
    summary = world.case.operation
    assert summary is not None
    assert summary.servers == 60 and summary.countries == sorted(COUNTRIES)
    assert summary.by_status == dict(Counter(t.status for t in board.targets))
    assert summary.path == f"/operations/{summary.id}"


def test_the_action_day_is_an_hour_in(world: World) -> None:
    board = operation_board(world.ctx, local_operator(), _operation_id(world))
    op = board.operation
    assert op.name == DEMO_OPERATION_NAME and op.handling == "H2"
    start = action_day_start(world.before)
    assert (str(op.date), op.h_hour) == (start.date().isoformat(), start.strftime("%H:%M"))
    statuses = Counter(t.status for t in board.targets)
    assert {"planned", "go", "in-progress", "done", "failed", "aborted"} <= set(statuses)
    assert statuses["done"] >= 20 and statuses["in-progress"] >= 10
    done = [t for t in board.targets if t.kind == "server" and t.status == "done"]
    assert all(t.outcome == {"seized": 1, "offline": True} for t in done)
    assert all(t.checklist["authorisation"] and t.checklist["seizure"] for t in done)
    moved = [t for t in board.targets if t.outcome.get("moved_to")]
    assert len(moved) == 1 and moved[0].status == "failed"
    issues = {i.text: i for i in board.issues}
    assert issues[MOVED_ISSUE].open and issues[MOVED_ISSUE].target_id == moved[0].id
    resolved = [i for i in board.issues if not i.open]
    assert len(resolved) == 1 and resolved[0].text.startswith("Warrant missing")
    assert resolved[0].resolution
    assert [i.open for i in board.issues] == sorted((i.open for i in board.issues), reverse=True)
    summary = world.case.operation
    assert summary is not None
    assert board.operation.counters.open_issues == summary.open_issues == 2


@pytest.mark.parametrize(
    ("hour", "expected"),
    [
        ("2026-03-01T00:30:00+00:00", "2026-02-28T23:00:00+00:00"),
        ("2026-03-01T14:00:00+00:00", "2026-03-01T13:00:00+00:00"),
        ("2026-03-01T14:59:59+01:00", "2026-03-01T12:00:00+00:00"),
    ],
)
def test_h_hour_is_the_start_of_the_hour_before(hour: str, expected: str) -> None:
    assert action_day_start(datetime.fromisoformat(hour)) == datetime.fromisoformat(expected)


def test_real_names_only_for_the_persons_country_and_the_coordinators(world: World) -> None:
    op = _operation_id(world)
    named = {h: (c, n) for h, c, n in DEMO_PERSONS if n is not None}
    assert len(named) == 1
    ((handle, (country, real_name)),) = named.items()
    assert country == "NL"

    def seen_by(email: str) -> str | None:
        board = operation_board(world.ctx, world.users[email], op)
        (person,) = [t for t in board.targets if t.kind == "person" and t.label == handle]
        return person.real_name

    assert seen_by("investigator@police.demo.invalid") == real_name  # NL police
    assert seen_by("analyst@europol.demo.invalid") == real_name  # the coordinator
    assert seen_by("investigator@de-police.demo.invalid") is None  # another country
    assert seen_by("viewer@industry.demo.invalid") is None  # the observer
    # nor does any event or log entry carry it
    events = events_after(world.ctx, local_operator(), op)
    assert real_name not in repr([e.to_json() for e in events])
    log = show_case(world.ctx, local_operator(), world.case.id).timeline
    assert real_name not in repr([e.to_json() for e in log])


def test_the_printed_logins_see_the_board_as_told(world: World) -> None:
    emails = {email for email, *_ in DEMO_USERS}
    assert emails == set(world.users)  # every demo user got a password
    op = _operation_id(world)
    de = world.users["investigator@de-police.demo.invalid"]
    board = operation_board(world.ctx, de, op)
    assert board.viewer_agency == "DEMO-DE-POL" and not board.can_coordinate
    changeable = {t.country for t in board.targets if t.can_change}
    assert changeable == {"DE"}
    nl_target = next(t for t in board.targets if t.country == "NL" and t.next_statuses)
    with pytest.raises(PermissionDeniedError):
        change_status(world.ctx, de, op, nl_target.id, nl_target.next_statuses[0])
    coordinator = operation_board(world.ctx, world.users["analyst@europol.demo.invalid"], op)
    assert coordinator.can_coordinate and all(t.can_change for t in coordinator.targets)
    observer = operation_board(world.ctx, world.users["viewer@industry.demo.invalid"], op)
    assert not any(t.can_change for t in observer.targets)
    prosecutor = world.users["prosecutor@prosecution.demo.invalid"]
    reading = operation_board(world.ctx, prosecutor, op)  # a case member: an observer
    assert not any(t.can_change for t in reading.targets)
    assert all(t.real_name is None for t in reading.targets)
    assert [o.id for o in list_operations(world.ctx, de)] == [op]
    assert [o.id for o in list_operations(world.ctx, prosecutor)] == [op]


def test_every_change_is_an_evidence_log_entry_and_an_event(world: World) -> None:
    op = _operation_id(world)
    entries = [
        e
        for e in show_case(world.ctx, local_operator(), world.case.id).timeline
        if e.event.startswith("operation.")
    ]
    kinds = Counter(e.event for e in entries)
    assert kinds["operation.created"] == 1
    assert kinds["operation.target"] == 67
    assert kinds["operation.status"] >= 100
    assert kinds["operation.checked"] >= 40
    assert kinds["operation.issue"] == 3 and kinds["operation.resolved"] == 1
    # made by the agencies' duty users, not by the operator who planned it
    changers = {e.actor for e in entries if e.event != "operation.target"} - {local_operator().name}
    assert duty_email("DEMO-EUROPOL") in changers
    assert {duty_email(police_code(c)) for c in ("NL", "DE", "CZ")} <= changers
    events = events_after(world.ctx, local_operator(), op)
    assert len(events) == len(entries)
    assert [e.type for e in events][:2] == ["created", "target"]
    assert Counter(e.type for e in events)["status"] == kinds["operation.status"]
    assert all(e.handling == "H2" for e in events)
    # the exported bundle holds the action day, and the case's log verifies
    assert world.case.verification.ok
    assert world.case.export.entries >= len(entries)
    assert verify_logs(world.ctx, local_operator(), world.case.id).ok
