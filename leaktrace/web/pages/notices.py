"""Pages of takedown notices: the list with the figures of time to takedown and a draft
form (``/notices``), the outcome of a draft, one notice to review and track
(``/notices/{id}``: its text exactly as it is or was sent, its locations with their
statuses, its history, and the forms for what the user may do), and the abuse contacts
(``/notices/contacts``).

Every form is a POST with the session's CSRF token; each change redirects back to the
notice (303). Only the notice services are called: who may send (an industry agency's
analyst or higher), which moves a status allows, what a complete notice is, all that is
theirs. A notice of another agency is a 404 page, as one that does not exist.

The chart of time to takedown is SVG built here (:func:`takedown_chart`): every label is
XML-escaped, and every bar has its figures written beside it (median, p90, removed of
listed), never colour alone. Every other outside text (URLs, recipients, the notice's
text) is escaped by Jinja2.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from leaktrace.errors import ConfigError, InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.notices.model import LANGUAGES, NoticeForm, NoticeStatus
from leaktrace.services import (
    notice_contacts,
    notice_marking,
    notice_reading,
    notice_sending,
    notice_stats,
    notices,
)
from leaktrace.services.context import AppContext
from leaktrace.services.notice_views import NoticeView, TakedownFigureView
from leaktrace.web.api.notices import MAX_NOTE, MAX_URL, MAX_URLS
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render, trusted_svg

__all__ = ["STATUSES", "router", "takedown_chart"]

router = APIRouter(include_in_schema=False)
_READ = requires(Permission.read_intel)
_WRITE = requires(Permission.write_notices)
_SEND = requires(Permission.send_notices)
_MAX_FIELD = 4096
_MAX_URLS_FIELD = MAX_URLS * (MAX_URL + 2)
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,100}")
"""An uploaded file's name kept as is (else ``contacts.csv``): never a path, never hidden."""

STATUSES = [s.value for s in NoticeStatus]
CHART_ROWS = 15
"""Providers (and countries) drawn in a chart, in the order the figures come."""
FORMS = [f.value for f in NoticeForm]
MARKS = [s for s in STATUSES if s not in ("drafted", "sent")]
"""What a mark may record ('sent' is reached only by sending)."""
SCOPES = {
    "leak": "Leak (its id)",
    "work": "Work (its id)",
    "host": "Host (domain or address)",
    "since": "Everything since (YYYY-MM-DD)",
}
Field = Annotated[str, Form(max_length=_MAX_FIELD)]
"""A form field (the services check each field's own limits and characters)."""


def _required(value: str, field: str, *, limit: int = 255) -> str:
    given = params.text(value, field, limit=limit)
    if given is None:
        raise InputError("required", field=field)
    return given


def _notice_id(value: str) -> int:
    return params.identifier(value, "notice_id")


