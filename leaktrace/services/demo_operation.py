"""The demo's action day: the operation of the demo case against the leak ring, with a
fictional police agency per country with servers, a coordinator and an observer, and a
board caught an hour after H-hour (some targets done, some failed or in progress, an
open issue and a resolved one).

The day is the day the demo runs and H-hour the start of the previous UTC hour: every
change of the board is made now (through :mod:`leaktrace.services.operation_changes`,
so the evidence log and the live events are real), so the story is told as it happens.
Each change is made by a passwordless "duty" user of the acting agency (they sign in
with API tokens only): the evidence log names who did what, as on a real action day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from leaktrace.errors import ConflictError
from leaktrace.identity.actor import Actor, user_actor
from leaktrace.identity.roles import Role
from leaktrace.operations.model import TargetKind
from leaktrace.services.context import AppContext
from leaktrace.services.demo_accounts import (
    DEMO_COORDINATOR,
    DEMO_OBSERVER,
    create_country_police,
    police_code,
)
from leaktrace.services.identity import add_user
from leaktrace.services.operation_changes import (
    change_status,
    check_item,
    raise_issue,
    resolve_issue,
)
from leaktrace.services.operations import NewTarget, create_operation
from leaktrace.services.views import View
from leaktrace.store import identity as identity_store

__all__ = [
    "DEMO_OPERATION_NAME",
    "DEMO_PERSONS",
    "DEMO_PREMISES",
    "DemoOperation",
    "action_day_start",
    "create_demo_operation",
    "duty_email",
]

DEMO_OPERATION_NAME = "Sparks action day (demo, fictional)"
DEMO_HANDLING = "H2"

DEMO_PERSONS: tuple[tuple[str, str, str | None], ...] = (
    ("ashfall", "NL", "Joris van der Voorbeeld (fictional)"),
    ("kindling", "DE", None),
    ("tinderbox", "SE", None),
    ("sootfox", "PL", None),
)
"""(pseudonymous handle, country, real name or None) of the leak ring's members: only the
police of the person's country and the coordinators see a real name."""

DEMO_PREMISES: tuple[tuple[str, str], ...] = (
    ("NL", "Home of 'ashfall', Utrecht (fictional address)"),
    ("DE", "Rented storage unit used as a server room, Frankfurt am Main (fictional)"),
)
"""(country, description) of the premises searched."""

# what each server becomes, in turn (60 servers: 24 done, 15 in progress, 9 go, 6 planned,
# 3 failed, 3 aborted), from an hour into the action day
_SERVER_STORY: tuple[str, ...] = (
    "done",
    "in-progress",
    "done",
    "go",
    "done",
    "in-progress",
    "planned",
    "done",
    "failed",
    "in-progress",
    "done",
    "go",
    "done",
    "in-progress",
    "planned",
    "done",
    "aborted",
    "done",
    "go",
    "in-progress",
)
_PATH = {
    "planned": (),
    "go": ("go",),
    "in-progress": ("go", "in-progress"),
    "done": ("go", "in-progress", "done"),
    "failed": ("go", "in-progress", "failed"),
    "aborted": ("aborted",),
}

MOVED_ISSUE = (
    "Server moved to another provider: the rack was empty; the provider is asked where "
    "its customer's machine went"
)


def duty_email(code: str) -> str:
    """The passwordless duty user of agency ``code`` who makes the demo's changes."""
    return f"duty.{code.lower()}@operations.demo.invalid"


def action_day_start(now: datetime) -> datetime:
    """H-hour of the demo's action day: the start of the UTC hour before ``now`` (so the
    board is an hour or so into the day)."""
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return hour - timedelta(hours=1)


class DemoOperation(View):
    id: int
    name: str
    day: str
    h_hour: str
    """UTC, ``HH:MM``."""
    servers: int
    countries: list[str]
    persons: int
    targets: int
    by_status: dict[str, int]
    open_issues: int
    coordinator: str
    observer: str

    @property
    def path(self) -> str:
        """The board's page on the web UI."""
        return f"/operations/{self.id}"


