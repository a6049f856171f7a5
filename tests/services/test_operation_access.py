"""services.operation_access through every operation service: to an agency that does not
take part an operation is exactly a missing one; coordinators change everything, a
participant its own targets, observers read (and raise issues), the viewer role reads
only, the local operator coordinates every operation; real names of persons only for the
agency of their country and coordinators holding read:personal, and showing them is
audited; a refused call writes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leaktrace.errors import LeakTraceError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.operations.model import TargetKind
from leaktrace.services import operation_changes as changes
from leaktrace.services import operations
from leaktrace.services.context import AppContext
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_events import events_after
from leaktrace.services.operations import NewTarget
from leaktrace.store.schema_access import AUDIT_LOG
from leaktrace.store.schema_cases import EVIDENCE_ENTRIES
from tests.services.operation_setup import (
    DE_PERSON,
    DE_SERVER,
    NL_SERVER,
    PREMISES,
    REAL_NAME,
    OpWorld,
    counts,
    op_world,
    sqlite_ctx,
)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    yield from sqlite_ctx(tmp_path)


@pytest.fixture
def w(ctx: AppContext) -> OpWorld:
    return op_world(ctx)


def _services(w: OpWorld) -> dict[str, Callable[[Actor, int], Any]]:
    """Every operation service, as a call on operation ``id`` by ``actor``."""
    ctx = w.ctx
    return {
        "board": lambda a, i: operation_board(ctx, a, i),
        "events": lambda a, i: events_after(ctx, a, i),
        "add": lambda a, i: operations.add_target(
            ctx, a, i, NewTarget(TargetKind.premises, "Elsewhere 2")
        ),
        "assign": lambda a, i: changes.assign_target(ctx, a, i, NL_SERVER, "DE-BKA"),
        "status": lambda a, i: changes.change_status(ctx, a, i, NL_SERVER, "go"),
        "check": lambda a, i: changes.check_item(ctx, a, i, NL_SERVER, "search"),
        "issue": lambda a, i: changes.raise_issue(ctx, a, i, NL_SERVER, "warrant missing"),
        "resolve": lambda a, i: changes.resolve_issue(ctx, a, i, 1, "done"),
    }


def _answer(call: Callable[..., Any], *args: Any) -> tuple[str, str | None, str | None]:
    with pytest.raises(NotFoundError) as caught:
        call(*args)
    error = caught.value
    assert type(error) is NotFoundError
    return str(error), error.kind, error.key


def test_an_outsider_gets_the_answer_for_a_missing_operation_from_every_service(
    w: OpWorld,
) -> None:
    changes.raise_issue(w.ctx, w.nl, w.operation_id, NL_SERVER, "first")
    before = counts(w.ctx, w.case_id)
    missing = w.operation_id + 1000
    for name, call in _services(w).items():
        hidden = _answer(call, w.outsider, w.operation_id)
        absent = _answer(call, w.outsider, missing)
        assert hidden == (f"no operation {w.operation_id}", "operation", str(w.operation_id)), name
        assert absent == (f"no operation {missing}", "operation", str(missing)), name
        assert _answer(call, w.coordinator, missing) == absent, name
        assert _answer(call, w.nl, missing) == absent, name
        # the outsider's viewer (no write:cases) cannot tell either on reads
        if name in ("board", "events"):
            assert _answer(call, w.actor("US-FBI", "viewer"), w.operation_id) == hidden
    for bad in (0, -1, 2**31, 2**70):
        assert _answer(operation_board, w.ctx, w.coordinator, bad)[0] == f"no operation {bad}"
        assert _answer(events_after, w.ctx, w.coordinator, bad)[0] == f"no operation {bad}"
    assert operations.list_operations(w.ctx, w.outsider) == []
    assert counts(w.ctx, w.case_id) == before  # nothing written, not even an audit entry


def _allowed(call: Callable[[], Any]) -> bool:
    try:
        call()
    except PermissionDeniedError:
        return False
    return True


def test_who_may_change_what(w: OpWorld) -> None:
    ctx, op = w.ctx, w.operation_id
    nl, de, fr, ej = w.nl, w.de, w.observer, w.coordinator
    ej_viewer = w.actor("EJ", "viewer")
    nl_viewer = w.actor("NL-POL", "viewer")
    ej_investigator = w.actor("EJ", "investigator")
    # a participant changes its own targets and no other
    assert _allowed(lambda: changes.change_status(ctx, nl, op, NL_SERVER, "go"))
    assert _allowed(lambda: changes.check_item(ctx, nl, op, NL_SERVER, "authorisation"))
    for target in (DE_SERVER, DE_PERSON, PREMISES):
        before = counts(ctx, w.case_id)
        assert not _allowed(lambda t=target: changes.change_status(ctx, nl, op, t, "go"))
        assert not _allowed(lambda t=target: changes.check_item(ctx, nl, op, t, "search"))
        assert counts(ctx, w.case_id) == before
    # the other DE agency (not assigned) may not change DE-BKA's targets
    de_jus = w.actor("DE-JUS")
    assert not _allowed(lambda: changes.change_status(ctx, de_jus, op, DE_SERVER, "go"))
    # only coordinators assign and add targets
    for actor in (nl, de, fr, ej_viewer, nl_viewer):
        before = counts(ctx, w.case_id)
        assert not _allowed(lambda a=actor: changes.assign_target(ctx, a, op, PREMISES, "NL-POL"))
        assert not _allowed(
            lambda a=actor: operations.add_target(ctx, a, op, NewTarget(TargetKind.server, "x.ex"))
        )
        assert counts(ctx, w.case_id) == before
    # observers and viewers change nothing, not even their "own"
    for actor in (fr, ej_viewer, nl_viewer):
        before = counts(ctx, w.case_id)
        assert not _allowed(
            lambda a=actor: changes.change_status(ctx, a, op, NL_SERVER, "in-progress")
        )
        assert not _allowed(lambda a=actor: changes.check_item(ctx, a, op, NL_SERVER, "search"))
        assert counts(ctx, w.case_id) == before
    # viewers cannot even raise issues; observers can
    assert not _allowed(lambda: changes.raise_issue(ctx, ej_viewer, op, NL_SERVER, "hm"))
    assert _allowed(lambda: changes.raise_issue(ctx, fr, op, NL_SERVER, "provider says moved"))
    # coordinators (any writing role) change everything; the operator too
    assert _allowed(lambda: changes.assign_target(ctx, ej, op, PREMISES, "NL-POL"))
    assert _allowed(lambda: changes.change_status(ctx, ej_investigator, op, DE_SERVER, "go"))
    assert _allowed(lambda: changes.change_status(ctx, local_operator(), op, DE_PERSON, "go"))
    assert _allowed(
        lambda: operations.add_target(
            ctx, local_operator(), op, NewTarget(TargetKind.server, "192.0.2.1")
        )
    )
    # once assigned, the premises are NL-POL's
    assert _allowed(lambda: changes.change_status(ctx, nl, op, PREMISES, "go"))
    # reading: everyone taking part, any role
    for actor in (nl, de, fr, ej, ej_viewer, nl_viewer, local_operator()):
        assert operation_board(ctx, actor, op).operation.id == op
        assert events_after(ctx, actor, op)


def test_can_change_on_the_board_matches_the_services(w: OpWorld) -> None:
    ctx, op = w.ctx, w.operation_id
    for actor in (
        w.nl,
        w.de,
        w.observer,
        w.coordinator,
        w.actor("EJ", "viewer"),
        w.actor("DE-JUS"),
    ):
        board = operation_board(ctx, actor, op)
        for target in board.targets:
            if target.status != "planned":
                continue
            before = counts(ctx, w.case_id)
            may = _allowed(lambda t=target, a=actor: changes.check_item(ctx, a, op, t.id, "search"))
            assert may == target.can_change, (actor.name, target.label)
            if not may:
                assert counts(ctx, w.case_id) == before
    expected = {
        "EJ": (True, "coordinator"),
        "NL-POL": (False, "participant"),
        "FR-OBS": (False, "observer"),
    }
    for code, (coordinates, role) in expected.items():
        board = operation_board(ctx, w.actor(code), op)
        assert (board.can_coordinate, board.operation.role, board.viewer_agency) == (
            coordinates,
            role,
            code,
        )
    assert operation_board(ctx, w.actor("EJ", "viewer"), op).can_coordinate is False
    operator = operation_board(ctx, local_operator(), op)
    assert (operator.can_coordinate, operator.operation.role, operator.viewer_agency) == (
        True,
        "operator",
        None,
    )


def test_resolving_an_issue(w: OpWorld) -> None:
    ctx, op = w.ctx, w.operation_id
    by_observer = changes.raise_issue(ctx, w.observer, op, NL_SERVER, "server moved")
    by_nl = changes.raise_issue(ctx, w.nl, op, DE_SERVER, "DE warrant?")
    # not the raiser, not the target's agency, not a coordinator
    before = counts(ctx, w.case_id)
    for actor, issue in ((w.de, by_observer), (w.actor("DE-JUS"), by_nl), (w.observer, by_nl)):
        assert not _allowed(lambda a=actor, i=issue: changes.resolve_issue(ctx, a, op, i.id, "x"))
    assert not _allowed(
        lambda: changes.resolve_issue(ctx, w.actor("FR-OBS", "viewer"), op, by_observer.id, "x")
    )
    assert counts(ctx, w.case_id) == before
    # the raiser (even an observer) and the target's agency may; so may coordinators
    assert changes.resolve_issue(ctx, w.observer, op, by_observer.id, "was wrong").open is False
    assert changes.resolve_issue(ctx, w.de, op, by_nl.id, None).open is False
    third = changes.raise_issue(ctx, w.de, op, DE_PERSON, "not at home")
    assert changes.resolve_issue(ctx, w.coordinator, op, third.id, "found").resolution == "found"
    # a missing issue, or one of another operation, is not found
    other = op_world(ctx, name="Other")
    foreign = changes.raise_issue(ctx, other.coordinator, other.operation_id, NL_SERVER, "x")
    for bad in (foreign.id, 999, -1, 2**40):
        with pytest.raises(NotFoundError) as missing:
            changes.resolve_issue(ctx, w.coordinator, op, bad, "x")
        assert missing.value.kind == "operation-issue"


# --- real names ------------------------------------------------------------------------


def _audited_names(ctx: AppContext) -> list[tuple[str | None, str]]:
    with ctx.database.reading() as conn:
        rows = conn.execute(
            select(AUDIT_LOG.c.agency, AUDIT_LOG.c.detail).where(
                AUDIT_LOG.c.action == "operation.names"
            )
        ).all()
    return [(r.agency, r.detail) for r in rows]


def test_real_names_only_for_the_persons_country_and_coordinators(w: OpWorld) -> None:
    ctx, op = w.ctx, w.operation_id
    person = w.targets[DE_PERSON]
    sees = {
        "EJ/analyst": True,  # coordinator with read:personal
        "EJ/viewer": False,  # coordinator's viewer: no read:personal
        "DE-BKA/analyst": True,  # the person's country (assigned)
        "DE-JUS/analyst": True,  # the person's country (not assigned)
        "DE-BKA/viewer": False,
        "NL-POL/analyst": False,
        "FR-OBS/analyst": False,  # observers of another country
    }
    for key, expected in sees.items():
        code, role = key.split("/")
        actor = w.actor(code, role)
        before = len(_audited_names(ctx))
        board = operation_board(ctx, actor, op)
        shown = {t.id: t.real_name for t in board.targets}
        assert shown[person] == (REAL_NAME if expected else None), key
        assert all(name is None for tid, name in shown.items() if tid != person)
        audited = _audited_names(ctx)[before:]
        if expected:
            assert audited == [(code, f"real names of targets {person} shown")], key
        else:
            assert audited == [], key
    # the operator coordinates
    assert {t.id: t.real_name for t in operation_board(ctx, local_operator(), op).targets}[
        person
    ] == REAL_NAME
    # never in an event or the evidence log
    for event in events_after(ctx, local_operator(), op):
        assert REAL_NAME not in event.model_dump_json()

    with ctx.database.reading() as conn:
        entries = conn.execute(select(EVIDENCE_ENTRIES.c.entry)).scalars().all()
    assert entries and all(REAL_NAME.encode() not in e for e in entries)


def test_real_names_shown_by_a_change_are_audited(w: OpWorld) -> None:
    ctx, op = w.ctx, w.operation_id
    before = len(_audited_names(ctx))
    view = changes.change_status(ctx, w.de, op, DE_PERSON, "go")
    assert view.real_name == REAL_NAME
    assert len(_audited_names(ctx)) == before + 1


def test_refusals_are_leaktrace_errors(w: OpWorld) -> None:
    """Calls by strangers, observers and participants naming no target (odd ids and
    refs) are refused, each with a LeakTraceError (never another exception)."""
    for actor in (w.outsider, w.observer, w.nl):
        for ref in ("", "  ", "0", "-1", str(2**70), "%", "h4x\x00", "\u00b2"):
            for call in (
                lambda a=actor, r=ref: changes.change_status(w.ctx, a, w.operation_id, r, "go"),
                lambda a=actor, r=ref: changes.check_item(w.ctx, a, w.operation_id, r, "search"),
            ):
                with pytest.raises(LeakTraceError):
                    call()
