"""services.cases.change_case (status and details in one transaction, everything checked
before anything is written) and CaseDetail.may (what the asking actor may do, by the
rules the services enforce)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from leaktrace.config import load_settings
from leaktrace.errors import ConflictError, InputError, PermissionDeniedError, StoreError
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services import audit, case_items, case_log, cases
from leaktrace.services.context import AppContext, build_context
from leaktrace.store.evidence_log import entries
from tests.services.test_case_access import ctx, events, world
from tests.services.test_leaks import agency_actor

__all__ = ["ctx"]


def _data(ctx: AppContext, case_id: int, count: int) -> list[dict[str, object]]:
    """The ``data`` of the case's newest ``count`` entries, oldest first."""
    with ctx.database.reading() as conn:
        newest = entries(conn, case_id)[-count:]
    return [json.loads(e.entry)["data"] for e in newest]


def test_reopen_then_rename_and_rename_then_close_in_one_call(ctx: AppContext) -> None:
    w = world(ctx)
    case = w.case_id
    cases.set_status(ctx, w.lead, case, "closed", reason="charged")
    before = events(ctx, case)
    summary = cases.change_case(
        ctx, w.lead, case, status="open", reason="appeal", title="Tinsel II", reference="R-2"
    )
    assert (summary.status, summary.title, summary.reference) == ("open", "Tinsel II", "R-2")
    assert events(ctx, case) == [*before, "status.changed", "case.updated"]
    assert _data(ctx, case, 2) == [
        {"from": "closed", "to": "open", "reason": "appeal"},
        {
            "changed": {
                "title": {"from": "Operation Tinsel", "to": "Tinsel II"},
                "reference": {"from": "", "to": "R-2"},
            }
        },
    ]
    closed = cases.change_case(
        ctx,
        w.lead,
        case,
        status="closed",
        reason="verdict",
        retention_until=date(2040, 1, 1),
        title="Tinsel II",  # already so: not in the entry
    )
    assert (closed.status, closed.retention_until) == ("closed", date(2040, 1, 1))
    assert events(ctx, case)[-2:] == ["case.updated", "status.changed"]
    assert _data(ctx, case, 2) == [
        {"changed": {"retention_until": {"from": None, "to": "2040-01-01"}}},
        {"from": "open", "to": "closed", "reason": "verdict"},
    ]
    size = len(events(ctx, case))
    # what is already so writes nothing; a status already held is no error here
    assert cases.change_case(ctx, w.lead, case, status="closed").status == "closed"
    assert len(events(ctx, case)) == size
    # suspended -> open is a reopening too
    cases.change_case(ctx, w.lead, case, status="suspended")
    cases.change_case(ctx, w.lead, case, status="open", legal_basis="Art. 126\r\nSv")
    assert events(ctx, case)[-3:] == ["status.changed", "status.changed", "case.updated"]
    assert _data(ctx, case, 1)[0] == {
        "changed": {"legal_basis": {"from": "", "to": "Art. 126\nSv"}}
    }


def test_a_refused_change_writes_nothing(ctx: AppContext) -> None:
    w = world(ctx)
    case = w.case_id
    cases.set_status(ctx, w.lead, case, "closed")
    size = len(events(ctx, case))
    refusals: list[tuple[type[Exception], dict[str, object]]] = [
        # the review's case: a reopening with a bad title must not reopen
        (InputError, {"status": "open", "title": "   "}),
        (InputError, {"status": "open", "reason": "x" * 2001}),
        (InputError, {"status": "open", "reference": "bidi\u202eevil"}),
        (InputError, {"status": "open", "legal_basis": "nul\x00"}),
        (InputError, {"status": "archived"}),
        (InputError, {"status": "open", "retention_until": "2030-01-01"}),
        (ConflictError, {}),
        (ConflictError, {"title": "Renamed while closed"}),
        (ConflictError, {"status": "closed", "title": "Renamed while closed"}),
    ]
    for error, asked in refusals:
        with pytest.raises(error) as refused:
            cases.change_case(ctx, w.lead, case, **asked)  # type: ignore[arg-type]
        if error is InputError:
            field = refused.value.field  # type: ignore[attr-defined]
            assert field in asked or field == "status", asked
    with pytest.raises(PermissionDeniedError):
        cases.change_case(ctx, w.member, case, status="open")
    with pytest.raises(ConflictError, match="nothing to change"):
        cases.change_case(ctx, w.lead, case)
    assert len(events(ctx, case)) == size
    assert cases.show_case(ctx, w.lead, case).status == "closed"


