"""Sending takedown notices by e-mail, through the outbox (retries, dead letters).

``send_notices`` checks, for each notice, that it can go (drafted, a recipient e-mail,
its text listing its locations), builds its message once (:mod:`leaktrace.notices.mail`:
From the sender it was rendered with, To the recipient, a Message-ID that is the same
for every try) and queues it in one transaction: an outbox event of kind ``notice``
(topic ``notice:<id>``) carrying the message's bytes, one delivery for the sink
``notices``, and ``notices.delivery = 'queued'``. Then the ordinary
:class:`~leaktrace.watch.dispatcher.Dispatcher` delivers what is due with the notices'
mail sink (:mod:`leaktrace.alerts.notice_mail`), and every queued notice is settled from
its delivery:

* delivered → status ``sent`` (``sent_at``, ``message_id``, its locations ``sent``, a
  change ``via = 'send'``); when the notice belongs to a case, the message (``.eml``,
  the bytes that were sent) becomes an evidence item of the case, added by the sending
  actor through :func:`leaktrace.services.case_items.add_file` (its log entry), and
  ``evidence_item_id`` points at it;
* failed for now (4xx, the server unreachable) → ``delivery = 'retrying'`` (listed as
  ``queued``): :func:`deliver_pending` (``leaktrace notices send --retry``, ``track
  --watch``) retries it once its back-off has passed. A ``send`` delivers only what it
  has just queued (a web request never works through the backlog);
* refused for good (5xx) or ``notices.max_attempts`` tries used → ``delivery =
  'failed'`` (a dead letter), with the server's answer in ``delivery_error``; the notice
  stays ``drafted`` and may be sent again.

Who may send: ``send:notices`` and an agency of kind ``industry`` (rights holders and
their agents send notices; police and judicial users do not), or the command line's
operator - who sends its own drafts and industry agencies' drafts, never those of another
agency's user (listed as failed). A notice is queued only if it is still drafted and
unchanged since it was read (two sends at once mail it once); the results name only the
notices the actor sees, though every notice in delivery is settled. Nothing is sent
without ``[notices.sender]``; the mail server is ``[notices.smtp]`` or the email sink
named by ``notices.email_sink`` in ``notices.watch_config``; its password only ever comes
from the environment.
"""

from __future__ import annotations

import base64
import io
import logging
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leaktrace.alerts.base import Sink, SinkConfig
from leaktrace.alerts.email import EmailConfig
from leaktrace.alerts.notice_mail import (
    NoticeMailConfig,
    NoticeMailSink,
    config_from_email_sink,
    config_problem,
    notice_payload,
)
from leaktrace.config import NoticesSettings
from leaktrace.errors import ConfigError, LeakTraceError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import AgencyKind, Permission
from leaktrace.notices.mail import eml_bytes, notice_message, notice_message_id
from leaktrace.notices.model import (
    NoticeDocument,
    NoticeForm,
    NoticeLocation,
    NoticeStatus,
    Recipient,
    Sender,
    reference_of,
)
from leaktrace.notices.templates import RenderedNotice
from leaktrace.services import case_items
from leaktrace.services.context import AppContext
from leaktrace.services.notice_reading import sender_of, stored_sender, work_of
from leaktrace.services.notice_stats import agency_scope
from leaktrace.services.notice_views import SendFailureView, SendResultView
from leaktrace.store import notice_tracking as store
from leaktrace.store import notices as notices_store
from leaktrace.store import outbox
from leaktrace.store.database import Database
from leaktrace.store.notices import WorkRecord
from leaktrace.watch.config import load_watch_config
from leaktrace.watch.dispatcher import DUE_PAGE, Dispatcher

__all__ = [
    "agency_scope",
    "deliver_pending",
    "mail_config",
    "may_send",
    "notice_document",
    "require_sender",
    "send_notices",
]

log = logging.getLogger(__name__)


def may_send(ctx: AppContext, actor: Actor) -> bool:
    """Whether ``actor`` may send notices: ``send:notices`` and an industry agency, or
    the command line's operator."""
    if not actor.can(Permission.send_notices):
        return False
    if actor.is_local:
        return True
    if actor.agency_id is None:
        return False
    with ctx.database.reading() as conn:
        kind = store.agency_kind(conn, actor.agency_id)
    return kind == AgencyKind.industry.value


