"""Reading takedown notices: the list and one notice whole (its text, locations and
history), and the document a stored notice was rendered from (for re-rendering and
export).

Need-to-know: a notice belongs to the agency that drafted it. A user sees only its
agency's notices; any other id is answered exactly like an id that does not exist
(:class:`NotFoundError`). The command line's local operator sees every notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.notices.explanations import LeakFacts, hand_explanation, leak_explanation
from leaktrace.notices.model import (
    NEXT_STATUSES,
    NoticeDocument,
    NoticeForm,
    NoticeLocation,
    NoticeStatus,
    NoticeWork,
    Recipient,
    Sender,
    reference_of,
)
from leaktrace.services.context import AppContext
from leaktrace.services.notice_views import (
    NoticeChangeView,
    NoticeLocationView,
    NoticeSummaryView,
    NoticeView,
)
from leaktrace.store import notices as store
from leaktrace.store.notices import AlertRecord, LocationRecord, NoticeRecord, WorkRecord

__all__ = [
    "document_of",
    "get_notice",
    "hand_why",
    "iso",
    "list_notices",
    "location_why",
    "marks_allowed",
    "no_such_notice",
    "notice_view",
    "sender_of",
    "stored_sender",
    "summaries",
    "visible_notice",
    "work_of",
]

MAX_NOTICE_ID = 2**31 - 1


def iso(value: datetime | None) -> str | None:
    """``2026-12-06T07:30:00Z`` (None stays None)."""
    if value is None:
        return None
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _iso(value: datetime) -> str:
    text = iso(value)
    assert text is not None
    return text


def no_such_notice(notice_id: int) -> NotFoundError:
    """The one answer for a notice that does not exist or that the asker may not see."""
    return NotFoundError(f"no notice {notice_id}", kind="notice", key=str(notice_id))


def visible_notice(conn: Connection, actor: Actor, notice_id: int) -> NoticeRecord:
    """The notice if ``actor`` may see it; :func:`no_such_notice` otherwise."""
    if not 1 <= notice_id <= MAX_NOTICE_ID:
        raise no_such_notice(notice_id)
    found = store.notice_by_id(conn, notice_id, agency_id=actor.agency_id, every=actor.is_local)
    if found is None:
        raise no_such_notice(notice_id)
    return found


def marks_allowed(status: str) -> list[str]:
    """The statuses ``leaktrace notices mark`` may move a notice (or a location) in
    ``status`` to ('sent' is reached only by sending)."""
    try:
        current = NoticeStatus(status)
    except ValueError:
        return []
    return [s.value for s in NEXT_STATUSES.get(current, ()) if s is not NoticeStatus.sent]


def work_of(record: WorkRecord) -> NoticeWork:
    return NoticeWork(
        id=record.id,
        title=record.title,
        year=record.year,
        kind=record.kind,
        imdb_id=record.imdb_id,
    )


def hand_why(
    work: NoticeWork | None,
    principal: str | None,
    *,
    language: str = "en",
    templates_dir: Path | None = None,
) -> str:
    """The explanation of a location given by hand (no alert explains it), in
    ``language``: a copy of the work its rights holder has not authorised."""
    return hand_explanation(
        work.label if work is not None else None,
        principal,
        language,
        templates_dir=templates_dir,
    )


def location_why(
    alert: AlertRecord | None,
    work: NoticeWork | None,
    *,
    language: str,
    principal: str | None,
    templates_dir: Path | None,
) -> str:
    """Why a location is unlawful, in ``language``: from its alert's facts (a copy made
    available before its window), else as a location given by hand."""
    if alert is None:
        return hand_why(work, principal, language=language, templates_dir=templates_dir)
    facts = LeakFacts(
        work=work.label if work is not None else alert.work_id,
        window=alert.window,
        window_date=alert.window_date,
        lead_days=alert.lead_days,
        source=alert.source,
        release=alert.release_name,
        released_at=alert.released_at,
    )
    return leak_explanation(facts, language, templates_dir=templates_dir)


def sender_of(ctx: AppContext, agency_code: str | None = None) -> Sender | None:
    """The identity the notices of ``agency_code`` (None: the command line's operator)
    are drafted, signed and sent as: the agency's own ``[notices.senders.CODE]``, else
    ``[notices.sender]``; None when neither is set."""
    settings = ctx.settings.notices.sender_for(agency_code)
    if settings is None:
        return None
    return Sender(
        name=settings.name,
        email=settings.email,
        address=settings.address,
        phone=settings.phone,
        signature=settings.signature,
        principal=settings.principal,
        trusted_flagger=settings.trusted_flagger or None,
    )


def stored_sender(record: NoticeRecord) -> Sender | None:
    """The sender identity the notice was drafted with (stored with it), None when it
    is missing or unreadable."""
    data = record.sender_data()
    try:
        return Sender(
            name=str(data["name"]),
            email=str(data["email"]),
            address=str(data["address"]),
            phone=str(data["phone"]),
            signature=str(data["signature"]),
            principal=str(data["principal"]),
            trusted_flagger=(str(data["trusted_flagger"]) if data.get("trusted_flagger") else None),
        )
    except KeyError:
        return None


def summaries(conn: Connection, records: Sequence[NoticeRecord]) -> list[NoticeSummaryView]:
    """Summary views of ``records`` (three queries whatever their number)."""
    ids = [r.id for r in records]
    counts = store.location_counts(conn, ids)
    work_ids = store.work_ids_of(conn, ids)
    works = store.works_by_id(conn, {w for ws in work_ids.values() for w in ws})
    views: list[NoticeSummaryView] = []
    for record in records:
        total, removed = counts.get(record.id, (0, 0))
        labels = [work_of(works[w]).label for w in work_ids.get(record.id, []) if w in works]
        views.append(
            NoticeSummaryView(
                id=record.id,
                reference=reference_of(record.id),
                form=record.form,
                language=record.language,
                status=record.status,
                recipient_key=record.recipient_key,
                recipient_name=record.recipient_name,
                recipient_email=record.recipient_email,
                recipient_country=record.recipient_country,
                needs_contact=record.recipient_email is None,
                locations=total,
                removed=removed,
                works=sorted(labels),
                case_id=record.case_id,
                agency=record.agency_code,
                created_at=_iso(record.created_at),
                sent_at=iso(record.sent_at),
                delivery=record.delivery,
                previous_id=record.previous_id,
            )
        )
    return views


def notice_view(conn: Connection, record: NoticeRecord) -> NoticeView:
    """The whole notice: text, sender, locations and history."""
    (summary,) = summaries(conn, [record])
    locations = store.locations_of(conn, record.id)
    works = store.works_by_id(conn, {loc.work_id for loc in locations if loc.work_id})
    return NoticeView(
        **summary.model_dump(),
        subject=record.subject,
        body=record.body,
        template=record.template,
        message_id=record.message_id,
        sender=record.sender_data(),
        delivery_error=record.delivery_error,
        evidence_item_id=record.evidence_item_id,
        next_statuses=marks_allowed(record.status),
        location_list=[
            NoticeLocationView(
                id=loc.id,
                url=loc.url,
                host=loc.host,
                work_id=loc.work_id,
                work=(
                    work_of(works[loc.work_id]).label
                    if loc.work_id and loc.work_id in works
                    else None
                ),
                release=loc.release_name,
                status=loc.status,
                status_at=_iso(loc.status_at),
                removed_at=iso(loc.removed_at),
                seen_again_at=iso(loc.seen_again_at),
            )
            for loc in locations
        ],
        changes=[
            NoticeChangeView(
                at=_iso(change.at),
                status=change.status,
                location=change.location_url,
                by=change.by,
                via=change.via,
                detail=change.detail,
            )
            for change in store.changes_of(conn, record.id)
        ],
    )


def document_of(
    conn: Connection,
    record: NoticeRecord,
    *,
    locations: Sequence[LocationRecord] | None = None,
    sender: Sender | None = None,
    recipient: Recipient | None = None,
    day: datetime | None = None,
    templates_dir: Path | None = None,
) -> NoticeDocument:
    """The document a stored notice is rendered from: its stored sender (or ``sender``),
    recipient (or ``recipient``), the works and locations it lists (each location's
    explanation in the notice's language from its alert's facts, else :func:`hand_why`;
    ``templates_dir``: the user's statements files, ``notices.templates_dir``)."""
    listed = list(locations) if locations is not None else store.locations_of(conn, record.id)
    works = store.works_by_id(conn, {loc.work_id for loc in listed if loc.work_id})
    alerts = store.alerts_by_id(conn, {loc.alert_id for loc in listed if loc.alert_id})
    first_seen = store.first_seen(conn, [(loc.release_id, loc.url) for loc in listed])
    used_sender = sender if sender is not None else stored_sender(record)
    principal = used_sender.principal if used_sender is not None else None
    notice_works = {w: work_of(works[w]) for w in sorted(works)}
    previous = reference_of(record.previous_id) if record.previous_id else None
    extra: dict[str, str] = {}
    if record.previous_id:
        earlier = store.notice_by_id(conn, record.previous_id, agency_id=None, every=True)
        if earlier is not None and earlier.sent_at is not None:
            extra["previous_sent"] = earlier.sent_at.date().isoformat()
    return NoticeDocument(
        reference=reference_of(record.id),
        form=NoticeForm(record.form),
        language=record.language,
        sender=used_sender,
        recipient=recipient
        or Recipient(
            name=record.recipient_name,
            email=record.recipient_email,
            country=record.recipient_country,
            key=record.recipient_key,
        ),
        works=tuple(notice_works.values()),
        locations=tuple(
            NoticeLocation(
                url=loc.url,
                host=loc.host,
                work_id=loc.work_id,
                release=loc.release_name,
                first_seen=first_seen.get((loc.release_id, loc.url)),
                why=location_why(
                    alerts.get(loc.alert_id) if loc.alert_id is not None else None,
                    notice_works.get(loc.work_id or ""),
                    language=record.language,
                    principal=principal,
                    templates_dir=templates_dir,
                ),
            )
            for loc in listed
        ),
        day=(day or record.created_at).date(),
        previous_reference=previous,
        extra=extra,
    )


def list_notices(
    ctx: AppContext, actor: Actor, *, status: str | None = None, form: str | None = None
) -> list[NoticeSummaryView]:
    """The notices the actor's agency drafted (every notice for the local operator),
    newest first, optionally of one status and one form."""
    actor.require(Permission.read_intel)
    if status is not None:
        try:
            status = NoticeStatus(status.strip().lower()).value
        except ValueError:
            raise InputError(
                f"unknown status {status!r} (one of: {', '.join(s.value for s in NoticeStatus)})",
                field="status",
            ) from None
    if form is not None:
        try:
            form = NoticeForm(form.strip().lower()).value
        except ValueError:
            raise InputError(
                f"unknown form {form!r} (one of: {', '.join(f.value for f in NoticeForm)})",
                field="form",
            ) from None
    with ctx.database.reading() as conn:
        records = store.notices_of(
            conn, agency_id=actor.agency_id, every=actor.is_local, status=status, form=form
        )
        return summaries(conn, records)


def get_notice(ctx: AppContext, actor: Actor, notice_id: int) -> NoticeView:
    """One notice whole; NotFoundError when it does not exist or belongs to another
    agency."""
    actor.require(Permission.read_intel)
    with ctx.database.reading() as conn:
        return notice_view(conn, visible_notice(conn, actor, notice_id))
