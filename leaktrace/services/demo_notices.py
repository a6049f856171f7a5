"""The demo's takedown notices: the fictional industry body notices the sites that carry
the gravest leaks, sends the notices to the demo's own mail drop (nothing leaves the
machine), and the sites' fictional abuse desks answer; the answers are tracked, so the
figures (time to takedown per provider and country, share removed) have something to
show.

Everything goes through the real services: contacts, drafting (DSA Article 16 notices,
checked element by element), sending through the outbox and the notices' mail sink,
tracking replies from a folder. Only the times are played: the notices are drafted (their
text dated that day) a few minutes before they are sent, ``days_ago`` days ago, and the
replies carry dates after that; tracking runs at the real time.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from leaktrace.demo.cast import SITES
from leaktrace.errors import ConfigError, ConflictError
from leaktrace.identity.actor import Actor, user_actor
from leaktrace.identity.roles import Role
from leaktrace.notices.model import NoticeForm
from leaktrace.private_files import make_private_folder, write_private_text
from leaktrace.services.context import AppContext
from leaktrace.services.identity import add_user
from leaktrace.services.notice_contacts import add_contact
from leaktrace.services.notice_reading import get_notice
from leaktrace.services.notice_sending import send_notices
from leaktrace.services.notice_tracking import track_notices
from leaktrace.services.notices import DraftScope, draft_notices
from leaktrace.services.views import View
from leaktrace.store import identity as identity_store

__all__ = ["DEMO_NOTICE_SENDER", "DemoNotices", "create_demo_notices", "demo_notice_settings"]

DEMO_NOTICE_USER = "notices@industry.demo.invalid"
DEMO_NOTICE_AGENCY = "DEMO-INDUSTRY"
DEMO_NOTICE_SENDER = {
    "name": "Demo Anti-Piracy Desk (fictional)",
    "email": "notices@industry.demo.invalid",
    "address": "1 Fictional Avenue, 00000 Nowhere (demo)",
    "phone": "+00 000 000 000 (demo)",
    "signature": "/s/ Demo Anti-Piracy Desk",
    "principal": "Demo Pictures (fictional rights holder)",
}
"""The demo's sender identity: fictional, on the ``.invalid`` domain (RFC 2606), used only
in the demo's own settings and mail drop."""
_SITE_COUNTRIES = ("NL", "SE", "DE", "FR", "IT", "ES", "RO", "PL")
_ANSWERS = (
    (18, "We have removed the content at the locations listed in your notice."),
    (60, "The files you reported have been removed from our servers."),
    (5, "We acknowledge receipt of your notice and are reviewing it."),
    (30, "We have rejected your notice: we could not verify your authority to act."),
)
"""(hours after sending, the abuse desk's words), for the notices in turn."""
_REVIEW = timedelta(minutes=20)
"""How long before sending the demo's notices are drafted."""


class DemoNotices(View):
    drafted: int
    sent: int
    locations: int
    recipients: list[str]
    refused: int
    needs_contact: int
    replies: int
    removed: int
    mail_folder: str
    replies_folder: str


def demo_notice_settings(port: int) -> dict[str, object]:
    """The ``notices`` settings of the demo: its fictional sender and its mail drop on
    ``127.0.0.1:port``."""
    return {"sender": dict(DEMO_NOTICE_SENDER), "smtp": {"host": "127.0.0.1", "port": port}}


def _industry_actor(ctx: AppContext, actor: Actor) -> Actor:
    try:
        add_user(ctx, actor, email=DEMO_NOTICE_USER, agency=DEMO_NOTICE_AGENCY, role="analyst")
    except ConflictError:
        pass
    with ctx.database.reading() as conn:
        user = identity_store.user_by_email(conn, DEMO_NOTICE_USER)
        agency = identity_store.agency_by_code(conn, DEMO_NOTICE_AGENCY)
    assert user is not None and agency is not None
    return user_actor(
        email=DEMO_NOTICE_USER,
        role=Role(user.role),
        user_id=user.id,
        agency_id=agency.id,
        agency_code=DEMO_NOTICE_AGENCY,
        address=None,
        via="token",
    )


def _reply(notice_id: int, message_id: str, subject: str, to: str, text: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = f"abuse@{to.rpartition('@')[2]}"
    msg["To"] = DEMO_NOTICE_SENDER["email"]
    msg["Subject"] = f"Re: {subject}"
    msg["In-Reply-To"] = message_id
    msg["References"] = message_id
    msg["Message-ID"] = make_msgid(f"reply{notice_id}", domain="demo.invalid")
    msg.set_content(text + "\n\n-- \nAbuse desk (fictional, LeakTrace demo)\n")
    return msg


def create_demo_notices(
    ctx: AppContext,
    actor: Actor,
    *,
    leak_ids: Sequence[int],
    mail_folder: Path,
    replies_folder: Path,
    days_ago: float = 6,
) -> DemoNotices:
    """Contacts for the demo's sites, DSA notices for the locations of ``leak_ids``
    drafted and sent by the fictional industry body, its abuse desks' answers written to
    ``replies_folder`` and tracked. The context's settings must point the notices at the
    demo's mail drop (:func:`demo_notice_settings`)."""
    if ctx.settings.notices.smtp is None or ctx.settings.notices.sender is None:
        raise ConfigError("the demo's notices need demo_notice_settings() in the settings")
    for index, site in enumerate(SITES):
        add_contact(
            ctx,
            actor,
            match=site,
            name=f"{site.split('.')[0].title()} abuse desk (fictional)",
            email=f"abuse@{site}",
            country=_SITE_COUNTRIES[index % len(_SITE_COUNTRIES)],
            form="dsa",
        )
    industry = _industry_actor(ctx, actor)
    now = datetime.now(UTC)
    sent_at = now - timedelta(days=days_ago)
    # reviewed for a while before sending, on the same day (the text is dated the day)
    day = sent_at.replace(hour=0, minute=0, second=0, microsecond=0)
    drafted_at = max(sent_at - _REVIEW, day)
    drafted: list[int] = []
    refused = needs_contact = 0
    for leak_id in leak_ids:
        result = draft_notices(
            ctx, industry, DraftScope(leak_id=leak_id), form=NoticeForm.dsa, now=drafted_at
        )
        drafted += [n.id for n in result.notices]
        refused += len(result.refused)
        needs_contact += len(result.needs_contact)
    sendable = [i for i in drafted if not get_notice(ctx, industry, i).needs_contact]
    sent = send_notices(ctx, industry, sendable, now=sent_at).sent if sendable else []
    make_private_folder(replies_folder)
    replies = 0
    for index, notice_id in enumerate(sent):
        view = get_notice(ctx, industry, notice_id)
        if view.message_id is None or view.recipient_email is None:
            continue
        hours, text = _ANSWERS[index % len(_ANSWERS)]
        reply = _reply(notice_id, view.message_id, view.subject, view.recipient_email, text)
        reply["Date"] = format_datetime(sent_at + timedelta(hours=hours))
        write_private_text(replies_folder / f"reply-{notice_id}.eml", reply.as_string())
        replies += 1
    track_notices(ctx, industry, replies_dir=replies_folder, now=now)
    views = [get_notice(ctx, industry, i) for i in drafted]
    return DemoNotices(
        drafted=len(drafted),
        sent=len(sent),
        locations=sum(v.locations for v in views),
        recipients=sorted({v.recipient_name or v.recipient_key for v in views}),
        refused=refused,
        needs_contact=needs_contact,
        replies=replies,
        removed=sum(v.removed for v in views),
        mail_folder=str(mail_folder),
        replies_folder=str(replies_folder),
    )