def _require_may_send(ctx: AppContext, actor: Actor) -> None:
    actor.require(Permission.send_notices)
    if not may_send(ctx, actor):
        raise PermissionDeniedError(
            "only users of an industry agency (rights holders and their agents) send "
            "takedown notices",
            permission=Permission.send_notices.value,
        )


def require_sender(ctx: AppContext, agency_code: str | None = None) -> Sender:
    """The identity the notices of ``agency_code`` (None: the operator) are sent as
    (``[notices.senders.CODE]``, else ``[notices.sender]``); ConfigError when none is
    set."""
    sender = sender_of(ctx, agency_code)
    if sender is None:
        own = f"[notices.senders.{agency_code}] or " if agency_code else ""
        raise ConfigError(
            f"no sender identity: set {own}[notices.sender] (name, email, address, phone, "
            "signature, principal) - nothing is sent from a default identity"
        )
    return sender


def mail_config(settings: NoticesSettings) -> NoticeMailConfig:
    """The notices' mail server: ``[notices.smtp]``, else the email sink
    ``notices.email_sink`` of ``notices.watch_config``; ConfigError naming both settings
    when neither is given."""
    if settings.smtp is not None:
        s = settings.smtp
        try:
            return NoticeMailConfig(
                host=s.host,
                port=s.port,
                starttls=s.starttls,
                ssl=s.ssl,
                username=s.username,
                password_env=s.password_env,
                timeout=s.timeout,
                max_attempts=settings.max_attempts,
            )
        except ValueError as exc:
            raise ConfigError(f"[notices.smtp]: {config_problem(exc)}") from None
    if settings.email_sink is not None:
        if settings.watch_config is None:
            raise ConfigError(
                "notices.email_sink needs notices.watch_config (the watch configuration "
                "file that defines that sink)"
            )
        watch = load_watch_config(settings.watch_config.expanduser())
        for sink in watch.sinks:
            if sink.name == settings.email_sink:
                if not isinstance(sink, EmailConfig):
                    raise ConfigError(
                        f"notices.email_sink: sink {sink.name!r} of {settings.watch_config} "
                        f"is of kind {sink.kind!r}, not email"
                    )
                return config_from_email_sink(sink, max_attempts=settings.max_attempts)
        raise ConfigError(
            f"notices.email_sink: no sink named {settings.email_sink!r} in {settings.watch_config}"
        )
    raise ConfigError(
        "no mail server for notices: set [notices.smtp] (host, port, starttls, username, "
        "password_env) or notices.email_sink (with notices.watch_config)"
    )


def notice_document(
    notice: store.NoticeRecord,
    locations: Sequence[store.LocationRecord],
    works: Mapping[str, WorkRecord],
    *,
    at: datetime,
) -> NoticeDocument:
    """The document a stored notice's mail is made from: its sender as drafted, its
    recipient, works and locations (the text itself is the stored one)."""
    work_ids = dict.fromkeys(loc.work_id for loc in locations if loc.work_id)
    return NoticeDocument(
        reference=reference_of(notice.id),
        form=NoticeForm(notice.form),
        language=notice.language,
        sender=stored_sender(notice),
        recipient=Recipient(
            name=notice.recipient_name,
            email=notice.recipient_email,
            country=notice.recipient_country,
            key=notice.recipient_key,
        ),
        works=tuple(work_of(works[w]) for w in work_ids if w in works),
        locations=tuple(
            NoticeLocation(
                url=loc.url, host=loc.host, work_id=loc.work_id, release=loc.release_name
            )
            for loc in locations
        ),
        day=at.date(),
    )


@dataclass(frozen=True, slots=True)
class _Queued:
    notice_id: int
    payload: dict[str, object]
    message_id: str
    updated_at: datetime
    """When the notice was last changed as read: it is queued only if still so."""


def _problem(notice: store.NoticeRecord, locations: Sequence[store.LocationRecord]) -> str | None:
    """Why ``notice`` cannot be sent as it stands (None: it can)."""
    if notice.status != NoticeStatus.drafted.value:
        return f"it is {notice.status}, not drafted"
    if not notice.recipient_email:
        return (
            f"no contact for {notice.recipient_key}: give it a recipient "
            "(leaktrace notices recipient ID --name ... --email ...)"
        )
    if stored_sender(notice) is None:
        return "its sender identity is missing or unreadable; draft it again"
    if not locations:
        return "it lists no location"
    missing = [loc.url for loc in locations if loc.url not in notice.body]
    if missing:
        return f"its text does not list the location {missing[0]}; draft it again"
    return None