def test_a_failure_after_the_reopening_undoes_it(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world(ctx)
    case = w.case_id
    cases.set_status(ctx, w.lead, case, "closed")
    before = cases.show_case(ctx, w.lead, case)
    real = case_log.append_event
    calls: list[str] = []

    def second_fails(*args: object, **kwargs: object) -> int:
        calls.append(str(args[4]))
        if len(calls) == 2:
            raise StoreError("disk full")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(case_log, "append_event", second_fails)
    with pytest.raises(StoreError):
        cases.change_case(ctx, w.lead, case, status="open", title="Half done")
    monkeypatch.undo()
    assert calls == ["status.changed", "case.updated"]
    after = cases.show_case(ctx, w.lead, case)
    assert (after.status, after.title, after.tree_size) == (
        "closed",
        "Operation Tinsel",
        before.tree_size,
    )


def _may(ctx: AppContext, actor: Actor, case_id: int) -> tuple[bool, bool, bool, bool]:
    may = cases.show_case(ctx, actor, case_id).may
    return may.add, may.manage, may.export, may.read_personal


def test_may_says_what_the_services_let_through(ctx: AppContext) -> None:
    w = world(ctx)
    case = w.case_id
    viewer = agency_actor(ctx, "NL-POL", "viewer")
    assert _may(ctx, w.lead, case) == (True, True, True, True)
    assert _may(ctx, w.member, case) == (True, False, True, True)
    assert _may(ctx, w.observer, case) == (False, False, True, True)
    assert _may(ctx, viewer, case) == (False, False, True, False)
    assert _may(ctx, local_operator(), case) == (True, True, True, True)
    # the services agree: an observer and a viewer download, neither adds
    item = case_items.add_file(ctx, w.member, case, name="a.txt", content=io.BytesIO(b"a"))
    for reader in (w.observer, viewer):
        assert case_items.item_content(ctx, reader, case, item.id)[1] == b"a"
        with pytest.raises(PermissionDeniedError):
            cases.add_note(ctx, reader, case, "no")
    cases.change_case(ctx, w.lead, case, status="suspended")
    assert _may(ctx, w.member, case)[0] is True
    cases.add_note(ctx, w.member, case, "a suspended case still takes notes")
    cases.change_case(ctx, w.lead, case, status="closed")
    assert _may(ctx, w.lead, case) == (False, True, True, True)
    assert _may(ctx, w.member, case) == (False, False, True, True)
    with pytest.raises(ConflictError):
        cases.add_note(ctx, w.lead, case, "closed")
    # the add-to-case menu follows the same rule
    assert cases.list_cases(ctx, w.lead, writable=True) == []
    cases.change_case(ctx, w.lead, case, status="suspended")
    assert [c.id for c in cases.list_cases(ctx, w.member, writable=True)] == [case]
    assert cases.list_cases(ctx, w.observer, writable=True) == []


def test_show_case_reads_first_and_audits_last(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = world(ctx)
    order: list[str] = []
    real_detail, real_record = cases.case_detail, audit.record

    def detail(*args: object, **kwargs: object) -> object:
        order.append("detail")
        return real_detail(*args, **kwargs)  # type: ignore[arg-type]

    def record(*args: object, **kwargs: object) -> None:
        order.append("audit")
        real_record(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cases, "case_detail", detail)
    monkeypatch.setattr(audit, "record", record)
    cases.show_case(ctx, w.observer, w.case_id)
    assert order == ["detail", "audit"]


def test_change_and_add_items_on_postgres(postgres_database: str) -> None:
    """The same on PostgreSQL: ids from the sequences inside one transaction, a refused
    request rolls every earlier one back, a failing change leaves the case as it was."""
    with build_context(load_settings(db=postgres_database)) as pg:
        w = world(pg)
        size = len(events(pg, w.case_id))
        Add = case_items.AddRequest
        with pytest.raises(InputError):
            case_items.add_items(
                pg,
                w.member,
                w.case_id,
                [Add("note", text="kept?"), Add("file", name="..", content=io.BytesIO(b"x"))],
            )
        with pytest.raises(InputError):
            cases.change_case(pg, w.lead, w.case_id, status="closed", title="\udcff")
        assert len(events(pg, w.case_id)) == size
        added = case_items.add_items(
            pg,
            w.member,
            w.case_id,
            [
                Add("file", name="a.bin", content=io.BytesIO(b"a")),
                Add("note", text="between"),
                Add("file", name="b.bin", content=io.BytesIO(b"a")),
            ],
        )
        assert len({i.id for i in added.items}) == 2 and len(added.notes) == 1
        assert [i.entry_seq for i in added.items] == [size, size + 2]
        closed = cases.change_case(pg, w.lead, w.case_id, status="closed", title="Done")
        assert (closed.status, closed.title) == ("closed", "Done")
        assert events(pg, w.case_id)[size:] == [
            "item.added",
            "note.added",
            "item.added",
            "case.updated",
            "status.changed",
        ]
