"""services.case_access: only member agencies see a case (anyone else: exactly the answer
for a case that does not exist, on every case service), observers read, members add, the
lead manages, closed cases refuse changes; on PostgreSQL a write locks the case row."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from leaktrace.config import load_settings
from leaktrace.errors import (
    ConflictError,
    LeakTraceError,
    NotFoundError,
    PermissionDeniedError,
)
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services import case_items, case_log, case_timeline, cases
from leaktrace.services.case_access import case_access
from leaktrace.services.context import AppContext, build_context
from tests.services.test_leaks import agency_actor

__all__ = ["CaseWorld", "events", "log_size", "world"]


class CaseWorld:
    """A case of NL-POL (lead) with DE-BKA as member and FR-PJ as observer; ES-PN is
    not a member. Users are analysts unless named otherwise."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.lead = agency_actor(ctx, "NL-POL")
        self.member = agency_actor(ctx, "DE-BKA")
        self.observer = agency_actor(ctx, "FR-PJ")
        self.outsider = agency_actor(ctx, "ES-PN")
        self.case_id = cases.open_case(ctx, self.lead, "Operation Tinsel").id
        cases.add_member(ctx, self.lead, self.case_id, "DE-BKA", "member")
        cases.add_member(ctx, self.lead, self.case_id, "FR-PJ", "observer")


def world(ctx: AppContext) -> CaseWorld:
    return CaseWorld(ctx)


def events(ctx: AppContext, case_id: int) -> list[str]:
    """The events of the case's log, oldest first."""
    with ctx.database.reading() as conn:
        return [entry.event for entry in case_timeline.timeline(conn, case_id)]


def log_size(ctx: AppContext, case_id: int) -> int:
    return len(events(ctx, case_id))


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(tmp_path / "cases.db"))) as context:
        yield context


def _every_service(w: CaseWorld) -> dict[str, Callable[[Actor, int], Any]]:
    """Every case service, as a call on case ``id`` by ``actor``."""
    ctx = w.ctx
    return {
        "show": lambda a, i: cases.show_case(ctx, a, i),
        "member": lambda a, i: cases.add_member(ctx, a, i, "ES-PN"),
        "subject": lambda a, i: cases.add_subject(ctx, a, i, "group", "GRP"),
        "task": lambda a, i: cases.add_task(ctx, a, i, "look"),
        "task-update": lambda a, i: cases.update_task(ctx, a, i, 1, status="done"),
        "note": lambda a, i: cases.add_note(ctx, a, i, "a note"),
        "status": lambda a, i: cases.set_status(ctx, a, i, "suspended"),
        "update": lambda a, i: cases.update_case(ctx, a, i, title="New"),
        "change": lambda a, i: cases.change_case(ctx, a, i, status="open", title="New"),
        "add-items": lambda a, i: case_items.add_items(
            ctx, a, i, [case_items.AddRequest("note", text="n")]
        ),
        "finding": lambda a, i: case_items.add_finding(ctx, a, i, "leak", "1"),
        "file": lambda a, i: case_items.add_file(ctx, a, i, name="f", content=io.BytesIO(b"x")),
        "item": lambda a, i: case_items.item_content(ctx, a, i, 1),
        "head": lambda a, i: case_log.tree_head(ctx, a, i),
    }


def _answer(
    call: Callable[..., Any], *args: Any
) -> tuple[type[LeakTraceError], str, str | None, str | None]:
    with pytest.raises(NotFoundError) as caught:
        call(*args)
    error = caught.value
    return type(error), str(error), error.kind, error.key


def test_another_agency_gets_the_answer_for_a_missing_case_from_every_service(
    ctx: AppContext,
) -> None:
    w = world(ctx)
    cases.add_task(ctx, w.lead, w.case_id, "first")
    case_items.add_file(ctx, w.lead, w.case_id, name="a.txt", content=io.BytesIO(b"abc"))
    before = log_size(ctx, w.case_id)
    # a case id no one has, made to print like the real one
    missing = w.case_id + 1000
    for name, call in _every_service(w).items():
        hidden = _answer(call, w.outsider, w.case_id)
        absent = _answer(call, w.outsider, missing)
        assert hidden == (NotFoundError, f"no case {w.case_id}", "case", str(w.case_id)), name
        assert absent == (NotFoundError, f"no case {missing}", "case", str(missing)), name
        # a member sees the same "missing" answer for an id that does not exist
        assert _answer(call, w.lead, missing) == absent, name
    for bad in (0, -1, 2**31, 2**70):
        assert _answer(cases.show_case, ctx, w.lead, bad)[1] == f"no case {bad}"
    assert [c.id for c in cases.list_cases(ctx, w.outsider)] == []
    assert log_size(ctx, w.case_id) == before  # nothing was written