def _prepare(
    notice: store.NoticeRecord,
    locations: Sequence[store.LocationRecord],
    works: Mapping[str, WorkRecord],
    now: datetime,
    by: str,
) -> _Queued:
    doc = notice_document(notice, locations, works, at=now)
    assert doc.sender is not None and notice.recipient_email is not None  # _problem checked
    message_id = notice.message_id or notice_message_id(
        notice.id, doc.sender.email, nonce=secrets.token_hex(16)
    )
    rendered = RenderedNotice(subject=notice.subject, body=notice.body, template=notice.template)
    data = eml_bytes(notice_message(doc, rendered, message_id=message_id, at=now))
    payload = notice_payload(
        notice_id=notice.id,
        reference=doc.reference,
        mail_from=doc.sender.email,
        rcpt_to=notice.recipient_email,
        message_id=message_id,
        data=data,
    )
    payload["queued_by"] = by  # who sent it, named in its history whoever settles it
    return _Queued(notice.id, payload, message_id, notice.updated_at)


def send_notices(
    ctx: AppContext, actor: Actor, ids: Sequence[int] | None, *, now: datetime | None = None
) -> SendResultView:
    """Send the notices ``ids`` (None: every drafted notice the actor sees), then settle
    every notice in delivery (see the module docstring). An id the actor does not see is
    NotFoundError, looked up before the sender's and the mail server's settings are
    checked."""
    actor.require(Permission.send_notices)
    scope = agency_scope(actor)
    with ctx.database.reading() as conn:
        if ids is None:
            chosen = store.notices_by_ids(conn, None, scope, status=NoticeStatus.drafted.value)
        else:
            chosen = store.notices_by_ids(conn, ids, scope)
            found = {n.id for n in chosen}
            for asked in ids:
                if asked not in found:
                    raise NotFoundError(f"no notice {asked}", kind="notice", key=str(asked))
    _require_may_send(ctx, actor)
    require_sender(ctx, actor.agency_code)
    config = mail_config(ctx.settings.notices)
    sink = NoticeMailSink(config)  # a missing password fails here, before anything is queued
    given = now
    now = (now or datetime.now(UTC)).astimezone(UTC)
    failed: list[SendFailureView] = []
    queue: list[_Queued] = []
    with ctx.database.reading() as conn:
        pending = [n for n in chosen if n.delivery in ("queued", "retrying")]
        fresh = [n for n in chosen if n not in pending]
        locations = store.locations_of(conn, [n.id for n in fresh])
        works = notices_store.works_by_id(
            conn, [loc.work_id for locs in locations.values() for loc in locs if loc.work_id]
        )
        kinds = {
            a: store.agency_kind(conn, a) for a in {n.agency_id for n in fresh} if a is not None
        }
    for notice in fresh:
        problem = _problem(notice, locations.get(notice.id, []))
        if problem is None and notice.agency_id is not None:
            if kinds.get(notice.agency_id) != AgencyKind.industry.value:
                problem = (
                    "drafted by a user of an agency that is not an industry agency: "
                    "only rights holders and their agents send notices"
                )
            elif sender_of(ctx, notice.agency_code) is None:
                problem = (
                    f"no sender identity for {notice.agency_code}: set "
                    f"[notices.senders.{notice.agency_code}] or [notices.sender]"
                )
        if problem is not None:
            failed.append(SendFailureView(id=notice.id, reason=problem))
            continue
        try:
            queue.append(_prepare(notice, locations.get(notice.id, []), works, now, actor.name))
        except (LeakTraceError, ValueError) as exc:
            failed.append(SendFailureView(id=notice.id, reason=f"cannot build its message: {exc}"))
    queued_events: list[int] = []
    for one in queue:
        with ctx.database.transaction() as conn:
            if store.claim_notice(
                conn,
                one.notice_id,
                when_delivery=(None, "failed"),
                when_status=NoticeStatus.drafted.value,
                when_updated_at=one.updated_at,
                delivery="queued",
                delivery_error=None,
                message_id=one.message_id,
                updated_at=now,
            ):
                queued_events.append(
                    outbox.enqueue_notice_event(
                        conn, notice_id=one.notice_id, payload=one.payload, created_at=now
                    )
                )
                continue
        failed.append(
            SendFailureView(
                id=one.notice_id,
                reason="it was changed, sent or queued by someone else meanwhile: look at it again",
            )
        )
    # only what this call queued: the backlog of retries is deliver_pending's (one
    # worker: send --retry, track --watch), not a web request's
    result = _deliver_and_settle(ctx, actor, sink, config, now=given, only=queued_events)
    wanted = {n.id for n in chosen}
    return SendResultView(
        sent=[i for i in result.sent if i in wanted or ids is None],
        queued=[i for i in result.queued if i in wanted or ids is None],
        failed=sorted(
            failed + [f for f in result.failed if f.id in wanted or ids is None],
            key=lambda f: f.id,
        ),
    )