@dataclass(slots=True)
class _Script:
    """Makes the demo's changes, each as the duty user of the acting agency."""

    ctx: AppContext
    operation_id: int
    actors: dict[str, Actor]

    def status(self, agency: str, target: int, status: str, **kwargs: Any) -> None:
        change_status(self.ctx, self.actors[agency], self.operation_id, target, status, **kwargs)

    def check(self, agency: str, target: int, item: str, reference: str | None = None) -> None:
        check_item(
            self.ctx, self.actors[agency], self.operation_id, target, item, reference=reference
        )

    def walk(
        self,
        agency: str,
        target: int,
        end: str,
        *,
        before_end: Callable[[], None] | None = None,
        **kwargs: Any,
    ) -> None:
        """Move ``target`` to ``end``: the coordinator gives ``go``, its agency does the
        rest (``before_end`` runs before the last move, ``kwargs`` go with it)."""
        path = _PATH[end]
        for index, step in enumerate(path):
            last = index == len(path) - 1
            who = DEMO_COORDINATOR if step in ("go", "aborted") else agency
            if last and before_end is not None:
                before_end()
            self.status(who, target, step, **(kwargs if last else {}))


def _duty_actors(ctx: AppContext, actor: Actor, codes: Iterable[str]) -> dict[str, Actor]:
    """A passwordless duty user per agency (coordinators' with the coordinator role),
    as actors."""
    actors: dict[str, Actor] = {}
    for code in codes:
        role = Role.coordinator if code == DEMO_COORDINATOR else Role.investigator
        email = duty_email(code)
        try:
            add_user(ctx, actor, email=email, agency=code, role=role.value)
        except ConflictError:
            pass
        with ctx.database.reading() as conn:
            user = identity_store.user_by_email(conn, email)
            agency = identity_store.agency_by_code(conn, code)
        assert user is not None and agency is not None
        actors[code] = user_actor(
            email=email,
            role=Role(user.role),
            user_id=user.id,
            agency_id=agency.id,
            agency_code=code,
            address=None,
            via="token",
        )
    return actors


def create_demo_operation(
    ctx: AppContext,
    actor: Actor,
    *,
    case_id: int,
    countries: Sequence[str],
    supply: bool,
    now: datetime | None = None,
) -> DemoOperation:
    """Plan the action day of case ``case_id`` against the servers of the target sheets of
    ``countries`` (and the top supply account when ``supply``), the leak ring's members
    and premises, then play its first hour."""
    countries = sorted({c.upper() for c in countries})
    create_country_police(ctx, actor, countries)
    start = action_day_start(now or datetime.now(UTC))
    people = [
        NewTarget(kind=TargetKind.person, label=h, country=c, group="EMBERS", real_name=name)
        for h, c, name in DEMO_PERSONS
        if c in countries
    ]
    places = [
        NewTarget(kind=TargetKind.premises, label=text, country=c)
        for c, text in DEMO_PREMISES
        if c in countries
    ]
    summary = create_operation(
        ctx,
        actor,
        case_id=case_id,
        name=DEMO_OPERATION_NAME,
        day=start.date().isoformat(),
        h_hour=start.strftime("%H:%M"),
        agencies=[
            f"{DEMO_COORDINATOR}:coordinator",
            *(police_code(c) for c in countries),
            f"{DEMO_OBSERVER}:observer",
        ],
        handling=DEMO_HANDLING,
        from_targets=",".join(countries),
        from_supply=1 if supply else 0,
        targets=[*people, *places],
    )
    script = _Script(
        ctx,
        summary.id,
        _duty_actors(ctx, actor, [DEMO_COORDINATOR, *(police_code(c) for c in countries)]),
    )
    _play_first_hour(ctx, actor, script)
    from leaktrace.services.operation_board import operation_board

    board = operation_board(ctx, actor, summary.id)
    by_status: dict[str, int] = {}
    for target in board.targets:
        by_status[target.status] = by_status.get(target.status, 0) + 1
    servers = [t for t in board.targets if t.kind == TargetKind.server.value]
    return DemoOperation(
        id=summary.id,
        name=DEMO_OPERATION_NAME,
        day=start.date().isoformat(),
        h_hour=start.strftime("%H:%M"),
        servers=len(servers),
        countries=sorted({t.country for t in servers if t.country}),
        persons=sum(t.kind == TargetKind.person.value for t in board.targets),
        targets=len(board.targets),
        by_status=by_status,
        open_issues=sum(i.open for i in board.issues),
        coordinator=DEMO_COORDINATOR,
        observer=DEMO_OBSERVER,
    )