def test_roles_observer_reads_member_adds_lead_manages(ctx: AppContext) -> None:
    w = world(ctx)
    assert cases.show_case(ctx, w.observer, w.case_id).my_role == "observer"
    for call in (
        lambda: cases.add_note(ctx, w.observer, w.case_id, "mine"),
        lambda: cases.add_subject(ctx, w.observer, w.case_id, "host", "1.2.3.4"),
        lambda: cases.add_task(ctx, w.observer, w.case_id, "do"),
        lambda: case_items.add_file(ctx, w.observer, w.case_id, name="f", content=io.BytesIO(b"x")),
    ):
        with pytest.raises(PermissionDeniedError):
            call()
    cases.add_note(ctx, w.member, w.case_id, "a member adds")
    for call in (
        lambda: cases.add_member(ctx, w.member, w.case_id, "ES-PN"),
        lambda: cases.set_status(ctx, w.member, w.case_id, "closed"),
        lambda: cases.update_case(ctx, w.member, w.case_id, title="Mine now"),
    ):
        with pytest.raises(PermissionDeniedError) as denied:
            call()
        assert "only its lead" in str(denied.value)
    # a viewer of the lead agency reads but never writes (no write:cases)
    viewer = agency_actor(ctx, "NL-POL", "viewer")
    assert cases.show_case(ctx, viewer, w.case_id).my_role == "lead"
    with pytest.raises(PermissionDeniedError) as no_write:
        cases.add_note(ctx, viewer, w.case_id, "x")
    assert no_write.value.permission == "write:cases"
    # the command line is the operator of every case
    with ctx.database.reading() as conn:
        assert case_access(conn, local_operator(), w.case_id, "lead").role == "operator"
    assert events(ctx, w.case_id) == [
        "case.opened",
        "member.added",
        "member.added",
        "note.added",
    ]


def test_a_closed_case_refuses_changes_until_its_lead_reopens_it(ctx: AppContext) -> None:
    w = world(ctx)
    cases.set_status(ctx, w.lead, w.case_id, "closed", reason="charged")
    size = log_size(ctx, w.case_id)
    for call in (
        lambda: case_items.add_file(ctx, w.member, w.case_id, name="f", content=io.BytesIO(b"x")),
        lambda: cases.add_note(ctx, w.lead, w.case_id, "late"),
        lambda: cases.add_member(ctx, w.lead, w.case_id, "ES-PN"),
        lambda: cases.update_case(ctx, w.lead, w.case_id, title="Renamed"),
    ):
        with pytest.raises(ConflictError) as closed:
            call()
        assert str(closed.value) == f"case {w.case_id} is closed"
    assert log_size(ctx, w.case_id) == size
    assert cases.show_case(ctx, w.observer, w.case_id).status == "closed"  # still readable
    with pytest.raises(PermissionDeniedError):
        cases.set_status(ctx, w.member, w.case_id, "open")
    assert cases.set_status(ctx, w.lead, w.case_id, "open").status == "open"
    cases.add_note(ctx, w.member, w.case_id, "back on it")
    assert events(ctx, w.case_id)[-3:] == ["status.changed", "status.changed", "note.added"]


def test_postgres_access_gate_and_row_lock(postgres_database: str, tmp_path: Path) -> None:
    with build_context(load_settings(db=postgres_database)) as ctx:
        w = world(ctx)
        assert _answer(cases.show_case, ctx, w.outsider, w.case_id)[1] == (f"no case {w.case_id}")
        with pytest.raises(PermissionDeniedError):
            cases.add_note(ctx, w.observer, w.case_id, "x")

        def try_lock() -> None:
            with ctx.database.engine.connect() as other:
                other.execute(
                    text("SELECT id FROM cases WHERE id = :id FOR UPDATE NOWAIT"),
                    {"id": w.case_id},
                )

        with ctx.database.transaction() as conn:
            case_access(conn, w.member, w.case_id, "read")
            try_lock()  # a read holds no lock
        with ctx.database.transaction() as conn:
            case_access(conn, w.member, w.case_id, "write")
            with pytest.raises(OperationalError):
                try_lock()  # a write holds the case row until its transaction ends
        try_lock()

        _race(w)


def _race(w: CaseWorld) -> None:
    """Writers racing on one case are serialised: every entry gets its own seq and every
    note its own id, none is lost."""
    ctx = w.ctx
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            for i in range(3):
                cases.add_note(ctx, w.member if n % 2 else w.lead, w.case_id, f"{n}.{i}")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with ctx.database.reading() as conn:
        seqs = [entry.seq for entry in case_timeline.timeline(conn, w.case_id)]
    assert seqs == list(range(3 + 12))
    notes = cases.show_case(ctx, w.lead, w.case_id).notes
    assert sorted(n.entry_seq for n in notes) == list(range(3, 15))
    assert len({n.id for n in notes}) == 12
    assert sorted(n.text for n in notes) == sorted(f"{n}.{i}" for n in range(4) for i in range(3))


def test_sqlite_writers_racing_on_one_case(ctx: AppContext) -> None:
    _race(world(ctx))
