"""services.cases: opening, listing, showing (audited), members, subjects, tasks, notes,
status and details; every change is exactly one entry of the case's log, written with it
or not at all."""

from __future__ import annotations

import json
from datetime import date

import pytest

from leaktrace.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    StoreError,
)
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_log, cases, identity
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.store.evidence_log import entries
from leaktrace.store.identity import set_user_active, user_by_email
from tests.services.test_case_access import ctx, events, log_size, world
from tests.services.test_leaks import agency_actor

__all__ = ["ctx"]


def _last_data(ctx: AppContext, case_id: int) -> dict[str, object]:
    """The ``data`` of the case's newest log entry, as hashed."""
    with ctx.database.reading() as conn:
        entry = entries(conn, case_id)[-1]
    parsed = json.loads(entry.entry)
    assert isinstance(parsed["data"], dict)
    return parsed["data"]


def test_open_case_for_ones_own_agency(ctx: AppContext) -> None:
    nl = agency_actor(ctx, "NL-POL")
    ref = cases.open_case(
        ctx,
        nl,
        "  Operation Tinsel  ",
        legal_basis="Art. 126 Sv\nwarrant 2026/17",
        reference="NL-2026-0042",
        retention_until=date(2036, 1, 1),
    )
    assert ref.to_json() == {"id": ref.id}
    detail = cases.show_case(ctx, nl, ref.id)
    assert (detail.title, detail.status, detail.owner_agency, detail.my_role) == (
        "Operation Tinsel",
        "open",
        "NL-POL",
        "lead",
    )
    assert detail.legal_basis == "Art. 126 Sv\nwarrant 2026/17"
    assert detail.retention_until == date(2036, 1, 1)
    assert detail.created_by == "analyst@nl-pol.example"
    assert [(m.agency, m.role) for m in detail.members] == [("NL-POL", "lead")]
    assert [e.event for e in detail.timeline] == ["case.opened"]
    assert detail.tree_head.tree_size == 1 == detail.tree_size
    assert detail.tree_head.log_id == case_log.log_id_for(ctx, ref.id)
    data = _last_data(ctx, ref.id)
    assert data["title"] == "Operation Tinsel" and data["agency"] == "NL-POL"
    assert data["retention_until"] == "2036-01-01"
    # a user opens for their own agency only; the operator names one that exists
    with pytest.raises(PermissionDeniedError):
        cases.open_case(ctx, nl, "Theirs", agency="DE-BKA")
    assert cases.open_case(ctx, nl, "Mine", agency="nl-pol").id == ref.id + 1
    with pytest.raises(InputError) as no_agency:
        cases.open_case(ctx, local_operator(), "Nobody's")
    assert no_agency.value.field == "agency"
    with pytest.raises(NotFoundError) as unknown:
        cases.open_case(ctx, local_operator(), "Whose?", agency="XX-NONE")
    assert (unknown.value.kind, unknown.value.key) == ("agency", "XX-NONE")
    by_operator = cases.open_case(ctx, local_operator(), "For them", agency="NL-POL")
    assert cases.show_case(ctx, nl, by_operator.id).my_role == "lead"
    with pytest.raises(PermissionDeniedError):
        cases.open_case(ctx, agency_actor(ctx, "NL-POL", "viewer"), "Viewer's")


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("title", {"title": ""}),
        ("title", {"title": "   "}),
        ("title", {"title": "x" * 301}),
        ("title", {"title": "two\nlines"}),
        ("reference", {"reference": "r" * 201}),
        ("legal_basis", {"legal_basis": "b" * 10_001}),
        ("legal_basis", {"legal_basis": "nul\x00byte"}),
    ],
)
def test_open_case_refuses_bad_fields(ctx: AppContext, field: str, kwargs: dict[str, str]) -> None:
    nl = agency_actor(ctx, "NL-POL")
    arguments = {"title": "Fine"} | kwargs
    with pytest.raises(InputError) as refused:
        cases.open_case(ctx, nl, **arguments)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert cases.list_cases(ctx, local_operator()) == []
    assert cases.open_case(ctx, nl, "x" * 300).id == 1  # the limit itself is fine


