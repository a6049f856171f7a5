"""The supply chain: which customer accounts pre-release disc leaks may have come
through, and accounts with behaviour flags.

Accounts may name people: every read needs ``read:personal`` and is audited (who, when,
what was asked), in the same transaction as the read.
"""

from __future__ import annotations

from pathlib import Path

from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.supply_views import (
    AccountFlagsView,
    FlaggedAccountsView,
    SupplyRankingView,
)
from leaktrace.supply.importer import SupplyImportReport, read_shipments_file, store_shipments
from leaktrace.supply.ranking import flag_accounts, rank_accounts
from leaktrace.supply.scoring import DEFAULT_EPSILON, DEFAULT_PRIOR_NONE

__all__ = ["flagged_accounts", "import_shipment_file", "supply_ranking"]


def _unit(value: float, field: str) -> None:
    if not 0.001 <= value <= 0.999:
        raise InputError("must be between 0.001 and 0.999", field=field)


def supply_ranking(
    ctx: AppContext,
    actor: Actor,
    *,
    epsilon: float = DEFAULT_EPSILON,
    prior_none: float = DEFAULT_PRIOR_NONE,
    min_leaks: int = 1,
    limit: int | None = None,
) -> SupplyRankingView:
    """Accounts ranked by the evidence that pre-release disc leaks came through them:
    posterior, likelihood ratio, the explanation in words and behaviour flags (the
    first ``limit`` accounts; ``total_accounts`` says how many were ranked)."""
    actor.require(Permission.read_personal)
    _unit(epsilon, "epsilon")
    _unit(prior_none, "prior_none")
    if min_leaks < 0:
        raise InputError("must be 0 or more", field="min_leaks")
    if limit is not None and limit < 1:
        raise InputError("must be at least 1", field="limit")
    with ctx.database.transaction() as conn:
        ranking = rank_accounts(conn, epsilon=epsilon, min_leaks=min_leaks, prior_none=prior_none)
        shown = ranking.scores[:limit] if limit else ranking.scores
        audit.record(
            conn,
            actor,
            "supply.rank",
            "supply ranking",
            f"epsilon={epsilon} prior_none={prior_none} min_leaks={min_leaks}; "
            f"{len(shown)} of {len(ranking.scores)} accounts",
        )
    data = ranking.as_dict()
    data["accounts"] = [s.as_dict() for s in shown]
    view = SupplyRankingView.model_validate(data)
    return view.model_copy(update={"total_accounts": len(ranking.scores)})


def flagged_accounts(
    ctx: AppContext, actor: Actor, *, limit: int | None = None
) -> FlaggedAccountsView:
    """Accounts with behaviour flags, most warnings first (no leak needed)."""
    actor.require(Permission.read_personal)
    if limit is not None and limit < 1:
        raise InputError("must be at least 1", field="limit")
    with ctx.database.transaction() as conn:
        flagged = flag_accounts(conn)
        shown = flagged[:limit] if limit else flagged
        audit.record(
            conn,
            actor,
            "supply.flags",
            "flagged accounts",
            f"{len(shown)} of {len(flagged)} accounts",
        )
    return FlaggedAccountsView(
        accounts=[AccountFlagsView.model_validate(f.as_dict()) for f in shown],
        total=len(flagged),
    )


def import_shipment_file(ctx: AppContext, actor: Actor, file: Path) -> SupplyImportReport:
    """Import a distributor's shipments CSV (all of it or nothing), in one transaction
    with its audit entry."""
    shipments = read_shipments_file(file)
    with ctx.database.transaction() as conn:
        report = store_shipments(conn, shipments)
        audit.record(
            conn,
            actor,
            "supply.import",
            report.file,
            f"{report.rows} rows, {report.added} shipments added",
        )
    return report
