"""services.operation_changes: moving a target through its life, the checklist, assigning,
raising and resolving issues. Every change writes exactly one evidence-log entry in the
case and one outbox event, in one transaction; a refused or failing change writes
neither; targets are named by id or label."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from leaktrace.config import load_settings
from leaktrace.errors import ConflictError, InputError, NotFoundError
from leaktrace.identity.actor import local_operator
from leaktrace.operations.model import TargetKind
from leaktrace.services import case_log, case_timeline, cases, operations
from leaktrace.services import operation_changes as changes
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_events import events_after
from leaktrace.services.operation_views import OperationEventView
from leaktrace.services.operations import NewTarget
from leaktrace.store.schema_cases import EVIDENCE_ENTRIES
from tests.services.operation_setup import (
    DE_PERSON,
    DE_SERVER,
    NL_SERVER,
    PREMISES,
    OpWorld,
    counts,
    op_world,
    postgres_copy,
    sqlite_ctx,
)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    yield from sqlite_ctx(tmp_path)


@pytest.fixture
def w(ctx: AppContext) -> OpWorld:
    return op_world(ctx)


def _last_entry(w: OpWorld) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(event, data, actor) of the case's newest evidence entry."""
    with w.ctx.database.reading() as conn:
        raw = conn.execute(
            select(EVIDENCE_ENTRIES.c.entry)
            .where(EVIDENCE_ENTRIES.c.case_id == w.case_id)
            .order_by(EVIDENCE_ENTRIES.c.seq.desc())
            .limit(1)
        ).scalar_one()
    entry = json.loads(raw)
    return entry["event"], entry["data"], entry["actor"]


def _last_event(w: OpWorld) -> OperationEventView:
    return events_after(w.ctx, local_operator(), w.operation_id)[-1]


class Written:
    """Asserts that the block wrote ``log`` evidence entries and ``events`` outbox
    events (and left the audit log alone)."""

    def __init__(self, w: OpWorld, log: int, events: int) -> None:
        self.w, self.expected = w, (log, events)

    def __enter__(self) -> Written:
        self.before = counts(self.w.ctx, self.w.case_id)
        return self

    def __exit__(self, *exc: object) -> None:
        after = counts(self.w.ctx, self.w.case_id)
        got = (after[0] - self.before[0], after[1] - self.before[1], after[2] - self.before[2])
        assert got == (*self.expected, 0)


def test_a_target_through_its_life(w: OpWorld) -> None:
    ctx, op, nl = w.ctx, w.operation_id, w.nl
    target = w.targets[NL_SERVER]
    with Written(w, 1, 1):
        view = changes.change_status(ctx, nl, op, NL_SERVER, "go", note="  team at the door ")
    assert (view.status, view.note, view.next_statuses) == (
        "go",
        "team at the door",
        [
            "aborted",
            "in-progress",
        ],
    )
    event = _last_event(w)
    assert event.model_dump(exclude={"id", "at"}) == {
        "operation_id": op,
        "type": "status",
        "handling": "H2",
        "target_id": target,
        "label": NL_SERVER,
        "kind": "server",
        "country": "NL",
        "agency": "NL-POL",
        "status": "go",
        "previous": "planned",
        "note": "team at the door",
        "outcome": None,
        "item": None,
        "issue_id": None,
        "text": None,
        "by_agency": "NL-POL",
    }
    assert _last_entry(w) == (
        "operation.status",
        {
            "operation": "Action day Lantern",
            "operation_id": op,
            "handling": "H2",
            "target": NL_SERVER,
            "from": "planned",
            "to": "go",
            "note": "team at the door",
        },
        {"name": nl.name, "agency": "NL-POL"},
    )
    with Written(w, 1, 1):
        view = changes.change_status(
            ctx, nl, op, str(target), "In-Progress", outcome={"offline": True}
        )
    assert (view.note, view.outcome) == ("team at the door", {"offline": True})  # note kept
    with Written(w, 1, 1):
        view = changes.change_status(
            ctx, nl, op, NL_SERVER.upper(), "done", outcome={"seized": 3, "moved_to": None}
        )
    assert view.outcome == {"offline": True, "seized": 3}
    assert view.next_statuses == [] and view.status == "done"
    event = _last_event(w)
    assert (event.previous, event.status, event.outcome) == (
        "in-progress",
        "done",
        {"offline": True, "seized": 3},
    )
    assert _last_entry(w)[1]["outcome"] == {"seized": 3}
    # final: nothing moves it again, and nothing is written
    for status in ("go", "failed", "aborted", "planned", "done"):
        with Written(w, 0, 0), pytest.raises(ConflictError) as refused:
            changes.change_status(ctx, nl, op, NL_SERVER, status)
        assert "final" in str(refused.value)
    # the case's timeline says it in words
    with ctx.database.reading() as conn:
        words = [e.summary for e in case_timeline.timeline(conn, w.case_id)]
    lantern = "[Action day Lantern \u00b7 H2]"  # the operation and its handling code
    assert f"{lantern} {NL_SERVER}: planned \u2192 go: team at the door" in words
    assert f"{lantern} {NL_SERVER}: in-progress \u2192 done (seized 3)" in words
    assert any(
        x.startswith(f"{lantern} Action day planned for 2026-12-07 05:00 UTC; agencies ")
        for x in words
    )


