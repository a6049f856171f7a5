"""The demo's case: the investigation of the synthetic leak ring, opened by the fictional
police unit with the prosecution office and Europol as members, its key findings frozen
as evidence, its action day (:mod:`leaktrace.services.demo_operation`), exported as a
bundle and checked the way a defence expert would.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from leaktrace.identity.actor import Actor
from leaktrace.services.case_export import export_case
from leaktrace.services.case_items import add_finding
from leaktrace.services.case_views import BundleVerification, ExportView
from leaktrace.services.cases import add_member, add_note, add_subject, add_task, open_case
from leaktrace.services.context import AppContext
from leaktrace.services.demo_accounts import create_demo_agencies
from leaktrace.services.demo_operation import DemoOperation, create_demo_operation
from leaktrace.services.evidence import verify_bundle_file
from leaktrace.services.views import View

__all__ = ["DEMO_CASE_TITLE", "DemoCase", "create_demo_case"]

DEMO_CASE_TITLE = "Operation Sparks (demo, fictional): the disc supply-chain leak ring"


class DemoCase(View):
    id: int
    title: str
    items: int
    export: ExportView
    verification: BundleVerification
    operation: DemoOperation | None = None
    """The action day, when the case has one."""


def create_demo_case(
    ctx: AppContext,
    actor: Actor,
    *,
    group: str,
    leak_id: int | None,
    country: str | None,
    supply: bool,
    bundle: Path,
    action_day: Sequence[str] = (),
) -> DemoCase:
    """Open the case, add the gravest leak, the group's dossier, the supply ranking and
    a country's target sheet, plan and play the first hour of its action day against the
    servers of the ``action_day`` countries (none without), export it to ``bundle`` and
    verify the bundle (whose log holds the action day's entries)."""
    create_demo_agencies(ctx, actor)
    case = open_case(
        ctx,
        actor,
        DEMO_CASE_TITLE,
        agency="DEMO-NL-POL",
        legal_basis="Fictional: a criminal investigation into copyright infringement",
        reference="DEMO-2020-0001",
    )
    add_member(ctx, actor, case.id, "DEMO-SE-PROS", "member")
    add_member(ctx, actor, case.id, "DEMO-EUROPOL", "observer")
    add_subject(ctx, actor, case.id, "group", group)
    items = 0
    if leak_id is not None:
        add_finding(ctx, actor, case.id, "leak", str(leak_id), reason="the gravest leak")
        items += 1
    add_finding(ctx, actor, case.id, "group", group, reason="the group behind the disc leaks")
    items += 1
    if supply:
        add_finding(
            ctx, actor, case.id, "supply-rank", reason="which account the discs left through"
        )
        items += 1
    if country is not None:
        add_finding(
            ctx, actor, case.id, "targets", country, reason="servers to seize on the action day"
        )
        items += 1
    operation = None
    if action_day:
        operation = create_demo_operation(
            ctx, actor, case_id=case.id, countries=action_day, supply=supply
        )
    add_note(
        ctx,
        actor,
        case.id,
        "Demo: every change to this case is an entry of its Merkle log; the bundle "
        "verifies offline with verify.py.",
    )
    add_task(ctx, actor, case.id, "Ask the distributor for the account holder's records")
    export = export_case(ctx, actor, case.id, bundle)
    verification = verify_bundle_file(bundle)
    return DemoCase(
        id=case.id,
        title=DEMO_CASE_TITLE,
        items=items,
        export=export,
        verification=verification,
        operation=operation,
    )
