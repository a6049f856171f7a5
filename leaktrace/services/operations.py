"""Action days: plan an operation of a case, add its targets, list operations.

An operation is planned from what LeakTrace knows: the servers of the target sheets
(``from_targets``: country codes or ``all``), the supply accounts at the top of the
ranking (``from_supply``), and persons and premises added by hand
(:func:`add_target`). A target goes to the participating agency of its country (a police
agency first); targets no agency's country matches wait for a coordinator to assign them.
The board and the changes are in :mod:`leaktrace.services.operation_board` and
:mod:`leaktrace.services.operation_changes`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Connection

from leaktrace.errors import ConflictError, InputError, NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.infra.cluster import DEFAULT_MIN_STRENGTH
from leaktrace.infra.targets import UNKNOWN_SHEET, build_all_targets
from leaktrace.infra.worldmap import country_name
from leaktrace.operations.model import (
    HANDLING_CODES,
    AgencyRole,
    TargetKind,
    TargetStatus,
    checked_text,
    parse_agency_spec,
    parse_day,
    parse_h_hour,
)
from leaktrace.operations.timezones import check_zone, country_zone
from leaktrace.services import audit
from leaktrace.services.case_access import case_access
from leaktrace.services.case_log import writing
from leaktrace.services.context import AppContext
from leaktrace.services.hosts import cluster_settings
from leaktrace.services.operation_access import (
    OperationAccess,
    operation_access,
)
from leaktrace.services.operation_board import shown_target, summary_view
from leaktrace.services.operation_events import record_change, target_fields
from leaktrace.services.operation_views import OperationSummaryView, OperationTargetView
from leaktrace.store import cases as case_store
from leaktrace.store import identity as identity_store
from leaktrace.store import operations as store
from leaktrace.store.evidence_log import lock_case
from leaktrace.store.operations import OperationAgencyRecord

__all__ = ["NewTarget", "add_target", "create_operation", "list_operations"]


@dataclass(frozen=True, slots=True)
class NewTarget:
    """A target to add: what every participant will see of it, and where it came from."""

    kind: TargetKind
    label: str
    country: str | None = None
    group: str | None = None
    reference: str | None = None
    real_name: str | None = None
    agency: str | None = None
    """The code of the agency to assign it to (default: its country's)."""


def _country(value: str | None) -> str | None:
    code = (value or "").strip().upper()
    if not code:
        return None
    code = "GB" if code == "UK" else code
    if len(code) != 2 or not code.isalpha():
        raise InputError(f"a country is an ISO alpha-2 code, not {value!r}", field="country")
    return code


def _home_agency(agencies: Sequence[OperationAgencyRecord], country: str | None) -> int | None:
    """The participating agency of ``country`` (police first, then by code)."""
    if country is None:
        return None
    local = [a for a in agencies if a.country == country and a.role == AgencyRole.participant.value]
    local.sort(key=lambda a: (a.kind != "police", a.code))
    return local[0].agency_id if local else None


GROUP_LIMIT = 200
"""The longest group text of a target (the column's size)."""


def _group_words(groups: Sequence[str]) -> str | None:
    """The groups tied to a server in at most :data:`GROUP_LIMIT` characters: as many
    names as fit, then ``(+N more)``."""
    if not groups:
        return None
    text = ", ".join(groups)
    if len(text) <= GROUP_LIMIT:
        return text
    for shown in range(len(groups) - 1, 0, -1):
        text = ", ".join(groups[:shown]) + f" \u2026 (+{len(groups) - shown} more)"
        if len(text) <= GROUP_LIMIT:
            return text
    return groups[0][: GROUP_LIMIT - 20] + f"\u2026 (+{len(groups) - 1} more)"


def _server_targets(ctx: AppContext, countries: str) -> list[NewTarget]:
    """The servers of the target sheets of ``countries`` (``all``, or codes with commas)."""
    sheets = build_all_targets(ctx.database, settings=cluster_settings(ctx, DEFAULT_MIN_STRENGTH))
    if countries.strip().lower() == "all":
        wanted = list(sheets)
    else:
        wanted = []
        for part in countries.split(","):
            if not part.strip():
                continue
            code = part.strip().lower() if part.strip().lower() == UNKNOWN_SHEET else None
            code = code or _country(part)
            assert code is not None
            if code not in sheets:
                have = ", ".join(sorted(sheets)) or "none: no located servers"
                raise InputError(
                    f"no target sheet for {part.strip()!r} (sheets: {have})", field="from_targets"
                )
            wanted.append(code)
    out: list[NewTarget] = []
    for code in wanted:
        for host in sheets[code].hosts:
            data = host.as_dict()
            groups = [str(g) for g in data.get("groups") or []]
            out.append(
                NewTarget(
                    kind=TargetKind.server,
                    label=str(data["server"]),
                    country=data.get("country") or None,
                    group=_group_words(groups),
                    reference=f"targets:{code}",
                )
            )
    return out


def _supply_targets(ctx: AppContext, actor: Actor, top: int) -> list[NewTarget]:
    from leaktrace.services.supply import supply_ranking

    ranking = supply_ranking(ctx, actor, limit=top)
    return [
        NewTarget(
            kind=TargetKind.account,
            label=f"{a.distributor}/{a.account}",
            country=a.country,
            reference=f"supply:{a.account_id}",
        )
        for a in ranking.accounts
    ]


def _agency_rows(
    conn: Connection, actor: Actor, specs: Sequence[str], case_id: int
) -> list[tuple[int, str, str]]:
    """(agency id, role, zone) of every ``CODE[:role][=Zone]``; the creating user's
    agency joins as coordinator when not named, and every member of the case not named
    joins as observer (the case's evidence log, which they read, records the day)."""
    rows: dict[int, tuple[int, str, str]] = {}
    for spec in specs:
        if not spec.strip():
            continue
        code, role, zone = parse_agency_spec(spec)
        agency = identity_store.agency_by_code(conn, code)
        if agency is None:
            raise NotFoundError(f"no agency {code!r}", kind="agency", key=code)
        if agency.id in rows:
            raise InputError(f"agency {code} is named twice", field="agencies")
        rows[agency.id] = (
            agency.id,
            role.value,
            check_zone(zone) if zone else country_zone(agency.country),
        )
    if actor.agency_id is not None and rows.get(actor.agency_id, (0, "", ""))[1] == "observer":
        raise InputError(
            "your own agency plans the operation: name it as coordinator or participant, "
            "not observer",
            field="agencies",
        )
    if actor.agency_id is not None and actor.agency_id not in rows:
        own = identity_store.agency_by_code(conn, actor.agency_code or "")
        zone = country_zone(own.country if own else None)
        rows[actor.agency_id] = (actor.agency_id, AgencyRole.coordinator.value, zone)
    if not any(role != AgencyRole.observer.value for _, role, _ in rows.values()):
        raise InputError("an operation needs at least one acting agency", field="agencies")
    for member in case_store.members_of(conn, case_id):
        if member.agency_id not in rows:
            agency = identity_store.agency_by_code(conn, member.agency)
            zone = country_zone(agency.country if agency else None)
            rows[member.agency_id] = (member.agency_id, AgencyRole.observer.value, zone)
    return list(rows.values())


def _insert_target(
    conn: Connection,
    ctx: AppContext,
    actor: Actor,
    access: OperationAccess,
    agencies: Sequence[OperationAgencyRecord],
    target: NewTarget,
    now: datetime,
) -> int | None:
    label = checked_text(target.label, "label", limit=300, required=True)
    assert label is not None
    country = _country(target.country)
    real_name = checked_text(target.real_name, "real_name", limit=300)
    if real_name is not None and target.kind != TargetKind.person:
        raise InputError("only a person has a real name", field="real_name")
    if target.agency:
        match = [a for a in agencies if a.code == target.agency]
        if not match or match[0].role == AgencyRole.observer.value:
            raise InputError(
                f"{target.agency} does not act in this operation (it is not a participant "
                "or coordinator)",
                field="agency",
            )
        agency_id: int | None = match[0].agency_id
    else:
        agency_id = _home_agency(agencies, country)
    target_id = store.insert_target(
        conn,
        operation_id=access.operation.id,
        kind=target.kind.value,
        label=label,
        country=country,
        group_name=checked_text(target.group, "group", limit=200),
        reference=checked_text(target.reference, "reference", limit=300),
        real_name=real_name,
        agency_id=agency_id,
        status=TargetStatus.planned.value,
        now=now,
    )
    if target_id is None:
        return None
    record = store.target_by_id(conn, access.operation.id, target_id)
    assert record is not None
    record_change(
        conn,
        ctx,
        actor,
        access,
        log_event="operation.target",
        log_data={"kind": record.kind, "target": record.label, "agency": record.agency_code},
        event={"type": "target", **target_fields(record), "status": record.status},
    )
    return target_id


def create_operation(
    ctx: AppContext,
    actor: Actor,
    *,
    case_id: int,
    name: str,
    day: str,
    h_hour: str,
    agencies: Sequence[str],
    handling: str = "H2",
    from_targets: str | None = None,
    from_supply: int = 0,
    targets: Sequence[NewTarget] = (),
) -> OperationSummaryView:
    """Plan an action day of case ``case_id`` (the actor's agency must be able to write
    to the case): its participating agencies (``CODE[:role][=Zone]``), and its targets
    from the target sheets, the supply ranking and ``targets``."""
    actor.require(Permission.write_cases)
    title = checked_text(name, "name", limit=200, required=True)
    assert title is not None
    when = parse_day(day)
    hour = parse_h_hour(h_hour)
    code = handling.strip().upper()
    if code not in HANDLING_CODES:
        raise InputError(
            f"handling must be one of {', '.join(HANDLING_CODES)}, not {handling!r}",
            field="handling",
        )
    if from_supply < 0:
        raise InputError("must be 0 or more", field="from_supply")
    planned: list[NewTarget] = []
    if from_targets:
        actor.require(Permission.read_intel)
        planned += _server_targets(ctx, from_targets)
    if from_supply:
        planned += _supply_targets(ctx, actor, from_supply)
    planned += list(targets)
    now = datetime.now(UTC)
    with writing(ctx) as conn:
        case_access(conn, actor, case_id, "write")
        # the case's write lock first: two creates of one name are serialised, and the
        # second finds the first's name taken (ConflictError, not the unique key's error)
        lock_case(conn, case_id, now)
        if store.operation_by_name(conn, case_id, title) is not None:
            raise ConflictError(f"case {case_id} has an operation named {title!r} already")
        rows = _agency_rows(conn, actor, agencies, case_id)
        operation_id = store.insert_operation(
            conn,
            case_id=case_id,
            name=title,
            day=when,
            h_hour=hour,
            handling=code,
            created_by=actor.name,
            now=now,
        )
        store.insert_agencies(conn, operation_id, rows)
        access = operation_access(conn, actor, operation_id, "write")
        members = store.agencies_of(conn, operation_id)
        record_change(
            conn,
            ctx,
            actor,
            access,
            log_event="operation.created",
            log_data={
                "date": when.isoformat(),
                "h_hour": hour,
                "handling": code,
                "agencies": [f"{a.code}:{a.role}" for a in members],
            },
            event={"type": "created"},
        )
        for target in planned:
            _insert_target(conn, ctx, actor, access, members, target, now)
        audit.record(conn, actor, "operation.create", f"operation {operation_id}", title)
        return summary_view(conn, access)


def add_target(
    ctx: AppContext, actor: Actor, operation_id: int, target: NewTarget
) -> OperationTargetView:
    """Add one target (coordinators only); ConflictError when the operation has a target
    of that kind and label already."""
    now = datetime.now(UTC)
    with writing(ctx) as conn:
        access = operation_access(conn, actor, operation_id, "write")
        if not access.coordinates:
            from leaktrace.errors import PermissionDeniedError

            raise PermissionDeniedError(
                "only the operation's coordinators add targets",
                permission=Permission.write_cases.value,
            )
        store.lock_operation(conn, operation_id, now)
        members = store.agencies_of(conn, operation_id)
        target_id = _insert_target(conn, ctx, actor, access, members, target, now)
        if target_id is None:
            raise ConflictError(
                f"operation {operation_id} has a {target.kind.value} target {target.label!r}"
            )
        record = store.target_by_id(conn, operation_id, target_id)
        assert record is not None
        return shown_target(conn, access, actor, record, {})


def list_operations(ctx: AppContext, actor: Actor) -> list[OperationSummaryView]:
    """The operations the actor's agency takes part in, newest first."""
    actor.require(Permission.read_cases)
    with ctx.database.reading() as conn:
        found = store.operations_of_agency(conn, actor.agency_id)
        return [
            summary_view(conn, operation_access(conn, actor, operation.id)) for operation in found
        ]


def target_country_name(code: str | None) -> str | None:
    return country_name(code) if code else None
