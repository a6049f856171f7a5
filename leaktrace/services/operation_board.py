"""An action day's board as one participant sees it: the operation, its agencies (the
H-hour in each one's time zone), targets, issues (open first), per-country tiles,
counters and the latest events, with the id a live stream picks up from.

Real names of persons appear only for those :func:`may_see_name` allows; showing them is
audited (``operation.names``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from sqlalchemy.engine import Connection

from leaktrace.errors import LeakTraceError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.infra.worldmap import country_name
from leaktrace.operations.model import (
    CHECKLIST,
    NEXT,
    TargetKind,
    TargetStatus,
    country_state,
    h_hour_at,
)
from leaktrace.operations.timezones import local_time
from leaktrace.services import audit
from leaktrace.services.case_access import case_access
from leaktrace.services.context import AppContext
from leaktrace.services.operation_access import (
    OperationAccess,
    may_change,
    may_see_name,
    operation_access,
)
from leaktrace.services.operation_events import event_view, last_event_id, stamp, topic
from leaktrace.services.operation_views import (
    OperationAgencyView,
    OperationBoardView,
    OperationCountersView,
    OperationCountryView,
    OperationIssueView,
    OperationSummaryView,
    OperationTargetView,
)
from leaktrace.store import operations as store
from leaktrace.store.operations import IssueRecord, TargetRecord
from leaktrace.store.outbox import latest_topic_events

__all__ = [
    "BOARD_EVENTS",
    "counters",
    "countries",
    "issue_view",
    "operation_board",
    "shown_target",
    "summary_view",
    "target_view",
]

BOARD_EVENTS = 200
"""How many of the latest events a board starts with."""


def counters(targets: Sequence[TargetRecord], open_issues: int) -> OperationCountersView:
    """Servers seized: every target's ``seized`` figure, and 1 for a server target done
    without one. Arrests: every ``arrested`` figure, and 1 for a target whose ``arrest``
    is checked without one."""
    by_status = Counter(t.status for t in targets)
    seized = 0
    arrests = 0
    for t in targets:
        if "seized" in t.outcome:
            seized += int(t.outcome["seized"])
        elif t.kind == TargetKind.server.value and t.status == TargetStatus.done.value:
            seized += 1
        if "arrested" in t.outcome:
            arrests += int(t.outcome["arrested"])
        elif "arrest" in t.checklist:
            arrests += 1
    return OperationCountersView(
        targets=len(targets),
        by_status={s.value: by_status.get(s.value, 0) for s in TargetStatus},
        servers_seized=seized,
        arrests=arrests,
        open_issues=open_issues,
    )


def summary_view(conn: Connection, access: OperationAccess) -> OperationSummaryView:
    operation = access.operation
    targets = store.targets_of(conn, operation.id)
    open_issues = sum(store.open_issue_counts(conn, operation.id).values())
    return OperationSummaryView(
        id=operation.id,
        case_id=operation.case_id,
        name=operation.name,
        date=operation.day.isoformat(),
        h_hour=operation.h_hour,
        h_hour_utc=stamp(h_hour_at(operation.day, operation.h_hour)),
        handling=operation.handling,
        role=access.role,
        targets=len(targets),
        counters=counters(targets, open_issues),
    )


def target_view(
    conn: Connection,
    access: OperationAccess,
    actor: Actor,
    target: TargetRecord,
    open_issues: Mapping[int, int],
) -> OperationTargetView:
    status = TargetStatus(target.status)
    return OperationTargetView(
        id=target.id,
        handling=access.operation.handling,
        kind=target.kind,
        label=target.label,
        country=target.country,
        country_name=country_name(target.country) if target.country else None,
        group=target.group_name,
        reference=target.reference,
        real_name=target.real_name if may_see_name(access, actor, target) else None,
        agency=target.agency_code,
        status=status.value,
        next_statuses=sorted(s.value for s in NEXT[status]),
        checklist={key: target.checklist.get(key) for key, _ in CHECKLIST},
        outcome=dict(target.outcome),
        note=target.note,
        updated_at=stamp(target.updated_at),
        open_issues=open_issues.get(target.id, 0),
        can_change=may_change(access, target),
    )


def shown_target(
    conn: Connection,
    access: OperationAccess,
    actor: Actor,
    target: TargetRecord,
    open_issues: Mapping[int, int],
) -> OperationTargetView:
    """:func:`target_view` of one target, a change's answer: showing a real name is
    audited (``operation.names``)."""
    view = target_view(conn, access, actor, target, open_issues)
    if view.real_name is not None:
        audit.record(
            conn,
            actor,
            "operation.names",
            f"operation {access.operation.id}",
            f"real name of target {view.id} shown",
        )
    return view


def issue_view(issue: IssueRecord, *, handling: str) -> OperationIssueView:
    return OperationIssueView(
        id=issue.id,
        handling=handling,
        target_id=issue.target_id,
        target_label=issue.target_label,
        text=issue.text,
        raised_by_agency=issue.raised_agency,
        raised_at=stamp(issue.raised_at),
        resolved_at=stamp(issue.resolved_at) if issue.resolved_at else None,
        resolution=issue.resolution,
        open=issue.resolved_at is None,
    )


def countries(targets: Sequence[TargetRecord]) -> list[OperationCountryView]:
    """Per-country tiles, most targets first (``??``: targets without a country)."""
    groups: dict[str, list[TargetRecord]] = {}
    for t in targets:
        groups.setdefault(t.country or "??", []).append(t)
    tiles = []
    for code, members in groups.items():
        statuses = Counter(t.status for t in members)
        by_status = {s.value: statuses.get(s.value, 0) for s in TargetStatus}
        figures = counters(members, 0)
        tiles.append(
            OperationCountryView(
                country=code,
                name=country_name(code) if code != "??" else "location unknown",
                by_status=by_status,
                targets=len(members),
                state=country_state(by_status),
                seized=figures.servers_seized,
                arrested=figures.arrests,
                offline=sum(1 for t in members if t.outcome.get("offline") is True),
                moved=sum(1 for t in members if t.outcome.get("moved_to")),
            )
        )
    tiles.sort(key=lambda tile: (-tile.targets, tile.country))
    return tiles


def operation_board(ctx: AppContext, actor: Actor, operation_id: int) -> OperationBoardView:
    """The board of ``operation_id`` for ``actor`` (NotFoundError if its agency does not
    take part)."""
    with ctx.database.transaction() as conn:
        access = operation_access(conn, actor, operation_id)
        operation = access.operation
        # the events first: a change committed while the rest is read is then in the
        # targets AND after last_event_id (a stream replays it, harmlessly), never in
        # neither
        head = last_event_id(conn, operation_id)
        latest = latest_topic_events(conn, topic(operation_id), BOARD_EVENTS)
        targets = store.targets_of(conn, operation_id)
        open_counts = store.open_issue_counts(conn, operation_id)
        views = [target_view(conn, access, actor, t, open_counts) for t in targets]
        if access.coordinates:  # coordinators see the targets with open issues first
            views.sort(key=lambda v: (v.open_issues == 0, v.id))
        named = [v.id for v in views if v.real_name is not None]
        if named:
            audit.record(
                conn,
                actor,
                "operation.names",
                f"operation {operation_id}",
                f"real names of targets {', '.join(map(str, named))} shown",
            )
        h_hour = h_hour_at(operation.day, operation.h_hour)
        agencies = [
            OperationAgencyView(
                code=a.code,
                name=a.name,
                country=a.country,
                role=a.role,
                timezone=a.timezone,
                h_hour_local=local_time(h_hour, a.timezone),
            )
            for a in store.agencies_of(conn, operation_id)
        ]
        return OperationBoardView(
            operation=summary_view(conn, access),
            agencies=agencies,
            targets=views,
            issues=[
                issue_view(i, handling=operation.handling)
                for i in store.issues_of(conn, operation_id)
            ],
            countries=countries(targets),
            events=[event_view(e) for e in latest],
            last_event_id=head,
            viewer_agency=access.agency_code,
            can_coordinate=access.coordinates and access.can_write,
            may_write=access.can_write,
            may_raise=actor.can(Permission.write_cases),
            may_add_report=_may_add_report(conn, actor, operation.case_id),
        )


def _may_add_report(conn: Connection, actor: Actor, case_id: int) -> bool:
    """Whether ``actor`` may add an item to the case (what the report's adding needs)."""
    try:
        case_access(conn, actor, case_id, "write")
    except LeakTraceError:
        return False
    return True