def deliver_pending(
    ctx: AppContext, actor: Actor, *, now: datetime | None = None
) -> SendResultView:
    """Retry the notices waiting in the outbox whose back-off has passed, and settle
    every notice in delivery (``leaktrace notices send --retry``)."""
    _require_may_send(ctx, actor)
    config = mail_config(ctx.settings.notices)
    sink = NoticeMailSink(config)
    return _deliver_and_settle(ctx, actor, sink, config, now=now)


def _deliver_and_settle(
    ctx: AppContext,
    actor: Actor,
    sink: NoticeMailSink,
    config: NoticeMailConfig,
    *,
    now: datetime | None,
    only: Sequence[int] | None = None,
) -> SendResultView:
    dispatcher = _ClaimingDispatcher(
        ctx.database, [(config, sink)], lease=4 * config.timeout, only=only
    )
    try:
        dispatcher.deliver_all_due()  # never plan(): notices are queued with their delivery
    finally:
        dispatcher.close()
    return settle(ctx, actor, now=now)


class _ClaimingDispatcher(Dispatcher):
    """The outbox's dispatcher for the notices' sink, which every ``send`` (command line,
    web request) runs: each due delivery is first claimed for one attempt
    (:func:`outbox.claim_delivery`), so two sends at once never mail a notice twice; a
    delivery another process claimed is left to it."""

    def __init__(
        self,
        db: Database,
        sinks: Sequence[tuple[SinkConfig, Sink]],
        *,
        lease: float,
        only: Sequence[int] | None = None,
    ):
        super().__init__(db, sinks)
        self.lease = timedelta(seconds=max(60.0, lease))
        self.only = only
        """The events whose deliveries it makes (None: every due one)."""

    def _due(self) -> list[outbox.Delivery]:
        with self.db.reading() as conn:
            return outbox.due_deliveries(
                conn, list(self.sinks), datetime.now(UTC), limit=DUE_PAGE, event_ids=self.only
            )

    def _claim(self, delivery: outbox.Delivery) -> bool:
        now = datetime.now(UTC)
        with self.db.transaction() as conn:
            return outbox.claim_delivery(conn, delivery.id, now, now + self.lease)


def settle(ctx: AppContext, actor: Actor, *, now: datetime | None = None) -> SendResultView:
    """Bring every notice in delivery up to date with its outbox delivery (``now``: the
    time recorded as ``sent_at``; default the delivery's own time). Every agency's
    notices are settled; the result lists only those ``actor`` sees."""
    sent: list[int] = []
    queued: list[int] = []
    failed: list[SendFailureView] = []
    scope = agency_scope(actor)
    with ctx.database.reading() as conn:
        waiting = store.notices_in_delivery(conn)
        states = outbox.notice_deliveries(conn, [n.id for n in waiting])
    shown = {n.id for n in waiting if scope == store.ALL_AGENCIES or n.agency_id == scope}
    for notice in waiting:
        state = states.get(notice.id)
        if state is None:
            continue
        if state.status == "delivered":
            at = (now or state.delivered_at or datetime.now(UTC)).astimezone(UTC)
            if _mark_sent(ctx, notice, state, at):
                sent.append(notice.id)
        elif state.status == "dead":
            reason = state.last_error or "given up"
            with ctx.database.transaction() as conn:
                store.claim_notice(
                    conn,
                    notice.id,
                    when_delivery=("queued", "retrying"),
                    delivery="failed",
                    delivery_error=reason[:2000],
                    updated_at=datetime.now(UTC),
                )
            failed.append(
                SendFailureView(
                    id=notice.id, reason=f"not sent after {state.attempts} attempt(s): {reason}"
                )
            )
        else:
            if state.attempts:
                with ctx.database.transaction() as conn:
                    store.claim_notice(
                        conn,
                        notice.id,
                        when_delivery=("queued", "retrying"),
                        delivery="retrying",
                        delivery_error=(state.last_error or "")[:2000] or None,
                    )
            queued.append(notice.id)
    _keep_as_evidence(ctx, actor)
    return SendResultView(
        sent=[i for i in sent if i in shown],
        queued=[i for i in queued if i in shown],
        failed=[f for f in failed if f.id in shown],
    )


