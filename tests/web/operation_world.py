"""An action day to test the web layer against: a case led by the coordinating agency EJ,
an operation with two participating police agencies (NL-POL, DE-BKA), an observer
(FR-OBS) and an agency that does not take part (US-FBI), and targets in both countries.

Made through the services as the local operator (no HTTP): the tests then act as each
agency's users over a real server.
"""

from __future__ import annotations

from dataclasses import dataclass

from leaktrace.identity.actor import local_operator
from leaktrace.operations.model import TargetKind
from leaktrace.services import cases, identity, operations
from leaktrace.services.context import AppContext
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operations import NewTarget

__all__ = ["AGENCIES", "OperationWorld", "plan_operation"]

AGENCIES = {
    "EJ": ("NL", "eurojust"),
    "NL-POL": ("NL", "police"),
    "DE-BKA": ("DE", "police"),
    "FR-OBS": ("FR", "police"),
    "US-FBI": ("US", "police"),
}
PREMISES = "Keizersgracht <b>1</b> & \"back\" room <script>alert('x')</script>"


@dataclass(frozen=True)
class OperationWorld:
    case_id: int
    operation_id: int
    targets: dict[str, int]
    """Label → target id."""

    @property
    def nl_server(self) -> int:
        return self.targets["203.0.113.5"]

    @property
    def de_server(self) -> int:
        return self.targets["198.51.100.7"]

    @property
    def de_person(self) -> int:
        return self.targets["h4x"]

    @property
    def premises(self) -> int:
        return self.targets[PREMISES]


def ensure_agencies(context: AppContext) -> None:
    operator = local_operator()
    known = {a.code for a in identity.list_agencies(context, operator)}
    for code, (country, kind) in AGENCIES.items():
        if code not in known:
            identity.add_agency(
                context, operator, code=code, name=f"Test {code}", country=country, kind=kind
            )


def plan_operation(context: AppContext, name: str = "Action day Lantern") -> OperationWorld:
    """The case and the operation (H-hour 05:00 UTC), targets: a server in NL (NL-POL), a
    server and a person (with a real name) in DE (DE-BKA), premises in NL (NL-POL)."""
    ensure_agencies(context)
    operator = local_operator()
    case = cases.open_case(context, operator, f"Case of {name}", agency="EJ")
    summary = operations.create_operation(
        context,
        operator,
        case_id=case.id,
        name=name,
        day="2026-12-07",
        h_hour="05:00",
        agencies=["EJ:coordinator", "NL-POL", "DE-BKA", "FR-OBS:observer"],
        handling="H2",
        targets=[
            NewTarget(kind=TargetKind.server, label="203.0.113.5", country="NL"),
            NewTarget(kind=TargetKind.server, label="198.51.100.7", country="DE"),
            NewTarget(kind=TargetKind.person, label="h4x", country="DE", real_name="Hans Muster"),
            NewTarget(kind=TargetKind.premises, label=PREMISES, country="NL"),
        ],
    )
    view = operation_board(context, operator, summary.id)
    return OperationWorld(
        case_id=case.id,
        operation_id=summary.id,
        targets={t.label: t.id for t in view.targets},
    )
