"""services.operations: planning an action day (agencies with roles and zones, the
creator joining as coordinator, checks of every field, one name per case, the case's
write rule), its targets (from the target sheets, by hand; each to its country's police
agency), the events and evidence entries of the plan, and the list of operations."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaktrace.errors import (
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
)
from leaktrace.identity.actor import local_operator
from leaktrace.infra.collect import collect_hosts
from leaktrace.infra.importer import import_hosts
from leaktrace.operations.model import TargetKind
from leaktrace.services import cases, operations
from leaktrace.services.context import AppContext
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_events import events_after
from leaktrace.services.operations import NewTarget
from leaktrace.store.schema_access import AUDIT_LOG
from leaktrace.store.schema_cases import EVIDENCE_ENTRIES
from leaktrace.store.schema_operations import OPERATIONS
from tests.services.operation_setup import (
    DE_PERSON,
    DE_SERVER,
    NL_SERVER,
    PREMISES,
    counts,
    op_world,
    sqlite_ctx,
)
from tests.services.test_leaks import agency_actor

HOSTS = (
    "ip_or_domain,role,first_seen,last_seen,source,notes,country,group\n"
    "203.0.113.5,server,2026-03-01,2026-03-09,police,,NL,sparks\n"
    "files.sparkscdn.net,server,2026-03-01,2026-03-09,police,,NL,sparks\n"
    "198.51.100.7,server,2026-03-01,2026-03-09,police,,DE,other\n"
    "192.0.2.9,server,2026-03-01,2026-03-09,police,,,\n"
)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    yield from sqlite_ctx(tmp_path)


@pytest.fixture
def hosted(ctx: AppContext, tmp_path: Path) -> AppContext:
    """Four servers: two in NL (one of group sparks with a name), one in DE, one that no
    source locates."""
    path = tmp_path / "hosts.csv"
    path.write_text(HOSTS)
    import_hosts(ctx.database, path)
    with ctx.database.transaction() as conn:
        collect_hosts(conn)
    return ctx


def _case(ctx: AppContext, code: str = "EJ") -> int:
    return cases.open_case(ctx, agency_actor(ctx, code), f"Case {code}").id


def _log(ctx: AppContext, case_id: int) -> list[tuple[str, dict[str, object]]]:
    with ctx.database.reading() as conn:
        rows = conn.execute(
            select(EVIDENCE_ENTRIES.c.entry)
            .where(EVIDENCE_ENTRIES.c.case_id == case_id)
            .order_by(EVIDENCE_ENTRIES.c.seq)
        ).scalars()
        entries = [json.loads(r) for r in rows]
    return [(e["event"], e["data"]) for e in entries]


def _operations(ctx: AppContext) -> int:
    with ctx.database.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(OPERATIONS)).scalar_one())


def test_create_with_agencies_roles_and_zones(ctx: AppContext) -> None:
    case_id = _case(ctx)
    creator = agency_actor(ctx, "EJ")
    summary = operations.create_operation(
        ctx,
        creator,
        case_id=case_id,
        name="  Lantern  ",
        day="2026-12-07",
        h_hour="05:00",
        agencies=[
            "NL-POL",
            " DE-BKA:participant = Europe/Berlin ",
            "FR-OBS:Observer",
            "",
            "US-FBI=America/Los_Angeles",
        ],
    )
    assert (summary.name, summary.date, summary.h_hour, summary.h_hour_utc) == (
        "Lantern",
        "2026-12-07",
        "05:00",
        "2026-12-07T05:00:00Z",
    )
    assert (summary.handling, summary.role, summary.case_id, summary.targets) == (
        "H2",
        "coordinator",
        case_id,
        0,
    )
    board = operation_board(ctx, creator, summary.id)
    agencies = {a.code: (a.role, a.timezone, a.h_hour_local) for a in board.agencies}
    assert agencies == {
        "EJ": ("coordinator", "Europe/Amsterdam", "2026-12-07 06:00 CET (UTC+01:00)"),
        "NL-POL": ("participant", "Europe/Amsterdam", "2026-12-07 06:00 CET (UTC+01:00)"),
        "DE-BKA": ("participant", "Europe/Berlin", "2026-12-07 06:00 CET (UTC+01:00)"),
        "FR-OBS": ("observer", "Europe/Paris", "2026-12-07 06:00 CET (UTC+01:00)"),
        "US-FBI": ("participant", "America/Los_Angeles", "2026-12-06 21:00 PST (UTC-08:00)"),
    }
    # the plan is in the case's evidence log and the outbox, and audited
    assert _log(ctx, case_id)[-1] == (
        "operation.created",
        {
            "operation": "Lantern",
            "operation_id": summary.id,
            "date": "2026-12-07",
            "h_hour": "05:00",
            "handling": "H2",
            "agencies": [
                "DE-BKA:participant",
                "EJ:coordinator",
                "FR-OBS:observer",
                "NL-POL:participant",
                "US-FBI:participant",
            ],
        },
    )
    [event] = events_after(ctx, creator, summary.id)
    assert (event.type, event.operation_id, event.handling, event.by_agency) == (
        "created",
        summary.id,
        "H2",
        "EJ",
    )
    assert board.last_event_id == event.id
    with ctx.database.reading() as conn:
        audited = conn.execute(
            select(AUDIT_LOG.c.subject).where(AUDIT_LOG.c.action == "operation.create")
        ).scalars()
        assert list(audited) == [f"operation {summary.id}"]


def test_a_named_creator_keeps_its_role_and_the_operator_joins_nobody(ctx: AppContext) -> None:
    case_id = _case(ctx)
    summary = operations.create_operation(
        ctx,
        agency_actor(ctx, "EJ"),
        case_id=case_id,
        name="Participating",
        day="2026-12-07",
        h_hour="05:00",
        agencies=["EJ:participant=Europe/Rome", "NL-POL:coordinator"],
        handling="h3",
    )
    assert (summary.role, summary.handling) == ("participant", "H3")
    operator = operations.create_operation(
        ctx,
        local_operator(),
        case_id=case_id,
        name="By the operator",
        day="2026-12-07",
        h_hour="05:00",
        agencies=["DE-BKA"],
    )
    assert operator.role == "operator"
    board = operation_board(ctx, local_operator(), operator.id)
    # the operator joins nobody; EJ, the case's lead, reads the day as an observer
    assert [(a.code, a.role) for a in board.agencies] == [
        ("DE-BKA", "participant"),
        ("EJ", "observer"),
    ]
    with pytest.raises(InputError) as nobody:
        operations.create_operation(
            ctx,
            local_operator(),
            case_id=case_id,
            name="Nobody",
            day="2026-12-07",
            h_hour="05:00",
            agencies=[" ", ""],
        )
    assert nobody.value.field == "agencies"


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"name": "  "}, InputError, "name"),
        ({"name": "x" * 201}, InputError, "name"),
        ({"day": "07.12.2026"}, InputError, "date"),
        ({"day": "2026-02-30"}, InputError, "date"),
        ({"h_hour": "5:00"}, InputError, "h_hour"),
        ({"h_hour": "24:00"}, InputError, "h_hour"),
        ({"handling": "H4"}, InputError, "handling"),
        ({"handling": ""}, InputError, "handling"),
        ({"agencies": ["NL-POL=Europe/Amsterdamm"]}, InputError, "timezone"),
        ({"agencies": ["NL-POL:boss"]}, InputError, "agencies"),
        ({"agencies": ["NL-POL", "NL-POL:observer"]}, InputError, "agencies"),
        ({"agencies": ["XX-NOPE"]}, NotFoundError, None),
        ({"from_supply": -1}, InputError, "from_supply"),
        (
            {"targets": [NewTarget(TargetKind.server, "a.ex", real_name="Someone")]},
            InputError,
            "real_name",
        ),
        (
            {"targets": [NewTarget(TargetKind.server, "a.ex", country="Netherlands")]},
            InputError,
            "country",
        ),
        ({"targets": [NewTarget(TargetKind.server, " ")]}, InputError, "label"),
        (
            {"targets": [NewTarget(TargetKind.server, "a.ex", agency="FR-OBS")]},
            InputError,
            "agency",
        ),
        (
            {"targets": [NewTarget(TargetKind.server, "a.ex", agency="US-FBI")]},
            InputError,
            "agency",
        ),
        (
            {
                "targets": [
                    NewTarget(TargetKind.server, "ok.ex"),
                    NewTarget(TargetKind.server, "b\x1b"),
                ]
            },
            InputError,
            "label",
        ),
    ],
)
def test_create_refuses_and_writes_nothing(
    ctx: AppContext, changes: dict[str, object], error: type[Exception], field: str | None
) -> None:
    case_id = _case(ctx)
    before = counts(ctx, case_id)
    request: dict[str, object] = {
        "case_id": case_id,
        "name": "Lantern",
        "day": "2026-12-07",
        "h_hour": "05:00",
        "agencies": ["NL-POL"],
        **changes,
    }
    with pytest.raises(error) as refused:
        operations.create_operation(ctx, agency_actor(ctx, "EJ"), **request)  # type: ignore[arg-type]
    if field is not None:
        assert getattr(refused.value, "field", None) == field
    else:
        assert refused.value.kind == "agency" and refused.value.key == "XX-NOPE"  # type: ignore[attr-defined]
    assert counts(ctx, case_id) == before
    assert _operations(ctx) == 0


def test_one_name_per_case_and_the_case_rules(ctx: AppContext) -> None:
    case_id = _case(ctx)
    ej = agency_actor(ctx, "EJ")
    plan = {"day": "2026-12-07", "h_hour": "05:00", "agencies": ["NL-POL"]}
    operations.create_operation(ctx, ej, case_id=case_id, name="Lantern", **plan)  # type: ignore[arg-type]
    before = counts(ctx, case_id)
    with pytest.raises(ConflictError):
        operations.create_operation(ctx, ej, case_id=case_id, name=" Lantern ", **plan)  # type: ignore[arg-type]
    assert counts(ctx, case_id) == before
    # another case may use the name
    other = _case(ctx)
    operations.create_operation(ctx, ej, case_id=other, name="Lantern", **plan)  # type: ignore[arg-type]
    cases.add_member(ctx, ej, case_id, "FR-OBS", "observer")
    for actor, error in (
        (agency_actor(ctx, "US-FBI"), NotFoundError),  # not a member of the case
        (agency_actor(ctx, "FR-OBS"), PermissionDeniedError),  # the case's observer
        (agency_actor(ctx, "EJ", "viewer"), PermissionDeniedError),  # may not write
    ):
        before = counts(ctx, case_id)
        with pytest.raises(error):
            operations.create_operation(ctx, actor, case_id=case_id, name="Other", **plan)  # type: ignore[arg-type]
        assert counts(ctx, case_id) == before
    with pytest.raises(NotFoundError) as missing:
        operations.create_operation(ctx, ej, case_id=case_id + 100, name="X", **plan)  # type: ignore[arg-type]
    assert missing.value.kind == "case"
    cases.set_status(ctx, ej, case_id, "closed")
    with pytest.raises(ConflictError):
        operations.create_operation(ctx, ej, case_id=case_id, name="Closed", **plan)  # type: ignore[arg-type]


def test_targets_go_to_their_countrys_police_agency(ctx: AppContext) -> None:
    w = op_world(ctx)
    board = operation_board(ctx, w.coordinator, w.operation_id)
    by_label = {t.label: t for t in board.targets}
    assert by_label[NL_SERVER].agency == "NL-POL"
    assert by_label[DE_SERVER].agency == "DE-BKA"  # police before the judicial DE-JUS
    assert by_label[DE_PERSON].agency == "DE-BKA"
    assert by_label[PREMISES].agency is None  # no country: a coordinator assigns it
    assert all(
        t.status == "planned" and t.next_statuses == ["aborted", "go"] for t in board.targets
    )
    # an explicit agency, a country whose agency coordinates only, a lower-case country
    added = [
        operations.add_target(ctx, w.coordinator, w.operation_id, target)
        for target in (
            NewTarget(TargetKind.server, "a.example", country="DE", agency="DE-JUS"),
            NewTarget(TargetKind.account, "dist/acct", country="fr"),
            NewTarget(TargetKind.person, "nick", country="uk", group="GRP", real_name="A B"),
        )
    ]
    assert [(t.agency, t.country) for t in added] == [("DE-JUS", "DE"), (None, "FR"), (None, "GB")]
    assert added[2].group == "GRP" and added[2].country_name
    # events and evidence: one each per target, with no real name
    events = events_after(ctx, w.coordinator, w.operation_id)
    assert [e.type for e in events] == ["created"] + ["target"] * 7
    assert events[-1].label == "nick" and events[-1].status == "planned"
    log = _log(ctx, w.case_id)
    assert [e for e, _ in log][-8:] == ["operation.created"] + ["operation.target"] * 7
    assert log[-1][1] == {
        "operation": "Action day Lantern",
        "operation_id": w.operation_id,
        "handling": "H2",
        "kind": "person",
        "target": "nick",
        "agency": None,
    }


def test_add_target_refusals_write_nothing(ctx: AppContext) -> None:
    w = op_world(ctx)
    before = counts(ctx, w.case_id)
    for target, error in (
        (NewTarget(TargetKind.server, NL_SERVER.upper()), ConflictError),  # same kind and label
        (NewTarget(TargetKind.premises, "x", agency="FR-OBS"), InputError),
        (NewTarget(TargetKind.premises, "x", agency="nl-pol"), InputError),
        (NewTarget(TargetKind.premises, "x" * 301), InputError),
    ):
        with pytest.raises(error):
            operations.add_target(ctx, w.coordinator, w.operation_id, target)
        assert counts(ctx, w.case_id) == before
    # the same label as another kind is a new target
    view = operations.add_target(
        ctx, w.coordinator, w.operation_id, NewTarget(TargetKind.premises, NL_SERVER)
    )
    assert view.kind == "premises" and view.can_change


def test_duplicate_targets_in_a_plan_are_added_once(ctx: AppContext) -> None:
    case_id = _case(ctx)
    summary = operations.create_operation(
        ctx,
        agency_actor(ctx, "EJ"),
        case_id=case_id,
        name="Twice",
        day="2026-12-07",
        h_hour="05:00",
        agencies=["NL-POL"],
        targets=[NewTarget(TargetKind.server, "a.ex"), NewTarget(TargetKind.server, "a.ex")],
    )
    assert summary.targets == 1
    assert [e for e, _ in _log(ctx, case_id)].count("operation.target") == 1


def test_from_targets(hosted: AppContext) -> None:
    ctx = hosted
    case_id = _case(ctx)
    ej = agency_actor(ctx, "EJ")
    plan = {
        "case_id": case_id,
        "day": "2026-12-07",
        "h_hour": "05:00",
        "agencies": ["NL-POL", "DE-BKA"],
    }
    summary = operations.create_operation(ctx, ej, name="Two", from_targets="nl, DE,", **plan)  # type: ignore[arg-type]
    board = operation_board(ctx, ej, summary.id)
    got = {(t.label, t.kind, t.country, t.agency, t.group, t.reference) for t in board.targets}
    assert got == {
        ("203.0.113.5", "server", "NL", "NL-POL", "sparks", "targets:NL"),
        ("files.sparkscdn.net", "server", "NL", "NL-POL", "sparks", "targets:NL"),
        ("198.51.100.7", "server", "DE", "DE-BKA", "other", "targets:DE"),
    }
    every = operations.create_operation(ctx, ej, name="All", from_targets="all", **plan)  # type: ignore[arg-type]
    assert every.targets == 4
    board = operation_board(ctx, ej, every.id)
    unlocated = [t for t in board.targets if t.country is None]
    assert [(t.label, t.agency) for t in unlocated] == [("192.0.2.9", None)]
    assert [(c.country, c.targets) for c in board.countries] == [("NL", 2), ("??", 1), ("DE", 1)]
    assert board.countries[1].name == "location unknown"
    unknown = operations.create_operation(ctx, ej, name="U", from_targets="UNKNOWN", **plan)  # type: ignore[arg-type]
    assert unknown.targets == 1
    before = counts(ctx, case_id)
    with pytest.raises(InputError) as no_sheet:
        operations.create_operation(ctx, ej, name="France", from_targets="nl,FR", **plan)  # type: ignore[arg-type]
    message = str(no_sheet.value)
    assert no_sheet.value.field == "from_targets"
    assert "'FR'" in message and "DE, NL, unknown" in message
    assert counts(ctx, case_id) == before


def test_from_targets_without_any_server(ctx: AppContext) -> None:
    case_id = _case(ctx)
    with pytest.raises(InputError) as refused:
        operations.create_operation(
            ctx,
            agency_actor(ctx, "EJ"),
            case_id=case_id,
            name="Empty",
            day="2026-12-07",
            h_hour="05:00",
            agencies=["NL-POL"],
            from_targets="NL",
        )
    assert refused.value.field == "from_targets"
    assert "no located servers" in str(refused.value)
    assert _operations(ctx) == 0


def test_list_operations(ctx: AppContext) -> None:
    first = op_world(ctx, name="First")
    second = op_world(ctx, name="Second")
    operations.create_operation(
        ctx,
        agency_actor(ctx, "EJ"),
        case_id=second.case_id,
        name="Without NL",
        day="2027-01-01",
        h_hour="05:00",
        agencies=["DE-BKA"],
    )
    listed = operations.list_operations(ctx, agency_actor(ctx, "NL-POL"))
    assert [o.name for o in listed] == ["Second", "First"]
    assert all(o.role == "participant" and o.targets == 4 for o in listed)
    assert [o.name for o in operations.list_operations(ctx, agency_actor(ctx, "DE-BKA"))] == [
        "Without NL",
        "Second",
        "First",
    ]
    assert [o.role for o in operations.list_operations(ctx, agency_actor(ctx, "FR-OBS"))] == [
        "observer",
        "observer",
    ]
    assert operations.list_operations(ctx, agency_actor(ctx, "US-FBI")) == []
    assert len(operations.list_operations(ctx, local_operator())) == 3
    assert first.operation_id < second.operation_id


def test_racing_creates_of_one_name_conflict(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from leaktrace.store import operations as operation_store

    case_id = _case(ctx)
    ej = agency_actor(ctx, "EJ")
    real = operation_store.operation_by_name
    both_checked = threading.Barrier(2, timeout=5)

    def checked_then_wait(conn: object, case: int, name: str) -> object:
        found = real(conn, case, name)  # type: ignore[arg-type]
        try:
            both_checked.wait()
        except threading.BrokenBarrierError:
            pass
        return found

    monkeypatch.setattr(operation_store, "operation_by_name", checked_then_wait)
    answers: list[object] = []

    def create() -> None:
        try:
            answers.append(
                operations.create_operation(
                    ctx,
                    ej,
                    case_id=case_id,
                    name="Same",
                    day="2026-12-07",
                    h_hour="05:00",
                    agencies=["NL-POL"],
                ).id
            )
        except Exception as exc:  # noqa: BLE001 - the answer is what is tested
            answers.append(exc)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    errors = [a for a in answers if isinstance(a, Exception)]
    assert len(answers) == 2 and len(errors) == 1
    assert isinstance(errors[0], ConflictError), errors[0]


def test_case_members_read_the_day_as_observers(ctx: AppContext) -> None:
    """The case's evidence log records the day, so every member of the case takes part
    in it (as observer unless named), including members added later; observers never
    see real names, even of persons of their own country."""
    case_id = _case(ctx)
    ej = agency_actor(ctx, "EJ")
    cases.add_member(ctx, ej, case_id, "FR-OBS", "observer")
    summary = operations.create_operation(
        ctx,
        ej,
        case_id=case_id,
        name="Members",
        day="2026-12-07",
        h_hour="05:00",
        agencies=["NL-POL"],
        targets=[NewTarget(TargetKind.person, "nick", "FR", real_name="Jean Secret")],
    )
    roles = {a.code: a.role for a in operation_board(ctx, ej, summary.id).agencies}
    assert roles == {"EJ": "coordinator", "NL-POL": "participant", "FR-OBS": "observer"}
    cases.add_member(ctx, ej, case_id, "DE-BKA", "member")
    board = operation_board(ctx, agency_actor(ctx, "DE-BKA"), summary.id)
    assert {a.code: a.role for a in board.agencies}["DE-BKA"] == "observer"
    french = operation_board(ctx, agency_actor(ctx, "FR-OBS"), summary.id)
    assert [t.real_name for t in french.targets] == [None]