def _play_first_hour(ctx: AppContext, actor: Actor, script: _Script) -> None:
    """The board an hour after H-hour: servers by :data:`_SERVER_STORY`, the persons and
    premises, an open issue (a server that moved) and a resolved one (a warrant)."""
    from leaktrace.services.operation_board import operation_board

    board = operation_board(ctx, actor, script.operation_id)
    servers = sorted(
        (t for t in board.targets if t.kind == TargetKind.server.value and t.agency),
        key=lambda t: (t.country or "", t.label),
    )
    warrant_waited = False
    moved = False
    for index, target in enumerate(servers):
        agency = target.agency
        assert agency is not None
        end = _SERVER_STORY[index % len(_SERVER_STORY)]
        warrant = f"DEMO-{target.country}-{2026_0000 + index} (fictional)"
        if end == "done":

            def seize(agency: str = agency, target_id: int = target.id, ref: str = warrant) -> None:
                script.check(agency, target_id, "authorisation", ref)
                script.check(agency, target_id, "seizure", f"exhibit {target_id}-1")

            if not warrant_waited and target.country == "DE":
                # the warrant was missing at H-hour: raised, then resolved by the coordinator
                warrant_waited = True
                issue = raise_issue(
                    ctx,
                    script.actors[agency],
                    script.operation_id,
                    target.id,
                    "Warrant missing: the search order for this server has not arrived",
                )
                resolve_issue(
                    ctx,
                    script.actors[DEMO_COORDINATOR],
                    script.operation_id,
                    issue.id,
                    f"The investigating judge's order was sent at H+20 (reference {warrant})",
                )
            script.walk(
                agency,
                target.id,
                "done",
                before_end=seize,
                note="server seized and imaged; the provider took it offline",
                outcome={"seized": 1, "offline": True},
            )
        elif end == "failed" and not moved:
            moved = True
            script.walk(
                agency,
                target.id,
                "failed",
                note="the rack was empty: the server moved two days before the action day",
                outcome={"seized": 0, "offline": False, "moved_to": "another hosting provider"},
            )
            raise_issue(ctx, script.actors[agency], script.operation_id, target.id, MOVED_ISSUE)
        elif end == "failed":
            script.walk(
                agency,
                target.id,
                "failed",
                note="provider refused access without a local order",
                outcome={"seized": 0},
            )
        elif end == "aborted":
            script.walk(agency, target.id, "aborted", note="the address turned out to be a CDN")
        elif end == "in-progress":
            script.walk(agency, target.id, "in-progress", note="search under way")
        else:
            script.walk(agency, target.id, end)
    others = [t for t in board.targets if t.kind != TargetKind.server.value and t.agency]
    for target in others:
        agency = target.agency
        assert agency is not None
        if target.kind == TargetKind.person.value and target.country == "NL":

            def arrest(agency: str = agency, target_id: int = target.id) -> None:
                script.check(agency, target_id, "arrest")

            script.walk(
                agency,
                target.id,
                "done",
                before_end=arrest,
                note="arrested at home at H+10",
                outcome={"arrested": 1},
            )
        elif target.kind == TargetKind.person.value and target.country == "DE":
            script.walk(agency, target.id, "in-progress")
            raise_issue(
                ctx,
                script.actors[agency],
                script.operation_id,
                target.id,
                "Suspect not at home: neighbours say he left yesterday",
            )
        elif target.kind == TargetKind.premises.value:
            script.walk(agency, target.id, "in-progress", note="search under way")
        else:
            script.walk(agency, target.id, "go")
