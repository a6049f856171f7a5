"""Swarm observations: what is stored (a summary), import and retention.

Observations are personal data (downloaders appear as keyed hashes with country and
ASN): every read needs ``read:personal`` and is audited, and so is every write.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from leaktrace.geo import GeoLookup
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.views import View
from leaktrace.store.swarm import (
    observation_breakdown,
    observation_count,
    observation_span,
    stored_key_check,
)
from leaktrace.swarm.importer import SwarmImportReport, store_records, swarm_rows
from leaktrace.swarm.retention import RetentionReport, apply_retention, retention_days

__all__ = [
    "RetentionView",
    "SwarmSummaryView",
    "import_swarm",
    "swarm_retention",
    "swarm_summary",
]


class SwarmSummaryView(View):
    """What the swarm observations hold, in aggregate (never a peer)."""

    observations: int
    first_observed: datetime | None
    last_observed: datetime | None
    by_role: dict[str, int]
    by_country: dict[str, int]
    torrents: int
    torrents_linked: int
    retention_days: int
    key_stored_at: datetime | None
    """When the first import tied the database to its swarm key (None: no import yet)."""


class RetentionView(View):
    """``leaktrace swarm retention --format json`` (without ``--exports``)."""

    days: int
    cutoff: str
    older_than_cutoff: int
    deleted: int
    dry_run: bool

    @classmethod
    def of(cls, report: RetentionReport) -> RetentionView:
        return cls.model_validate(report.as_dict())


def swarm_summary(ctx: AppContext, actor: Actor) -> SwarmSummaryView:
    """Observations by role and country, their span, torrents and the retention period;
    audited as ``swarm.summary``."""
    actor.require(Permission.read_personal)
    with ctx.database.transaction() as conn:
        total = observation_count(conn)
        first, last = observation_span(conn)
        roles, countries, torrents, linked = observation_breakdown(conn)
        key = stored_key_check(conn)
        audit.record(conn, actor, "swarm.summary", "swarm observations", f"{total} observations")
    return SwarmSummaryView(
        observations=total,
        first_observed=first,
        last_observed=last,
        by_role=roles,
        by_country=dict(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))),
        torrents=torrents,
        torrents_linked=linked,
        retention_days=retention_days(None, ctx.settings.swarm_retention_days),
        key_stored_at=None if key is None else key[1],
    )


def swarm_retention(
    ctx: AppContext, actor: Actor, *, days: int | None = None, dry_run: bool = False
) -> RetentionView:
    """Delete (``dry_run``: only count) observations older than ``days`` (default: the
    configured retention period); audited as ``swarm.retention``."""
    actor.require(Permission.read_personal)
    kept = retention_days(days, ctx.settings.swarm_retention_days)
    with ctx.database.transaction() as conn:
        report = apply_retention(conn, kept, dry_run=dry_run)
        audit.record(
            conn,
            actor,
            "swarm.retention",
            f"older than {kept} days",
            f"{report.matched} matched, {report.deleted} deleted" + (" (dry run)" * dry_run),
        )
    return RetentionView.of(report)


def import_swarm(
    ctx: AppContext,
    actor: Actor,
    files: Sequence[Path],
    key: bytes,
    geo: GeoLookup,
    *,
    strict: bool = False,
    key_source: str = "the given key",
) -> SwarmImportReport:
    """Import swarm files in one transaction together with the audit entry
    ``swarm.import`` (rows are read as they are stored)."""
    actor.require(Permission.read_personal)
    with ctx.database.transaction() as conn:
        report = store_records(
            conn,
            swarm_rows(files),
            key,
            geo,
            files=[str(p) for p in files],
            strict=strict,
            key_source=key_source,
        )
        audit.record(
            conn,
            actor,
            "swarm.import",
            ", ".join(str(f) for f in files)[:500],
            f"{report.accepted} rows accepted, {report.added} observations added",
        )
    return report
