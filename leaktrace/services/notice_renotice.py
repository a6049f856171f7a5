"""Noticing again (``leaktrace notices renotice``): a sent notice whose locations are
still up ``notices.renotice_days`` after sending gets a follow-up.

A notice qualifies when it was sent more than ``renotice_days`` before ``now``, no notice
repeats it yet, and it lists locations that are neither rejected nor removed - or that
were removed but LeakTrace saw again after the notice was sent (not removed after all).
For each, one new **drafted** notice to the same recipient, in the same form and
language and for the same case, lists those locations only; its ``previous_id`` points
at the notice it repeats and its text says so ("this repeats our notice LT-N-000042 of
2026-11-20": ``NoticeDocument.previous_reference`` and ``extra['previous_sent']``). It
is rendered and checked like any draft (:func:`leaktrace.services.notices.write_drafts`,
which also explains each location in the notice's language)
and is sent like any other (``leaktrace notices send``). ``dry_run`` says which notices
would be written and writes nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address, IPv6Address

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.notices.locations import ParsedLocation, parse_location
from leaktrace.notices.model import NoticeForm, Recipient
from leaktrace.services.context import AppContext
from leaktrace.services.notice_reading import sender_of, stored_sender, summaries
from leaktrace.services.notice_stats import agency_scope
from leaktrace.services.notice_views import NoticeSummaryView, RenoticeResultView
from leaktrace.services.notices import DraftGroup, DraftLocation, write_drafts
from leaktrace.store import notice_tracking as tracking
from leaktrace.store import notices as notices_store

__all__ = ["renotice"]


def _still_up(loc: tracking.LocationRecord) -> bool:
    if loc.status == "rejected":
        return False
    return loc.status != "removed" or loc.seen_again_at is not None


def renotice(
    ctx: AppContext, actor: Actor, *, now: datetime | None = None, dry_run: bool = False
) -> RenoticeResultView:
    """Draft a follow-up for each sent notice still unanswered by removal after
    ``renotice_days`` (see the module docstring); ``dry_run``: the notices it would
    repeat, as they are, and nothing written."""
    actor.require(Permission.write_notices)
    now = (now or datetime.now(UTC)).astimezone(UTC)
    before = now - timedelta(days=ctx.settings.notices.renotice_days)
    scope = agency_scope(actor)
    with ctx.database.transaction() as conn:
        due = tracking.notices_by_ids(
            conn, tracking.renotice_candidates(conn, before, scope), scope
        )
        if dry_run or not due:
            records = notices_store.notices_of(
                conn, agency_id=actor.agency_id, every=actor.is_local, ids=[n.id for n in due]
            )
            would = summaries(conn, sorted(records, key=lambda r: r.id)) if dry_run else []
            return RenoticeResultView(notices=would)
        located = tracking.locations_of(conn, [n.id for n in due])
        new_ids: list[int] = []
        for notice in due:
            up = [loc for loc in located.get(notice.id, []) if _still_up(loc)]
            if not up or notice.sent_at is None:
                continue
            group = DraftGroup(
                recipient=Recipient(
                    name=notice.recipient_name,
                    email=notice.recipient_email,
                    country=notice.recipient_country,
                    key=notice.recipient_key,
                ),
                contact_id=notice.contact_id,
                locations=[
                    DraftLocation(
                        url=loc.url,
                        host=loc.host,
                        ip=_ip(loc.url),
                        host_id=loc.host_id,
                        release_id=loc.release_id,
                        release_name=loc.release_name,
                        work_id=loc.work_id,
                        alert_id=loc.alert_id,
                        why=None,  # explained in the notice's language by write_drafts
                        first_seen=None,
                    )
                    for loc in up
                ],
                previous_id=notice.id,
                extra={"previous_sent": notice.sent_at.date().isoformat()},
            )
            new_ids += write_drafts(
                conn,
                ctx,
                actor,
                [group],
                form=NoticeForm(notice.form),
                language=notice.language,
                case_id=notice.case_id,
                now=now,
                detail=f"re-notice of notice {notice.id} (sent {notice.sent_at.date()})",
                agency_id=notice.agency_id,  # the follow-up is the agency's, whoever runs it
                # and signed as the notice it repeats was (else its agency's identity)
                sender=stored_sender(notice) or sender_of(ctx, notice.agency_code),
            )
        records = notices_store.notices_of(
            conn, agency_id=actor.agency_id, every=actor.is_local, ids=new_ids
        )
        views: list[NoticeSummaryView] = summaries(conn, sorted(records, key=lambda r: r.id))
    return RenoticeResultView(notices=views)


def _ip(url: str) -> IPv4Address | IPv6Address | None:
    parsed = parse_location(url)
    return parsed.ip if isinstance(parsed, ParsedLocation) else None