def test_each_change_is_one_log_entry_with_what_changed(ctx: AppContext) -> None:
    w = world(ctx)
    case = w.case_id
    expected = ["case.opened", "member.added", "member.added"]
    assert events(ctx, case) == expected
    assert _last_data(ctx, case) == {"agency": "FR-PJ", "agency_name": "FR-PJ", "role": "observer"}

    def step(event: str) -> dict[str, object]:
        expected.append(event)
        assert events(ctx, case) == expected
        return _last_data(ctx, case)

    cases.add_subject(ctx, w.member, case, "group", "SPARKS")
    assert step("subject.added") == {"kind": "group", "value": "SPARKS"}
    task = cases.add_task(ctx, w.lead, case, "Ask the ISP", assignee="Analyst@DE-BKA.example")
    assert task.assignee == "analyst@de-bka.example" and task.status == "open"
    assert step("task.added") == {
        "task": task.id,
        "title": "Ask the ISP",
        "assignee": "analyst@de-bka.example",
        "status": "open",
    }
    done = cases.update_task(ctx, w.member, case, task.id, status="done")
    assert done.status == "done" and done.assignee == "analyst@de-bka.example"
    assert step("task.updated") == {"task": task.id, "title": "Ask the ISP", "status": "done"}
    cases.update_task(ctx, w.member, case, task.id, status="done")  # no change: no entry
    assert events(ctx, case) == expected
    cases.update_task(ctx, w.lead, case, task.id, assignee="")
    assert step("task.updated") == {"task": task.id, "title": "Ask the ISP", "assignee": None}
    note = cases.add_note(ctx, w.member, case, "Seen on the FTP\nat 03:00")
    assert step("note.added") == {"note": note.id, "text": "Seen on the FTP\nat 03:00"}
    assert note.entry_seq == len(expected) - 1 and note.agency == "DE-BKA"
    summary = cases.update_case(ctx, w.lead, case, title="Operation Holly", reference="R-1")
    assert summary.title == "Operation Holly"
    assert step("case.updated") == {
        "changed": {
            "title": {"from": "Operation Tinsel", "to": "Operation Holly"},
            "reference": {"from": "", "to": "R-1"},
        }
    }
    cases.update_case(ctx, w.lead, case, title="Operation Holly")  # unchanged: no entry
    assert events(ctx, case) == expected
    suspended = cases.set_status(ctx, w.lead, case, "suspended", reason="waiting for MLA")
    assert suspended.status == "suspended" and suspended.tree_size == len(expected) + 1
    assert step("status.changed") == {
        "from": "open",
        "to": "suspended",
        "reason": "waiting for MLA",
    }
    detail = cases.show_case(ctx, w.observer, case)
    assert [e.event for e in detail.timeline] == expected
    assert [(s.kind, s.value) for s in detail.subjects] == [("group", "SPARKS")]
    assert [(n.id, n.entry_seq, n.author) for n in detail.notes] == [
        (note.id, note.entry_seq, "analyst@de-bka.example")
    ]
    assert detail.tasks == [cases.update_task(ctx, w.lead, case, task.id)]
    assert detail.tree_head.tree_size == len(expected)


