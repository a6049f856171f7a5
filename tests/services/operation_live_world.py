"""An action day to stream: agencies, a case, an operation with many server targets, and a
writer that walks targets through their statuses (used by the live-feed tests and by
``bench/operation_live.py``).

Agencies: NL-POL coordinates, DE-BKA takes part (its targets are the German servers),
BE-FOD observes, FR-PN does not take part (it must not learn the operation exists).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from leaktrace.identity.actor import Actor, local_operator
from leaktrace.operations.model import TargetKind
from leaktrace.services import cases, identity, operations
from leaktrace.services.context import AppContext
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_changes import change_status
from leaktrace.services.operations import NewTarget

AGENCIES = {"NL-POL": "NL", "DE-BKA": "DE", "BE-FOD": "BE", "FR-PN": "FR"}
WALK = ("go", "in-progress", "done")
"""The statuses a target passes through (three events per target)."""


@dataclass(frozen=True)
class LiveWorld:
    case_id: int
    operation_id: int
    target_ids: list[int]

    def moves(self) -> Iterator[tuple[int, str]]:
        """(target id, next status) for every target's walk, a target at a time."""
        for target_id in self.target_ids:
            for status in WALK:
                yield target_id, status


def ensure_agencies(ctx: AppContext) -> None:
    operator = local_operator()
    known = {a.code for a in identity.list_agencies(ctx, operator)}
    for code, country in AGENCIES.items():
        if code not in known:
            identity.add_agency(
                ctx, operator, code=code, name=f"Test {code}", country=country, kind="police"
            )


def make_world(ctx: AppContext, targets: int = 10, name: str = "Action day") -> LiveWorld:
    """An operation of ``targets`` German servers (assigned to DE-BKA), coordinated by
    NL-POL, observed by BE-FOD."""
    ensure_agencies(ctx)
    operator = local_operator()
    case = cases.open_case(ctx, operator, f"Case of {name}", agency="NL-POL")
    planned = [
        NewTarget(kind=TargetKind.server, label=f"198.51.{i // 250}.{i % 250 + 1}", country="DE")
        for i in range(targets)
    ]
    summary = operations.create_operation(
        ctx,
        operator,
        case_id=case.id,
        name=name,
        day="2026-12-07",
        h_hour="06:00",
        agencies=["NL-POL:coordinator", "DE-BKA", "BE-FOD:observer"],
        targets=planned,
    )
    ids = [t.id for t in operation_board(ctx, operator, summary.id).targets]
    return LiveWorld(case_id=case.id, operation_id=summary.id, target_ids=sorted(ids))


def walk(
    ctx: AppContext, world: LiveWorld, count: int, actor: Actor | None = None, *, skip: int = 0
) -> int:
    """Make ``count`` status changes through the services (after skipping the first
    ``skip`` moves); how many were made."""
    who = actor or local_operator()
    made = 0
    for index, (target_id, status) in enumerate(world.moves()):
        if index < skip:
            continue
        if made == count:
            break
        change_status(ctx, who, world.operation_id, target_id, status)
        made += 1
    return made


def actor_of(ctx: AppContext, role: str, agency: str) -> Actor:
    """A signed-in user ``<role>@<agency>.example`` (made on first use), as the server
    would see them."""
    from leaktrace.services import sessions
    from tests.web.conftest import ensure_user

    email = ensure_user(ctx, role, agency)
    token = identity.create_token(ctx, local_operator(), email)
    return sessions.authenticate_token(ctx, token, None)