def _mark_sent(
    ctx: AppContext, notice: store.NoticeRecord, state: outbox.NoticeDelivery, at: datetime
) -> bool:
    by = str(state.payload.get("queued_by") or "unknown")
    with ctx.database.transaction() as conn:
        if not store.claim_notice(
            conn,
            notice.id,
            when_delivery=("queued", "retrying"),
            delivery=None,
            delivery_error=None,
            status=NoticeStatus.sent.value,
            sent_at=at,
            message_id=str(state.payload.get("message_id") or notice.message_id),
            updated_at=at,
        ):
            return False  # settled by another process
        moved = store.set_locations(
            conn, notice.id, from_status=NoticeStatus.drafted.value, status="sent", at=at
        )
        rcpt = state.payload.get("rcpt_to")
        detail = f"to {rcpt} ({state.payload.get('message_id')}), {state.attempts} attempt(s)"
        store.insert_changes(
            conn,
            [
                {
                    "notice_id": notice.id,
                    "location_id": None,
                    "status": NoticeStatus.sent.value,
                    "at": at,
                    "by": by,
                    "via": "send",
                    "detail": detail,
                },
                *(
                    {
                        "notice_id": notice.id,
                        "location_id": location_id,
                        "status": NoticeStatus.sent.value,
                        "at": at,
                        "by": by,
                        "via": "send",
                        "detail": None,
                    }
                    for location_id in moved
                ),
            ],
        )
    return True


def _keep_as_evidence(ctx: AppContext, actor: Actor) -> None:
    """Each sent notice of a case that the actor sees and whose message is not yet in
    its case: the message sent (``.eml``) added to the case by ``actor``. Notices of
    another agency are left to that agency's next send (or the local operator's): only
    a member of the case adds to it. When the case refuses it (closed, no longer
    writable), the notice's history says why, once, and it is not tried again."""
    with ctx.database.reading() as conn:
        waiting = store.sent_without_evidence(conn, agency_scope(actor))
        states = outbox.notice_deliveries(conn, [n.id for n in waiting])
    for notice in waiting:
        state = states.get(notice.id)
        if state is None or state.status != "delivered" or notice.case_id is None:
            continue
        reference = reference_of(notice.id)
        data = base64.b64decode(str(state.payload["eml"]))
        try:
            item = case_items.add_file(
                ctx,
                actor,
                notice.case_id,
                name=f"{reference}.eml",
                content=io.BytesIO(data),
                reason=f"takedown notice {reference} sent to {state.payload.get('rcpt_to')}",
            )
        except LeakTraceError as exc:  # sent all the same: say why the case lacks it
            log.warning(
                "notice %s sent but not added to case %s: %s", reference, notice.case_id, exc
            )
            with ctx.database.transaction() as conn:
                store.insert_changes(
                    conn,
                    [
                        {
                            "notice_id": notice.id,
                            "location_id": None,
                            "status": notice.status,
                            "at": datetime.now(UTC),
                            "by": actor.name,
                            "via": "send",
                            "detail": f"{store.NOT_IN_CASE} {notice.case_id}: {exc.reason}",
                        }
                    ],
                )
            continue
        with ctx.database.transaction() as conn:
            notices_store.update_notice(conn, notice.id, evidence_item_id=item.id)
