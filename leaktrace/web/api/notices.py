"""`/api/v1/notices` and `/api/v1/notice-contacts`: takedown notices (issue 15).

Draft notices from a leak, a work, a host or everything since a date (one notice per
recipient, listing every location of it), read them, set a recipient's contact, send
them, record what became of them (``marks``), export them (Lumen JSON, ``.eml``,
printable HTML) and read the figures of time to takedown.

Reads need ``read:intel``; drafting, marking, recipients and contacts ``write:notices``;
sending, and changing the contacts every agency's notices go to, also ``send:notices``
*and* an industry agency (the service refuses anyone else with 403). A notice of another
agency answers exactly as one that does not exist (404). Every
route only calls the notice services; nothing here decides anything about a notice.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.notices.model import NoticeForm
from leaktrace.services import (
    notice_contacts,
    notice_export,
    notice_marking,
    notice_reading,
    notice_sending,
    notice_stats,
    notices,
)
from leaktrace.services.leaks import parse_when
from leaktrace.services.notice_views import (
    ContactView,
    DraftResultView,
    NoticeStatsView,
    NoticeSummaryView,
    NoticeView,
    SendResultView,
)
from leaktrace.web.deps import Context
from leaktrace.web.downloads import attachment_headers
from leaktrace.web.policy import requires

__all__ = [
    "MAX_NOTICE_ID",
    "ContactRequest",
    "DraftRequest",
    "MarkRequest",
    "RecipientRequest",
    "export_response",
    "router",
]

_READ = requires(Permission.read_intel)
_WRITE = requires(Permission.write_notices)
_SEND = requires(Permission.send_notices)

router = APIRouter(tags=["notices"])

MAX_NOTICE_ID = 2**31 - 1
"""Notice ids are 32-bit integers on PostgreSQL: a larger one cannot exist (422)."""
MAX_URL = 2048
MAX_URLS = 1000
MAX_NOTE = 1000

NoticeId = Annotated[int, Path(ge=1, le=MAX_NOTICE_ID, description="The notice's id.")]
StatusName = Literal["drafted", "sent", "acknowledged", "removed", "rejected", "no-response"]
MarkStatus = Literal["acknowledged", "removed", "rejected", "no-response"]
"""What a mark may record ('sent' is reached only by sending)."""
FormName = Literal["dmca", "dsa"]
ExportFormat = Literal["lumen", "eml", "html"]
Language = Annotated[
    str,
    Field(
        min_length=2,
        max_length=8,
        pattern=r"^[a-z]{2,3}(-[a-z0-9]{2,4})?$",
        description="The template language (en, it, fr shipped; others in templates_dir).",
    ),
]
Url = Annotated[str, Field(min_length=1, max_length=MAX_URL)]
_VISIBLE = r"\S"
"""At least one character that is not white space."""


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftRequest(_Request):
    """What to draft notices for: exactly one of ``leak_id``, ``work_id``, ``host`` and
    ``since``; ``urls`` adds locations given by hand (with ``leak_id`` or ``work_id``)."""

    leak_id: int | None = Field(default=None, ge=1, le=MAX_NOTICE_ID)
    work_id: str | None = Field(default=None, min_length=1, max_length=64)
    host: str | None = Field(default=None, min_length=1, max_length=255)
    since: str | None = Field(
        default=None, min_length=1, max_length=64, description="YYYY-MM-DD or an ISO time."
    )
    urls: list[Url] = Field(default_factory=list, max_length=MAX_URLS)
    form: FormName
    language: Language = "en"
    case_id: int | None = Field(default=None, ge=1, le=MAX_NOTICE_ID)

    def scope(self) -> notices.DraftScope:
        return notices.DraftScope(
            leak_id=self.leak_id,
            work_id=self.work_id,
            host=self.host,
            since=parse_when(self.since, "since"),
            urls=tuple(self.urls),
        )


class MarkRequest(_Request):
    """What became of the notice (every location not yet final) or of one ``location``
    (its URL), at ``at`` (default: now), with a note."""

    status: MarkStatus
    location: Url | None = None
    at: str | None = Field(default=None, min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=MAX_NOTE)


class RecipientRequest(_Request):
    """The recipient's contact (a drafted notice only: it is rendered again)."""

    name: str = Field(min_length=1, max_length=200, pattern=_VISIBLE)
    email: str = Field(min_length=3, max_length=320, pattern=_VISIBLE)
    country: str | None = Field(default=None, min_length=2, max_length=2)


class ContactRequest(_Request):
    """An abuse contact for a domain (and its sub-domains), an IP address, a network
    (CIDR) or an autonomous system (``AS64500``)."""

    match: str = Field(min_length=1, max_length=255, pattern=_VISIBLE)
    name: str = Field(min_length=1, max_length=200, pattern=_VISIBLE)
    email: str = Field(min_length=3, max_length=320, pattern=_VISIBLE)
    country: str | None = Field(default=None, min_length=2, max_length=2)
    form: FormName | None = None


@router.get("/notices", response_model=list[NoticeSummaryView])
def list_notices(
    ctx: Context,
    actor: Actor = _READ,
    status: Annotated[StatusName | None, Query(description="Only notices in this status.")] = None,
    form: Annotated[FormName | None, Query(description="Only notices of this form.")] = None,
) -> list[NoticeSummaryView]:
    """Your agency's notices, newest first."""
    return notice_reading.list_notices(ctx, actor, status=status, form=form)