def _back(notice_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/notices/{notice_id}{anchor}", status_code=303)


# ------------------------------------------------------------------ the chart

_BAR_H = 18.0
_GAP = 10.0
_LABEL_W = 220.0
_WIDTH = 900.0
_TEXT_W = 330.0
_MAX_LABEL = 30


def _esc(text: object) -> str:
    return escape(str(text), quote=True)


def _short(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def hours(value: float | None) -> str:
    """Hours in words: ``36 min``, ``5.5 h``, ``3.2 days``; ``–`` when unknown."""
    if value is None:
        return "–"
    if value < 1:
        return f"{value * 60:.0f} min"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} days"


def figure_text(figure: TakedownFigureView) -> str:
    """One bar's figures in words (what the bar shows, written out)."""
    share = f"{figure.removed_share * 100:.0f}%"
    removed = f"{figure.removed} of {figure.locations} removed ({share})"
    if figure.median_hours is None:
        return f"no removal yet · {removed}"
    return f"median {hours(figure.median_hours)} · p90 {hours(figure.p90_hours)} · {removed}"


def takedown_chart(figures: Sequence[TakedownFigureView], *, title: str) -> str:
    """Time to takedown per provider or country: a bar to the median (hours), a thin
    line on to the p90, and the figures written at the end of each row."""
    height = 30.0 + max(1, len(figures)) * (_BAR_H + _GAP)
    plot_w = _WIDTH - _LABEL_W - _TEXT_W
    most = max((f.p90_hours or f.median_hours or 0.0 for f in figures), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="takedown-chart" role="img" '
        f'aria-label="{_esc(title)}" viewBox="0 0 {_WIDTH:.0f} {height:.0f}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" font-family="system-ui, sans-serif" '
        f'font-size="12">',
        f"<title>{_esc(title)}</title>",
        f'<text x="{_LABEL_W:.0f}" y="14" fill="#64748b">0 h</text>',
        f'<text x="{_LABEL_W + plot_w:.0f}" y="14" text-anchor="end" fill="#64748b">'
        f"{_esc(hours(most))}</text>",
    ]
    if not figures:
        parts.append(
            f'<text x="{_WIDTH / 2:.0f}" y="40" text-anchor="middle" fill="#64748b">'
            "No notice sent yet.</text>"
        )
    for index, figure in enumerate(figures):
        y = 24.0 + index * (_BAR_H + _GAP)
        mid = y + _BAR_H / 2 + 4
        text = figure_text(figure)
        parts.append(f'<g class="figure" data-key="{_esc(figure.key)}">')
        parts.append(f"<title>{_esc(figure.key)}: {_esc(text)}</title>")
        parts.append(
            f'<text x="{_LABEL_W - 8:.0f}" y="{mid:.1f}" text-anchor="end" fill="#0f172a">'
            f"{_esc(_short(figure.key))}</text>"
        )
        if figure.median_hours is not None:
            bar = max(1.0, plot_w * figure.median_hours / most)
            parts.append(
                f'<rect class="median" x="{_LABEL_W:.0f}" y="{y:.1f}" width="{bar:.1f}" '
                f'height="{_BAR_H:.0f}" fill="#1d4ed8"/>'
            )
            if figure.p90_hours is not None and figure.p90_hours > figure.median_hours:
                end = _LABEL_W + plot_w * figure.p90_hours / most
                parts.append(
                    f'<line class="p90" x1="{_LABEL_W + bar:.1f}" y1="{y + _BAR_H / 2:.1f}" '
                    f'x2="{end:.1f}" y2="{y + _BAR_H / 2:.1f}" stroke="#1d4ed8" '
                    f'stroke-width="2" stroke-dasharray="4 3"/>'
                    f'<line x1="{end:.1f}" y1="{y + 3:.1f}" x2="{end:.1f}" '
                    f'y2="{y + _BAR_H - 3:.1f}" stroke="#1d4ed8" stroke-width="2"/>'
                )
        parts.append(
            f'<text class="figures" x="{_LABEL_W + plot_w + 8:.0f}" y="{mid:.1f}" '
            f'fill="#334155">{_esc(text)}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------ pages


@router.get("/notices", response_class=HTMLResponse)
def notices_page(
    request: Request,
    ctx: Context,
    status: str | None = None,
    form: str | None = None,
    since: str | None = None,
    actor: Actor = _READ,
) -> HTMLResponse:
    """The agency's notices (filtered by status and form), the figures of time to
    takedown (of the notices sent since ``since``, when given) with their chart, and the
    form to draft notices."""
    chosen = params.choice(status, "status", STATUSES)
    chosen_form = params.choice(form, "form", FORMS)
    sent_since = params.moment(since, "since")
    listed = notice_reading.list_notices(ctx, actor, status=chosen, form=chosen_form)
    figures = notice_stats.notice_stats(ctx, actor, since=sent_since)
    return render(
        request,
        "notices/list.html",
        actor=actor,
        title="Takedown notices",
        notices=listed,
        stats=figures,
        hours=hours,
        provider_chart=trusted_svg(
            takedown_chart(figures.by_provider[:CHART_ROWS], title="Time to takedown per provider")
        ),
        country_chart=trusted_svg(
            takedown_chart(figures.by_country[:CHART_ROWS], title="Time to takedown per country")
        ),
        chart_rows=CHART_ROWS,
        chosen_status=chosen or "",
        chosen_form=chosen_form or "",
        chosen_since=sent_since.date().isoformat() if sent_since else "",
        statuses=[("", "any"), *((s, s) for s in STATUSES)],
        forms=[("", "any"), *((f, f.upper()) for f in FORMS)],
        draft_forms=[(f, f.upper()) for f in FORMS],
        languages=[(code, code) for code in LANGUAGES],
        scopes=list(SCOPES.items()),
        can_write=actor.can(Permission.write_notices),
    )


def _draft_scope(scope: str, value: str, since: str, urls: str) -> notices.DraftScope:
    chosen = params.required_choice(scope, "scope", SCOPES)
    given = params.text(value, "value", limit=255)
    locations = tuple(line.strip() for line in urls.splitlines() if line.strip())
    if len(locations) > MAX_URLS:
        raise InputError(f"at most {MAX_URLS} URLs", field="urls")
    for url in locations:
        params.text(url, "urls", limit=MAX_URL)
    if chosen == "since":
        moment = params.moment(since or value, "since")
        if moment is None:
            raise InputError("give a date", field="since")
        return notices.DraftScope(since=moment, urls=locations)
    if given is None:
        raise InputError(f"give the {chosen}", field="value")
    if chosen == "leak":
        leak = params.integer(given, "value", low=1, high=2**31 - 1)
        return notices.DraftScope(leak_id=leak, urls=locations)
    if chosen == "work":
        return notices.DraftScope(work_id=given, urls=locations)
    return notices.DraftScope(host=given, urls=locations)


@router.post("/notices/drafts", response_class=HTMLResponse)
def draft(
    request: Request,
    ctx: Context,
    scope: Field = "",
    value: Field = "",
    since: Field = "",
    urls: Annotated[str, Form(max_length=_MAX_URLS_FIELD)] = "",
    form: Field = "",
    language: Field = "",
    case_id: Field = "",
    actor: Actor = _WRITE,
) -> HTMLResponse:
    """Draft notices; the outcome page lists the new notices, and every location refused,
    every recipient without a contact and every location already in an open notice."""
    chosen_form = params.required_choice(form, "form", FORMS)
    chosen_language = params.text(language, "language", limit=8) or "en"
    case = params.integer(case_id, "case_id", low=1, high=2**31 - 1)
    result = notices.draft_notices(
        ctx,
        actor,
        _draft_scope(scope, value, since, urls),
        form=NoticeForm(chosen_form),
        language=chosen_language,
        case_id=case,
    )
    return render(
        request,
        "notices/drafted.html",
        actor=actor,
        status=201,
        title="Notices drafted",
        result=result,
    )


@router.get("/notices/contacts", response_class=HTMLResponse)
def contacts_page(request: Request, ctx: Context, actor: Actor = _READ) -> HTMLResponse:
    """The abuse contacts notices go to, and the forms to add one or import a file."""
    return _contacts(request, ctx, actor)


def _contacts(request: Request, ctx: AppContext, actor: Actor, **extra: Any) -> HTMLResponse:
    return render(
        request,
        "notices/contacts.html",
        actor=actor,
        title="Notice contacts",
        contacts=notice_contacts.list_contacts(ctx, actor),
        forms=[("", "either"), *((f, f.upper()) for f in FORMS)],
        can_write=notice_contacts.may_write_contacts(ctx, actor),
        **extra,
    )


@router.post("/notices/contacts", response_class=HTMLResponse)
def add_contact(
    ctx: Context,
    match: Field = "",
    name: Field = "",
    email: Field = "",
    country: Field = "",
    form: Field = "",
    actor: Actor = _WRITE,
) -> Response:
    """Add (or update) one contact; back to the contacts."""
    notice_contacts.add_contact(
        ctx,
        actor,
        match=_required(match, "match"),
        name=_required(name, "name", limit=200),
        email=_required(email, "email", limit=320),
        country=params.text(country, "country", limit=2),
        form=params.choice(form, "form", FORMS),
    )
    return RedirectResponse("/notices/contacts", status_code=303)


@router.post("/notices/contacts/import", response_class=HTMLResponse)
def import_contacts(
    request: Request,
    ctx: Context,
    file: Annotated[UploadFile | None, File()] = None,
    actor: Actor = _WRITE,
) -> HTMLResponse:
    """Import a contacts file (``host_or_domain,name,email,country[,form]``); every
    problem is named with its line and field, and nothing is imported then."""
    if file is None or not file.filename:
        raise InputError("choose a CSV file to import", field="file")
    content = file.file.read(notice_contacts.MAX_CONTACTS_FILE + 1)
    given = file.filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = given if _SAFE_NAME.fullmatch(given) else "contacts.csv"
    imported = notice_contacts.import_contacts_data(ctx, actor, content, name=name)
    return _contacts(request, ctx, actor, imported=imported)


def _location_moves(notice: NoticeView) -> dict[int, list[str]]:
    """The statuses each location may be marked with."""
    return {loc.id: notice_reading.marks_allowed(loc.status) for loc in notice.location_list}


def _notice_page(
    request: Request,
    ctx: Context,
    actor: Actor,
    notice: NoticeView,
    *,
    status: int = 200,
    message: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "notices/notice.html",
        actor=actor,
        status=status,
        title=f"Notice {notice.reference}",
        notice=notice,
        may_send=notice_sending.may_send(ctx, actor),
        can_write=actor.can(Permission.write_notices),
        marks=notice.next_statuses,
        location_moves=_location_moves(notice),
        message=message,
    )


@router.get("/notices/{notice_id}", response_class=HTMLResponse)
def notice_page(
    request: Request, ctx: Context, notice_id: str, actor: Actor = _READ
) -> HTMLResponse:
    """One notice: its text as sent (or as it will be), its locations and history, and
    the forms for what the user may do (404 for another agency's notice)."""
    notice = notice_reading.get_notice(ctx, actor, _notice_id(notice_id))
    return _notice_page(request, ctx, actor, notice)


@router.post("/notices/{notice_id}/send", response_class=HTMLResponse)
def send(request: Request, ctx: Context, notice_id: str, actor: Actor = _SEND) -> Response:
    """Send the notice; back to it when sent, else its page naming why not (409; 503
    when the installation has no sender identity or mail server)."""
    number = _notice_id(notice_id)
    try:
        result = notice_sending.send_notices(ctx, actor, [number])
    except ConfigError as exc:
        # the installation has no sender or mail server: say which setting, on the notice
        notice = notice_reading.get_notice(ctx, actor, number)
        return _notice_page(request, ctx, actor, notice, status=503, message=f"Not sent: {exc}")
    if number in result.sent:
        return _back(number, "#history")
    notice = notice_reading.get_notice(ctx, actor, number)
    reasons = [failure.reason for failure in result.failed if failure.id == number]
    if number in result.queued:
        message = "Not sent yet: the mail server did not take it; it is tried again later."
    else:
        message = "Not sent: " + ("; ".join(reasons) or "the service refused it")
    return _notice_page(request, ctx, actor, notice, status=409, message=message)


@router.post("/notices/{notice_id}/marks", response_class=HTMLResponse)
def mark(
    ctx: Context,
    notice_id: str,
    status: Field = "",
    location: Annotated[str, Form(max_length=MAX_URL)] = "",
    at: Field = "",
    note: Annotated[str, Form(max_length=MAX_NOTE)] = "",
    actor: Actor = _WRITE,
) -> Response:
    """Record what became of the notice, or of one location; back to the notice."""
    number = _notice_id(notice_id)
    chosen = params.required_choice(status, "status", MARKS)
    notice_marking.mark_notice(
        ctx,
        actor,
        number,
        chosen,
        location=location.strip() or None,
        at=params.moment(at, "at"),
        note=params.text(note, "note", limit=MAX_NOTE),
    )
    return _back(number, "#locations")


@router.post("/notices/{notice_id}/recipient", response_class=HTMLResponse)
def recipient(
    ctx: Context,
    notice_id: str,
    name: Field = "",
    email: Field = "",
    country: Field = "",
    actor: Actor = _WRITE,
) -> Response:
    """Give a drafted notice its recipient's contact (the text is rendered again)."""
    number = _notice_id(notice_id)
    notices.set_recipient(
        ctx,
        actor,
        number,
        name=_required(name, "name", limit=200),
        email=_required(email, "email", limit=320),
        country=params.text(country, "country", limit=2),
    )
    return _back(number)