def test_member_subject_task_and_status_refusals(ctx: AppContext) -> None:
    w = world(ctx)
    case = w.case_id
    size = log_size(ctx, case)
    with pytest.raises(ConflictError):
        cases.add_member(ctx, w.lead, case, "DE-BKA", "observer")
    with pytest.raises(InputError) as lead_role:
        cases.add_member(ctx, w.lead, case, "ES-PN", "lead")
    assert lead_role.value.field == "role"
    with pytest.raises(NotFoundError) as agency:
        cases.add_member(ctx, w.lead, case, "XX-NONE")
    assert agency.value.kind == "agency"
    with pytest.raises(InputError) as kind:
        cases.add_subject(ctx, w.lead, case, "person", "John")
    assert kind.value.field == "kind"
    cases.add_subject(ctx, w.lead, case, "host", "203.0.113.9")
    size += 1
    with pytest.raises(ConflictError):
        cases.add_subject(ctx, w.member, case, "host", "203.0.113.9")
    with pytest.raises(InputError) as value:
        cases.add_subject(ctx, w.member, case, "work", "w" * 301)
    assert value.value.field == "value"
    # assignees: active users of member agencies only
    with pytest.raises(InputError) as outsider:
        cases.add_task(ctx, w.lead, case, "t", assignee="analyst@es-pn.example")
    assert outsider.value.field == "assignee"
    with pytest.raises(InputError):
        cases.add_task(ctx, w.lead, case, "t", assignee="nobody@nl-pol.example")
    agency_actor(ctx, "FR-PJ", "investigator")
    with ctx.database.transaction() as conn:
        user = user_by_email(conn, "investigator@fr-pj.example")
        assert user is not None
        set_user_active(conn, user.id, False)
    with pytest.raises(InputError):
        cases.add_task(ctx, w.lead, case, "t", assignee="investigator@fr-pj.example")
    task = cases.add_task(ctx, w.lead, case, "for the observer", assignee="analyst@fr-pj.example")
    size += 1
    with pytest.raises(InputError) as status:
        cases.update_task(ctx, w.lead, case, task.id, status="cancelled")
    assert status.value.field == "status"
    other = cases.open_case(ctx, w.lead, "Other").id
    other_task = cases.add_task(ctx, w.lead, other, "elsewhere")
    for wrong in (other_task.id, 999, 0, 2**40):
        with pytest.raises(NotFoundError) as no_task:
            cases.update_task(ctx, w.lead, case, wrong, status="done")
        assert no_task.value.kind == "task"
    for text in ("", "  ", "n" * 10_001, "bell\x07"):
        with pytest.raises(InputError) as note:
            cases.add_note(ctx, w.lead, case, text)
        assert note.value.field == "text"
    with pytest.raises(InputError):
        cases.set_status(ctx, w.lead, case, "archived")
    with pytest.raises(ConflictError):
        cases.set_status(ctx, w.lead, case, "open")
    assert log_size(ctx, case) == size


def test_listing_newest_first_with_role_items_and_log_size(ctx: AppContext) -> None:
    w = world(ctx)
    second = cases.open_case(ctx, w.member, "DE's own").id
    third = cases.open_case(ctx, w.lead, "NL's second").id
    cases.add_member(ctx, w.lead, third, "DE-BKA", "observer")
    cases.set_status(ctx, w.member, second, "closed")
    de = cases.list_cases(ctx, w.member)
    assert [(c.id, c.my_role, c.owner_agency) for c in de] == [
        (third, "observer", "NL-POL"),
        (second, "lead", "DE-BKA"),
        (w.case_id, "member", "NL-POL"),
    ]
    assert [c.tree_size for c in de] == [2, 2, 3]
    assert [c.items for c in de] == [0, 0, 0]
    # writable: open cases where DE may add (not as observer, not closed)
    assert [c.id for c in cases.list_cases(ctx, w.member, writable=True)] == [w.case_id]
    assert [c.id for c in cases.list_cases(ctx, w.member, status="closed")] == [second]
    with pytest.raises(InputError):
        cases.list_cases(ctx, w.member, status="gone")
    viewer = agency_actor(ctx, "DE-BKA", "viewer")
    assert len(cases.list_cases(ctx, viewer)) == 3
    assert cases.list_cases(ctx, viewer, writable=True) == []
    everything = cases.list_cases(ctx, local_operator())
    assert [c.id for c in everything] == [third, second, w.case_id]
    assert {c.my_role for c in everything} == {"operator"}
    assert [c.id for c in cases.list_cases(ctx, w.outsider)] == []


def test_show_and_list_are_audited(ctx: AppContext) -> None:
    w = world(ctx)
    other = cases.open_case(ctx, w.member, "DE's own").id
    cases.list_cases(ctx, w.member)
    cases.list_cases(ctx, w.observer, writable=True)
    listed = list_audit(ctx, local_operator(), action="case.list").items
    assert [(e.actor, e.subject, e.detail) for e in listed] == [
        ("analyst@fr-pj.example", "cases", "0 cases (add-to-case menu): "),
        ("analyst@de-bka.example", "cases", f"2 cases: {other}, {w.case_id}"),
    ]
    assert list_audit(ctx, local_operator(), action="case.read").items == []
    cases.show_case(ctx, w.member, w.case_id)
    cases.show_case(ctx, w.observer, w.case_id)
    with pytest.raises(NotFoundError):
        cases.show_case(ctx, w.outsider, w.case_id)
    read = list_audit(ctx, local_operator(), action="case.read").items
    assert [(e.actor, e.agency, e.subject) for e in read] == [
        ("analyst@fr-pj.example", "FR-PJ", f"case {w.case_id}"),
        ("analyst@de-bka.example", "DE-BKA", f"case {w.case_id}"),
    ]


