"""``leaktrace notices stats``: time to takedown per provider and per country (median,
90th percentile, hours), the share of locations removed, repeat offenders, notices by
status - over the notices the actor sees (its agency's; all for the command line).

The figures and their definitions are :mod:`leaktrace.report.notices` (shared with the
HTML leak report), over the rows of :mod:`leaktrace.store.notice_figures`: one per
location of a sent notice chain (a re-notice counts with the notice it repeats), with
what became of it last; a location seen again after its notice was sent counts as not
removed; time to takedown runs from the FIRST notice's ``sent_at`` to the location's
``removed_at``. ``since``: only notices sent at or after it.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.report.notices import NoticeFigures, gather_notice_figures
from leaktrace.services.context import AppContext
from leaktrace.services.notice_views import NoticeStatsView
from leaktrace.store.notice_figures import ALL_AGENCIES

__all__ = ["agency_scope", "notice_stats", "stats_view"]


def agency_scope(actor: Actor) -> int | None:
    """Whose notices ``actor`` sees: its agency's, or every one (the local operator)."""
    return ALL_AGENCIES if actor.is_local else actor.agency_id


def stats_view(figures: NoticeFigures) -> NoticeStatsView:
    """The read model of the figures (the same fields, nested the same way)."""
    return NoticeStatsView.model_validate(asdict(figures))


def notice_stats(
    ctx: AppContext, actor: Actor, *, since: datetime | None = None
) -> NoticeStatsView:
    """The figures of the notices ``actor`` sees, sent at or after ``since``."""
    actor.require(Permission.read_intel)
    with ctx.database.reading() as conn:
        figures = gather_notice_figures(conn, agency=agency_scope(actor), since=since)
    return stats_view(figures)