@router.get("/notices/stats", response_model=NoticeStatsView)
def stats(
    ctx: Context,
    actor: Actor = _READ,
    since: Annotated[
        str | None,
        Query(
            max_length=64,
            description="Only the figures of notices SENT on or after this date (YYYY-MM-DD "
            "or an ISO time; drafted earlier or not does not matter).",
        ),
    ] = None,
) -> NoticeStatsView:
    """Time to takedown (median, p90 in hours) per provider and per country, share of
    locations removed (a location seen again counts as not removed), repeat offenders,
    notices by status."""
    return notice_stats.notice_stats(ctx, actor, since=parse_when(since, "since"))


@router.get("/notices/{notice_id}", response_model=NoticeView)
def get_notice(ctx: Context, notice_id: NoticeId, actor: Actor = _READ) -> NoticeView:
    """One notice: its text as sent (or as it will be), its locations with their
    statuses, its history."""
    return notice_reading.get_notice(ctx, actor, notice_id)


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_MEDIA = {
    "lumen": "application/json",
    "eml": "message/rfc822",
    "html": "text/html; charset=utf-8",
}


def _html_policy(html: str) -> str:
    """Nothing loads, nothing runs: only the notice's own ``<style>`` blocks apply."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode()).digest()).decode() + "'"
        for m in _STYLE.findall(html)
    )
    styles = hashes or "'none'"
    return (
        f"default-src 'none'; style-src {styles}; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def export_response(ctx: Context, actor: Actor, notice_id: int, fmt: str) -> Response:
    """One notice exported as ``fmt``, as a download; the HTML is shown in the browser
    (printable) under a policy that lets nothing load or run."""
    name, content = notice_export.notice_file(ctx, actor, notice_id, format=fmt)
    if fmt == "html":
        return Response(
            content,
            media_type=_MEDIA[fmt],
            headers={
                "Content-Security-Policy": _html_policy(content.decode("utf-8", "replace")),
                "X-Content-Type-Options": "nosniff",
                "Cache-Control": "no-store",
            },
        )
    return Response(content, media_type=_MEDIA[fmt], headers=attachment_headers(name))


@router.get(
    "/notices/{notice_id}/export",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {},
                "message/rfc822": {},
                "text/html": {},
            },
            "description": "The notice as Lumen JSON, an e-mail (.eml) or printable HTML.",
        }
    },
)
def export(
    ctx: Context,
    notice_id: NoticeId,
    actor: Actor = _READ,
    format: Annotated[  # noqa: A002 - the query parameter's name
        ExportFormat, Query(description="lumen (Lumen database JSON), eml or html.")
    ] = "lumen",
) -> Response:
    """The notice as a file: Lumen notice JSON for transparency reporting, the e-mail
    (``.eml``) or printable HTML."""
    return export_response(ctx, actor, notice_id, format)


@router.post("/notices/drafts", response_model=DraftResultView, status_code=201)
def draft(
    ctx: Context, body: Annotated[DraftRequest, Body()], actor: Actor = _WRITE
) -> DraftResultView:
    """Draft notices, one per recipient: the new notices, the locations refused (with the
    reason: an IP address not known as a server, shown withheld; a private address; a URL
    that does not parse), the recipients that need a contact, the locations an open
    notice already lists, and the recipients whose contact takes the other legal form
    (``other_form``: not drafted; draft them with that form)."""
    return notices.draft_notices(
        ctx,
        actor,
        body.scope(),
        form=NoticeForm(body.form),
        language=body.language,
        case_id=body.case_id,
    )


@router.post("/notices/{notice_id}/send", response_model=SendResultView)
def send(ctx: Context, notice_id: NoticeId, actor: Actor = _SEND) -> SendResultView:
    """Send a drafted notice by e-mail (users of an industry agency). The result says
    whether it was sent, queued for a retry, or failed (with the reason)."""
    return notice_sending.send_notices(ctx, actor, [notice_id])


@router.post("/notices/{notice_id}/marks", response_model=NoticeView)
def mark(
    ctx: Context, notice_id: NoticeId, body: Annotated[MarkRequest, Body()], actor: Actor = _WRITE
) -> NoticeView:
    """Record what happened to a sent notice or one of its locations (409 for a move its
    status does not allow, naming the allowed ones)."""
    return notice_marking.mark_notice(
        ctx,
        actor,
        notice_id,
        body.status,
        location=body.location,
        at=parse_when(body.at, "at"),
        note=body.note,
    )


@router.post("/notices/{notice_id}/recipient", response_model=NoticeView)
def recipient(
    ctx: Context,
    notice_id: NoticeId,
    body: Annotated[RecipientRequest, Body()],
    actor: Actor = _WRITE,
) -> NoticeView:
    """Give a drafted notice its recipient's contact (its text is rendered again)."""
    return notices.set_recipient(
        ctx, actor, notice_id, name=body.name, email=body.email, country=body.country
    )


@router.get("/notice-contacts", response_model=list[ContactView])
def contacts(ctx: Context, actor: Actor = _READ) -> list[ContactView]:
    """The abuse contacts notices go to (shared by the installation)."""
    return notice_contacts.list_contacts(ctx, actor)


@router.post("/notice-contacts", response_model=ContactView, status_code=201)
def add_contact(
    ctx: Context, body: Annotated[ContactRequest, Body()], actor: Actor = _WRITE
) -> ContactView:
    """Add (or update) the contact of a domain, address, network or ASN. Contacts are
    shared by the installation: only users who may send notices (an industry agency's)
    change them (403 for anyone else)."""
    return notice_contacts.add_contact(
        ctx,
        actor,
        match=body.match,
        name=body.name,
        email=body.email,
        country=body.country,
        form=body.form,
    )