def test_a_failing_log_append_leaves_nothing_behind(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world(ctx)
    before = cases.show_case(ctx, w.lead, w.case_id)

    def broken(*args: object, **kwargs: object) -> int:
        raise StoreError("disk full")

    monkeypatch.setattr(case_log, "append_event", broken)
    for call in (
        lambda: cases.add_note(ctx, w.lead, w.case_id, "lost"),
        lambda: cases.add_task(ctx, w.lead, w.case_id, "lost"),
        lambda: cases.add_subject(ctx, w.lead, w.case_id, "group", "LOST"),
        lambda: cases.add_member(ctx, w.lead, w.case_id, "ES-PN"),
        lambda: cases.set_status(ctx, w.lead, w.case_id, "closed"),
        lambda: cases.update_case(ctx, w.lead, w.case_id, title="Lost"),
        lambda: cases.open_case(ctx, w.lead, "Lost case"),
    ):
        with pytest.raises(StoreError):
            call()
    monkeypatch.undo()
    after = cases.show_case(ctx, w.lead, w.case_id)
    assert after == before
    assert [c.id for c in cases.list_cases(ctx, local_operator())] == [w.case_id]
    assert identity.list_agencies(ctx, local_operator())  # the database is fine


def test_cases_past_their_retention_date_are_due_for_review(ctx: AppContext) -> None:
    nl = agency_actor(ctx, "NL-POL")
    kept = cases.open_case(ctx, nl, "Kept", retention_until=date(2999, 1, 1))
    due = cases.open_case(ctx, nl, "Due", retention_until=date(2001, 1, 1))
    never = cases.open_case(ctx, nl, "No date")
    listed = {c.id: c for c in cases.list_cases(ctx, nl)}
    assert [listed[i].retention_due for i in (kept.id, due.id, never.id)] == [False, True, False]
    assert [c.id for c in cases.list_cases(ctx, nl, retention_due=True)] == [due.id]
    assert cases.show_case(ctx, nl, due.id).to_json()["retention_due"] is True
    # extending the date takes it off the list
    cases.update_case(ctx, nl, due.id, retention_until=date(2999, 1, 1))
    assert cases.list_cases(ctx, nl, retention_due=True) == []


def test_supply_account_subjects_are_personal_data(ctx: AppContext) -> None:
    """An account subject names a person: a member without read:personal sees it
    withheld (on the case and in its timeline) and may not export the case; a reader with
    read:personal sees it, and that read is audited as personal."""
    from leaktrace.errors import PermissionDeniedError
    from leaktrace.services import case_export

    for code in ("NL-POL", "DE-BKA"):
        identity.add_agency(
            ctx, local_operator(), code=code, name=code, country=code[:2], kind="police"
        )
    nl = agency_actor(ctx, "NL-POL")
    viewer = agency_actor(ctx, "DE-BKA", role="viewer")
    case = cases.open_case(ctx, nl, "Accounts")
    cases.add_member(ctx, nl, case.id, "DE-BKA", "observer")
    cases.add_subject(ctx, nl, case.id, "account", "jan.devries")
    cases.add_subject(ctx, nl, case.id, "group", "EMBERS")

    seen = cases.show_case(ctx, viewer, case.id)
    text = seen.model_dump_json()
    assert "jan.devries" not in text and "withheld" in text
    assert "EMBERS" in text  # only people are withheld
    with pytest.raises(PermissionDeniedError) as refused:
        case_export.export_case_bytes(ctx, viewer, case.id)
    assert refused.value.permission == "read:personal"

    full = cases.show_case(ctx, nl, case.id)
    assert "jan.devries" in full.model_dump_json()
    coordinator = agency_actor(ctx, "NL-POL", role="coordinator")
    actions = [e.action for e in list_audit(ctx, coordinator).items]
    assert "case.read.personal" in actions
