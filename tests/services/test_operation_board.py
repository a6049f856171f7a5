"""services.operation_board and operation_events: what a participant's board shows (the
H-hour in each agency's zone across DST changes, country tiles, counters, issues open
first, targets with open issues first for coordinators, the latest events and the id a
live stream resumes from) and the replay of events after an id."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from leaktrace.config import load_settings
from leaktrace.errors import InputError
from leaktrace.identity.actor import local_operator
from leaktrace.operations.model import TargetKind
from leaktrace.services import operation_board as board_module
from leaktrace.services import operation_changes as changes
from leaktrace.services import operations
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_events import events_after, topic
from leaktrace.services.operations import NewTarget
from leaktrace.store import operations as operation_store
from leaktrace.store.outbox import topic_head
from tests.services.operation_setup import (
    DE_PERSON,
    DE_SERVER,
    NL_SERVER,
    PREMISES,
    OpWorld,
    ensure_agencies,
    op_world,
    postgres_copy,
    sqlite_ctx,
)
from tests.services.test_leaks import agency_actor


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    yield from sqlite_ctx(tmp_path)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AppContext]:
    if request.param == "sqlite":
        yield from sqlite_ctx(tmp_path)
        return
    for target in postgres_copy(request.getfixturevalue("postgres_url")):
        with build_context(load_settings(db=target)) as context:
            yield context


@pytest.fixture
def w(ctx: AppContext) -> OpWorld:
    return op_world(ctx)


def _plan(ctx: AppContext, name: str, day: str, h_hour: str, agencies: list[str]) -> int:
    ensure_agencies(ctx)
    ej = agency_actor(ctx, "EJ")
    from leaktrace.services import cases

    case_id = cases.open_case(ctx, ej, f"Case {name}").id
    return operations.create_operation(
        ctx, ej, case_id=case_id, name=name, day=day, h_hour=h_hour, agencies=agencies
    ).id


def test_h_hour_in_every_agencys_zone_across_dst(ctx: AppContext) -> None:
    agencies = ["NL-POL", "DE-BKA=Europe/London", "US-FBI", "FR-OBS:observer=Australia/Sydney"]
    expected = {
        # the night Europe moves to summer time (01:00 UTC); New York moved on 8 March
        ("2026-03-29", "01:30"): {
            "EJ": "2026-03-29 03:30 CEST (UTC+02:00)",
            "NL-POL": "2026-03-29 03:30 CEST (UTC+02:00)",
            "DE-BKA": "2026-03-29 02:30 BST (UTC+01:00)",
            "US-FBI": "2026-03-28 21:30 EDT (UTC-04:00)",
            "FR-OBS": "2026-03-29 12:30 AEDT (UTC+11:00)",
        },
        ("2026-03-28", "01:30"): {
            "EJ": "2026-03-28 02:30 CET (UTC+01:00)",
            "NL-POL": "2026-03-28 02:30 CET (UTC+01:00)",
            "DE-BKA": "2026-03-28 01:30 GMT (UTC+00:00)",
            "US-FBI": "2026-03-27 21:30 EDT (UTC-04:00)",
            "FR-OBS": "2026-03-28 12:30 AEDT (UTC+11:00)",
        },
        ("2026-10-25", "00:30"): {
            "EJ": "2026-10-25 02:30 CEST (UTC+02:00)",
            "NL-POL": "2026-10-25 02:30 CEST (UTC+02:00)",
            "DE-BKA": "2026-10-25 01:30 BST (UTC+01:00)",
            "US-FBI": "2026-10-24 20:30 EDT (UTC-04:00)",
            "FR-OBS": "2026-10-25 11:30 AEDT (UTC+11:00)",
        },
    }
    for (day, hour), shown in expected.items():
        op = _plan(ctx, f"On {day}", day, hour, agencies)
        for actor in (agency_actor(ctx, "NL-POL"), local_operator()):
            board = operation_board(ctx, actor, op)
            assert {a.code: a.h_hour_local for a in board.agencies} == shown
            assert board.operation.h_hour_utc == f"{day}T{hour}:00Z"


def test_far_dates_are_refused_and_the_edges_shown(ctx: AppContext) -> None:
    for day in ("9999-12-31", "0001-01-01", "2101-01-01"):
        with pytest.raises(InputError) as refused:
            _plan(ctx, f"Far {day}", day, "23:00", ["NL-POL=Asia/Tokyo"])
        assert refused.value.field == "date"
    zones = ["NL-POL=Pacific/Kiritimati", "DE-BKA=Pacific/Pago_Pago"]
    last = _plan(ctx, "Last", "2100-12-31", "23:59", zones)
    first = _plan(ctx, "First", "1990-01-01", "00:00", zones)
    shown = {
        op: {a.code: a.h_hour_local for a in operation_board(ctx, local_operator(), op).agencies}
        for op in (first, last)
    }
    assert shown[last]["NL-POL"] == "2101-01-01 13:59 +14 (UTC+14:00)"
    assert shown[first]["DE-BKA"] == "1989-12-31 13:00 SST (UTC-11:00)"


def test_tiles_counters_and_issues(w: OpWorld) -> None:
    ctx, op, ej = w.ctx, w.operation_id, w.coordinator
    empty = operation_board(ctx, ej, op)
    assert empty.operation.counters.model_dump() == {
        "targets": 4,
        "by_status": {
            s: (4 if s == "planned" else 0)
            for s in ("planned", "go", "in-progress", "done", "failed", "aborted")
        },
        "servers_seized": 0,
        "arrests": 0,
        "open_issues": 0,
    }
    assert [(c.country, c.name, c.targets) for c in empty.countries] == [
        ("DE", "Germany", 2),
        ("??", "location unknown", 1),
        ("NL", "Netherlands", 1),
    ]
    extra = operations.add_target(
        ctx, ej, op, NewTarget(TargetKind.server, "192.0.2.77", country="NL")
    )
    for status in ("go", "in-progress", "done"):
        changes.change_status(ctx, w.nl, op, NL_SERVER, status)  # a server done: 1 seized
        changes.change_status(
            ctx, ej, op, extra.id, status, outcome={"seized": 3} if status == "done" else None
        )
        changes.change_status(
            ctx, w.de, op, DE_PERSON, status, outcome={"arrested": 2} if status == "done" else None
        )
    changes.change_status(ctx, w.de, op, DE_SERVER, "aborted")
    changes.check_item(ctx, ej, op, PREMISES, "arrest")  # one arrest without a figure
    first = changes.raise_issue(ctx, w.nl, op, NL_SERVER, "first")
    second = changes.raise_issue(ctx, w.observer, op, PREMISES, "second")
    changes.raise_issue(ctx, w.de, op, PREMISES, "third")
    changes.resolve_issue(ctx, ej, op, first.id, "ok")
    board = operation_board(ctx, ej, op)
    counters = board.operation.counters
    assert (counters.targets, counters.servers_seized, counters.arrests, counters.open_issues) == (
        5,
        4,
        3,
        2,
    )
    assert counters.by_status == {
        "planned": 1,
        "go": 0,
        "in-progress": 0,
        "done": 3,
        "failed": 0,
        "aborted": 1,
    }
    nl_tile = next(c for c in board.countries if c.country == "NL")
    assert (nl_tile.targets, nl_tile.by_status["done"]) == (2, 2)
    # open issues first, then the resolved; the coordinator sees targets with open issues
    # first, everyone else in order
    assert [(i.text, i.open) for i in board.issues] == [
        ("second", True),
        ("third", True),
        ("first", False),
    ]
    assert board.issues[0].id == second.id
    assert [t.label for t in board.targets][:1] == [PREMISES]
    assert {t.label: t.open_issues for t in board.targets}[PREMISES] == 2
    ids = [t.id for t in board.targets]
    assert ids[1:] == sorted(ids[1:])
    for actor in (w.nl, w.observer):
        assert [t.id for t in operation_board(ctx, actor, op).targets] == sorted(ids)
    assert operation_board(ctx, local_operator(), op).targets[0].label == PREMISES


def test_latest_events_and_resuming(w: OpWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, op, ej = w.ctx, w.operation_id, w.coordinator
    monkeypatch.setattr(board_module, "BOARD_EVENTS", 4)
    for item in ("search", "seizure", "arrest"):
        changes.check_item(ctx, ej, op, DE_SERVER, item)
    board = operation_board(ctx, w.observer, op)
    every = events_after(ctx, w.observer, op)
    assert len(every) == 8
    assert [e.id for e in board.events] == [e.id for e in every[-4:]]  # newest last
    assert board.last_event_id == every[-1].id
    with ctx.database.reading() as conn:
        assert topic_head(conn, topic(op)) == board.last_event_id
    # what a stream resuming from the board gets: exactly what came after
    changes.change_status(ctx, w.de, op, DE_SERVER, "go")
    changes.raise_issue(ctx, w.nl, op, NL_SERVER, "moved")
    missed = events_after(ctx, w.observer, op, after=board.last_event_id)
    assert [e.type for e in missed] == ["status", "issue"]
    assert events_after(ctx, w.observer, op, after=missed[-1].id) == []
    assert events_after(ctx, w.observer, op, after=-5) == every + missed
    assert [e.id for e in events_after(ctx, w.observer, op, after=every[2].id, limit=2)] == [
        every[3].id,
        every[4].id,
    ]
    assert all(e.at.endswith("Z") and e.handling == "H2" for e in every + missed)
    # another operation's events are not this one's
    other = op_world(ctx, name="Other")
    changes.change_status(ctx, other.coordinator, other.operation_id, NL_SERVER, "go")
    assert events_after(ctx, w.observer, op, after=missed[-1].id) == []


def test_an_absurd_last_event_id_is_no_events(w: OpWorld) -> None:
    assert events_after(w.ctx, w.observer, w.operation_id, after=2**64) == []


def _racing(ctx: AppContext, w: OpWorld, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The board of NL-POL while NL_SERVER goes to 'go' on another connection right after
    the board read the targets."""
    real = operation_store.targets_of
    fired: list[int] = []

    def targets_then_change(conn: Any, operation_id: int) -> Any:
        found = real(conn, operation_id)
        if not fired:
            fired.append(1)
            worker = threading.Thread(
                target=changes.change_status, args=(ctx, w.nl, w.operation_id, NL_SERVER, "go")
            )
            worker.start()
            worker.join(30)
        return found

    monkeypatch.setattr(operation_store, "targets_of", targets_then_change)
    board = operation_board(ctx, w.nl, w.operation_id)
    monkeypatch.undo()
    return board


def test_the_board_and_its_last_event_id_agree(
    any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = op_world(any_ctx)
    board = _racing(any_ctx, w, monkeypatch)
    status = {t.label: t.status for t in board.targets}[NL_SERVER]
    resumed = events_after(any_ctx, w.nl, w.operation_id, after=board.last_event_id)
    # the change is either on the board or in what the stream sends next
    assert status == "go" or [e.status for e in resumed] == ["go"]