@pytest.mark.parametrize(
    ("status", "outcome", "note", "field"),
    [
        ("finished", None, None, "status"),
        ("go", {"seized": -1}, None, "seized"),
        ("go", {"boxes": 1}, None, "outcome"),
        ("go", None, "x" * 2001, "note"),
        ("go", None, "bell\x07", "note"),
    ],
)
def test_bad_status_changes_write_nothing(
    w: OpWorld, status: str, outcome: dict[str, Any] | None, note: str | None, field: str
) -> None:
    with Written(w, 0, 0), pytest.raises(InputError) as refused:
        changes.change_status(
            w.ctx, w.nl, w.operation_id, NL_SERVER, status, note=note, outcome=outcome
        )
    assert refused.value.field == field


def test_skipping_a_step_is_refused(w: OpWorld) -> None:
    for status in ("in-progress", "done", "failed", "planned"):
        with Written(w, 0, 0), pytest.raises(ConflictError) as refused:
            changes.change_status(w.ctx, w.nl, w.operation_id, NL_SERVER, status)
        assert "it may go to aborted, go" in str(refused.value)
    with Written(w, 1, 1):
        changes.change_status(w.ctx, w.nl, w.operation_id, NL_SERVER, "aborted")


def test_a_failing_change_writes_nothing(w: OpWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    import leaktrace.services.operation_events as operation_events

    def broken(*args: object, **kwargs: object) -> int:
        raise RuntimeError("the outbox is down")

    monkeypatch.setattr(operation_events, "enqueue_topic_event", broken)
    for call in (
        lambda: changes.change_status(w.ctx, w.nl, w.operation_id, NL_SERVER, "go"),
        lambda: changes.check_item(w.ctx, w.nl, w.operation_id, NL_SERVER, "search"),
        lambda: changes.assign_target(w.ctx, w.coordinator, w.operation_id, PREMISES, "NL-POL"),
        lambda: changes.raise_issue(w.ctx, w.nl, w.operation_id, NL_SERVER, "moved"),
        lambda: operations.add_target(
            w.ctx, w.coordinator, w.operation_id, NewTarget(TargetKind.server, "n.ex")
        ),
    ):
        with Written(w, 0, 0), pytest.raises(RuntimeError):
            call()
    monkeypatch.undo()
    board = operation_board(w.ctx, w.coordinator, w.operation_id)
    assert all(t.status == "planned" and not any(t.checklist.values()) for t in board.targets)
    assert {t.label: t.agency for t in board.targets}[PREMISES] is None
    assert board.issues == [] and len(board.targets) == 4


def test_the_checklist(w: OpWorld) -> None:
    ctx, op, de = w.ctx, w.operation_id, w.de
    with Written(w, 1, 1):
        view = changes.check_item(ctx, de, op, DE_SERVER, " Authorisation ", reference="AZ 4/26")
    assert view.checklist == {
        "authorisation": "AZ 4/26",
        "search": None,
        "seizure": None,
        "forensic-image": None,
        "arrest": None,
        "provider-notified": None,
    }
    event = _last_event(w)
    assert (event.type, event.item, event.note, event.status) == (
        "checked",
        "authorisation",
        "AZ 4/26",
        "planned",
    )
    assert _last_entry(w)[1] == {
        "operation": "Action day Lantern",
        "operation_id": op,
        "handling": "H2",
        "target": DE_SERVER,
        "item": "authorisation",
        "done": True,
        "note": "AZ 4/26",
    }
    with Written(w, 1, 1):
        view = changes.check_item(ctx, de, op, DE_SERVER, "search")
    assert view.checklist["search"] == ""
    with Written(w, 1, 1):
        view = changes.check_item(ctx, de, op, DE_SERVER, "authorisation", undo=True)
    assert view.checklist["authorisation"] is None and view.checklist["search"] == ""
    assert _last_entry(w)[1]["done"] is False and _last_event(w).note is None
    for item in ("warrant", "", "forensic_image"):
        with Written(w, 0, 0), pytest.raises(InputError) as refused:
            changes.check_item(ctx, de, op, DE_SERVER, item)
        assert refused.value.field == "item"
    with Written(w, 0, 0), pytest.raises(InputError):
        changes.check_item(ctx, de, op, DE_SERVER, "search", reference="r" * 301)


def test_assigning(w: OpWorld) -> None:
    ctx, op, ej = w.ctx, w.operation_id, w.coordinator
    with Written(w, 1, 1):
        view = changes.assign_target(ctx, ej, op, PREMISES, " NL-POL ")
    assert view.agency == "NL-POL"
    event = _last_event(w)
    assert (event.type, event.agency, event.label) == ("assigned", "NL-POL", PREMISES)
    assert _last_entry(w)[1] == {
        "operation": "Action day Lantern",
        "operation_id": op,
        "handling": "H2",
        "target": PREMISES,
        "agency": "NL-POL",
        "from": None,
    }
    with Written(w, 0, 0):  # already its agency: nothing to record
        assert changes.assign_target(ctx, ej, op, PREMISES, "NL-POL").agency == "NL-POL"
    with Written(w, 1, 1):
        changes.assign_target(ctx, ej, op, DE_SERVER, "DE-JUS")
    assert _last_entry(w)[1]["from"] == "DE-BKA"
    # DE-BKA lost it, DE-JUS has it
    with pytest.raises(Exception, match="assigned to DE-JUS"):
        changes.change_status(ctx, w.de, op, DE_SERVER, "go")
    changes.change_status(ctx, w.actor("DE-JUS"), op, DE_SERVER, "go")
    for agency in ("FR-OBS", "US-FBI", "XX", "", "nl-pol"):
        with Written(w, 0, 0), pytest.raises(InputError) as refused:
            changes.assign_target(ctx, ej, op, NL_SERVER, agency)
        assert refused.value.field == "agency"
        assert "DE-BKA, DE-JUS, EJ, NL-POL" in str(refused.value)


def test_issues(w: OpWorld) -> None:
    ctx, op = w.ctx, w.operation_id
    with Written(w, 1, 1):
        issue = changes.raise_issue(ctx, w.observer, op, NL_SERVER, " server moved to AS64500 ")
    assert (issue.text, issue.raised_by_agency, issue.open, issue.target_label) == (
        "server moved to AS64500",
        "FR-OBS",
        True,
        NL_SERVER,
    )
    event = _last_event(w)
    assert (event.type, event.issue_id, event.text, event.by_agency) == (
        "issue",
        issue.id,
        "server moved to AS64500",
        "FR-OBS",
    )
    for text in ("", "   ", "x" * 2001, "a\x00b"):
        with Written(w, 0, 0), pytest.raises(InputError):
            changes.raise_issue(ctx, w.nl, op, NL_SERVER, text)
    with Written(w, 1, 1):
        resolved = changes.resolve_issue(ctx, w.nl, op, issue.id, "it did not")
    assert (resolved.open, resolved.resolution) == (False, "it did not")
    assert resolved.resolved_at is not None
    event = _last_event(w)
    assert (event.type, event.issue_id, event.note) == ("resolved", issue.id, "it did not")
    with Written(w, 0, 0):  # resolving twice changes nothing
        again = changes.resolve_issue(ctx, w.coordinator, op, issue.id, "other words")
    assert again.resolution == "it did not"


def test_naming_targets(w: OpWorld) -> None:
    ctx, op, ej = w.ctx, w.operation_id, w.coordinator
    # the exact label first; without case, a label naming several must be given by id
    operations.add_target(ctx, ej, op, NewTarget(TargetKind.premises, DE_PERSON.upper()))
    person = w.targets[DE_PERSON]
    assert changes.check_item(ctx, ej, op, DE_PERSON, "arrest").id == person
    assert changes.check_item(ctx, ej, op, DE_PERSON.upper(), "arrest").kind == "premises"
    with Written(w, 0, 0), pytest.raises(InputError) as several:
        changes.check_item(ctx, ej, op, "H4x", "search")
    assert several.value.field == "target" and "(person)" in str(several.value)
    assert "(premises)" in str(several.value)
    assert changes.check_item(ctx, ej, op, person, "search").label == DE_PERSON
    assert changes.check_item(ctx, ej, op, f" {person} ", "seizure").id == person
    # a label made of digits is found when no target has that id
    numeric = operations.add_target(ctx, ej, op, NewTarget(TargetKind.account, "987654"))
    assert changes.check_item(ctx, ej, op, "987654", "search").id == numeric.id
    # an id of another operation's target is not one of this operation
    other = op_world(ctx, name="Other")
    foreign = other.targets[NL_SERVER]
    assert foreign not in w.targets.values()
    for ref in (foreign, str(foreign), "nothing", "", 2**40, "-1"):
        with Written(w, 0, 0), pytest.raises(NotFoundError) as missing:
            changes.change_status(ctx, ej, op, ref, "go")
        assert missing.value.kind == "operation-target"


def test_odd_digits_are_not_an_internal_error(w: OpWorld) -> None:
    with pytest.raises(NotFoundError):
        changes.change_status(w.ctx, w.coordinator, w.operation_id, "\u00b2", "go")


def test_a_closed_case_takes_no_more_operation_entries(w: OpWorld) -> None:
    ctx, op = w.ctx, w.operation_id
    issue = changes.raise_issue(ctx, w.nl, op, NL_SERVER, "moved")
    cases.set_status(ctx, w.coordinator, w.case_id, "closed")
    for call in (
        lambda: changes.change_status(ctx, w.coordinator, op, NL_SERVER, "go"),
        lambda: changes.check_item(ctx, w.nl, op, NL_SERVER, "search"),
        lambda: changes.assign_target(ctx, w.coordinator, op, PREMISES, "NL-POL"),
        lambda: changes.raise_issue(ctx, w.observer, op, NL_SERVER, "still?"),
        lambda: changes.resolve_issue(ctx, w.nl, op, issue.id, "ok"),
        lambda: operations.add_target(
            ctx, local_operator(), op, NewTarget(TargetKind.server, "late.example")
        ),
    ):
        with Written(w, 0, 0), pytest.raises(ConflictError, match="closed"):
            call()
    board = operation_board(ctx, w.coordinator, op)  # still readable
    assert {t.label: t.status for t in board.targets}[NL_SERVER] == "planned"
    assert board.issues[0].open and len(board.targets) == 4


def test_every_change_is_one_entry_and_one_event(w: OpWorld) -> None:
    """The case log and the operation's topic grow together, one to one, and every event
    carries the operation's handling code."""
    ctx, op, ej = w.ctx, w.operation_id, w.coordinator
    start_log, start_events, _ = counts(ctx, w.case_id)
    calls = [
        lambda: changes.change_status(ctx, ej, op, DE_PERSON, "go"),
        lambda: changes.check_item(ctx, ej, op, DE_PERSON, "arrest"),
        lambda: changes.raise_issue(ctx, ej, op, DE_PERSON, "not home"),
        lambda: changes.assign_target(ctx, ej, op, DE_PERSON, "DE-JUS"),
        lambda: operations.add_target(ctx, ej, op, NewTarget(TargetKind.server, "z.ex")),
        lambda: changes.resolve_issue(ctx, ej, op, 1, None),
    ]
    for n, call in enumerate(calls, 1):
        call()
        log, outbox, _ = counts(ctx, w.case_id)
        assert (log - start_log, outbox - start_events) == (n, n)
    events = events_after(ctx, ej, op)
    assert [e.type for e in events[-6:]] == [
        "status",
        "checked",
        "issue",
        "assigned",
        "target",
        "resolved",
    ]
    assert all(e.handling == "H2" and e.operation_id == op for e in events)
    assert [e.id for e in events] == sorted({e.id for e in events})
    with ctx.database.reading() as conn:
        timeline = case_timeline.timeline(conn, w.case_id)
    # the signed tree head covers every entry, the operation's too
    assert case_log.tree_head(ctx, ej, w.case_id).tree_size == len(timeline)
    assert [e.event for e in timeline][-6:] == [
        "operation.status",
        "operation.checked",
        "operation.issue",
        "operation.assigned",
        "operation.target",
        "operation.resolved",
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def any_w(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpWorld]:
    if request.param == "sqlite":
        for context in sqlite_ctx(tmp_path):
            yield op_world(context)
        return
    for target in postgres_copy(request.getfixturevalue("postgres_url")):
        with build_context(load_settings(db=target)) as context:
            yield op_world(context)


def test_a_label_with_non_ascii_capitals_names_its_target(any_w: OpWorld) -> None:
    label = "Straße 1, MÜNCHEN"
    operations.add_target(
        any_w.ctx, any_w.coordinator, any_w.operation_id, NewTarget(TargetKind.premises, label)
    )
    view = changes.change_status(any_w.ctx, any_w.coordinator, any_w.operation_id, label, "go")
    assert view.label == label
