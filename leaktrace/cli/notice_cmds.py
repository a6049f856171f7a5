"""``leaktrace notices``: takedown notices from leaks: the recipients' contacts
(``contacts import | list | add``), drafting (``draft``), review (``list``, ``show``),
the recipient of a draft (``recipient``), what became of a sent notice (``mark``) and
files (``export``). Sending, tracking, re-noticing and the figures are in
:mod:`leaktrace.cli.notice_delivery_cmds` (``send``, ``track``, ``renotice``, ``stats``).

The command line acts as the deployment's local operator: it sees every notice.
Refused locations, recipients needing a contact, skipped locations and recipients whose
contact takes the other legal form are always printed (on standard error with the table
format, in the JSON otherwise).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.text import Text

from leaktrace.cli import notice_delivery_cmds
from leaktrace.cli.context import DbOption, err, open_context, out, parse_when, require_file
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.identity.actor import local_operator
from leaktrace.services import notice_contacts, notice_export, notice_marking, notice_reading
from leaktrace.services import notices as drafting
from leaktrace.services.notice_views import (
    DraftResultView,
    NoticeLocationView,
    NoticeSummaryView,
    NoticeView,
)
from leaktrace.services.notices import DraftScope

__all__ = ["app"]

app = typer.Typer(
    help="Takedown notices (DMCA or DSA) from leaks: contacts, draft, list, show, recipient, "
    "send, mark, track, renotice, stats, export.",
    no_args_is_help=True,
)
contacts_app = typer.Typer(
    help="The recipients' abuse contacts (by domain, IP address, network or ASN).",
    no_args_is_help=True,
)
app.add_typer(contacts_app, name="contacts")


class ResultFormat(StrEnum):
    table = "table"
    json = "json"


class FormChoice(StrEnum):
    dmca = "dmca"
    dsa = "dsa"


class ExportFormat(StrEnum):
    lumen = "lumen"
    eml = "eml"
    html = "html"


ResultFormatOption = Annotated[
    ResultFormat,
    typer.Option("--format", "-f", help="Output format: table or json.", case_sensitive=False),
]
NoticeArg = Annotated[
    int, typer.Argument(min=1, help="The notice's id.", show_default=False, metavar="ID")
]

_SUMMARY_COLUMNS = [
    ("id", "Id"),
    ("reference", "Reference"),
    ("form", "Form"),
    ("language", "Lang"),
    ("status", "Status"),
    ("recipient", "Recipient"),
    ("locations", "Locations"),
    ("removed", "Removed"),
    ("works", "Works"),
    ("created_at", "Drafted"),
    ("sent_at", "Sent"),
]


def _summary_row(view: NoticeSummaryView) -> dict[str, Any]:
    row = view.to_json()
    who = view.recipient_name or view.recipient_key
    row["recipient"] = (
        f"{who} <{view.recipient_email}>" if view.recipient_email else f"{who} (needs a contact)"
    )
    row["works"] = "; ".join(view.works)
    return row


# --- contacts --------------------------------------------------------------------------------


@contacts_app.command("import")
def contacts_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with columns host_or_domain,name,email,country (optional: form).",
            metavar="FILE.csv",
            show_default=False,
        ),
    ],
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Add and update contacts from a CSV file (all or nothing)."""
    require_file(file)
    with open_context(db) as ctx:
        view = notice_contacts.import_contacts(ctx, local_operator(), file)
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    out.print(
        Text(
            f"{view.file}: {view.added} added, {view.updated} updated, {view.unchanged} "
            f"unchanged; {view.total} contacts known"
        )
    )


@contacts_app.command("list")
def contacts_list(db: DbOption = None, fmt: ResultFormatOption = ResultFormat.table) -> None:
    """Every contact, by what it answers for."""
    with open_context(db) as ctx:
        views = notice_contacts.list_contacts(ctx, local_operator())
    emit_rows(
        out,
        [v.to_json() for v in views],
        Format(fmt.value),
        columns=[
            ("match", "Answers for"),
            ("match_kind", "Kind"),
            ("name", "Name"),
            ("email", "E-mail"),
            ("country", "Country"),
            ("form", "Form"),
            ("origin", "Origin"),
        ],
    )


@contacts_app.command("add")
def contacts_add(
    match: Annotated[
        str,
        typer.Argument(
            help="A domain (with its sub-domains), an IP address, a network (CIDR) or an "
            "ASN (AS64500).",
            metavar="HOST_OR_DOMAIN",
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="The recipient's name.")],
    email: Annotated[str, typer.Option("--email", help="Where its notices go.")],
    country: Annotated[
        str | None, typer.Option("--country", help="ISO alpha-2 code.", show_default=False)
    ] = None,
    form: Annotated[
        FormChoice | None,
        typer.Option("--form", help="The legal form it takes.", show_default=False),
    ] = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Add (or replace) a contact by hand."""
    with open_context(db) as ctx:
        view = notice_contacts.add_contact(
            ctx,
            local_operator(),
            match=match,
            name=name,
            email=email,
            country=country,
            form=form.value if form else None,
        )
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    out.print(Text(f"contact for {view.match} ({view.match_kind}): {view.name} <{view.email}>"))


# --- drafting --------------------------------------------------------------------------------


def _locations(count: int) -> str:
    return f"{count} location" + ("" if count == 1 else "s")


def _print_draft(view: DraftResultView) -> None:
    if view.notices:
        emit_rows(
            out,
            [_summary_row(n) for n in view.notices],
            Format.table,
            columns=_SUMMARY_COLUMNS[:9],
            title="Drafted notices",
            optional=("works", "language"),
        )
    else:
        err.print("no notice drafted")
    for refused in view.refused:
        err.print(Text(f"refused {refused.url}: {refused.reason}: {refused.detail}"))
    for needs in view.needs_contact:
        err.print(
            Text(
                f"needs a contact: {needs.recipient_key} (notice {needs.notice_id}, "
                f"{_locations(needs.locations)}): 'leaktrace notices recipient {needs.notice_id} "
                "--name ... --email ...' or 'leaktrace notices contacts add'"
            )
        )
    for skipped in view.skipped:
        err.print(Text(f"skipped {skipped.url}: already in open notice {skipped.notice_id}"))
    for other in view.other_form:
        err.print(
            Text(
                f"not drafted for {other.recipient_key} ({other.recipient_name}): its contact "
                f"takes {other.form.upper()} notices ({_locations(len(other.urls))}): draft "
                f"them with --form {other.form}"
            )
        )
    err.print(
        Text(
            f"{len(view.notices)} drafted, {len(view.refused)} refused, "
            f"{len(view.needs_contact)} need a contact, {len(view.skipped)} skipped, "
            f"{len(view.other_form)} for another form"
        )
    )


@app.command("draft")
def draft(
    form: Annotated[FormChoice, typer.Option("--form", help="The legal form: dmca or dsa.")],
    leak: Annotated[
        int | None,
        typer.Option("--leak", min=1, help="One leak (alert) id.", show_default=False),
    ] = None,
    work: Annotated[
        str | None, typer.Option("--work", help="Every leak of a work.", show_default=False)
    ] = None,
    host: Annotated[
        str | None,
        typer.Option(
            "--host", help="Every location on a host and its sub-domains.", show_default=False
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Every location seen since a date (YYYY-MM-DD) or an ISO time.",
            show_default=False,
        ),
    ] = None,
    language: Annotated[
        str, typer.Option("--language", help="The template's language: en, it, fr ...")
    ] = "en",
    case: Annotated[
        int | None,
        typer.Option("--case", min=1, help="The case the notices belong to.", show_default=False),
    ] = None,
    urls: Annotated[
        list[str] | None,
        typer.Option(
            "--url",
            help="A location given by hand (repeatable; needs --leak or --work).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Draft one notice per recipient for a leak, a work, a host, or what was seen since.

    Every location of the scope (and --url ones given by hand) is listed in the notice of
    its recipient, or refused with its reason; recipients needing a contact, locations
    already in an open notice and recipients taking the other form are printed."""
    scope = DraftScope(
        leak_id=leak,
        work_id=work,
        host=host,
        since=parse_when(since, "since"),
        urls=tuple(urls or ()),
    )
    with open_context(db) as ctx:
        view = drafting.draft_notices(
            ctx, local_operator(), scope, form=form.value, language=language, case_id=case
        )
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    _print_draft(view)


# --- review ----------------------------------------------------------------------------------


@app.command("list")
def list_(
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="drafted, sent, acknowledged, removed, rejected or no-response.",
            show_default=False,
        ),
    ] = None,
    form: Annotated[
        FormChoice | None, typer.Option("--form", help="dmca or dsa.", show_default=False)
    ] = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Every notice, newest first."""
    with open_context(db) as ctx:
        views = notice_reading.list_notices(
            ctx, local_operator(), status=status, form=form.value if form else None
        )
    if fmt is ResultFormat.json:
        emit_json(out, [v.to_json() for v in views])
        return
    emit_rows(
        out,
        [_summary_row(v) for v in views],
        Format.table,
        columns=_SUMMARY_COLUMNS,
        whole=("recipient",),
        optional=("sent_at", "works", "created_at", "language"),
    )


def _location_row(location: NoticeLocationView) -> dict[str, Any]:
    """A location's row; one seen again after its notice was sent says so in its status
    (it counts as not removed, whatever its status)."""
    row = location.to_json()
    if location.seen_again_at:
        row["status"] = f"{location.status}, seen again {location.seen_again_at}"
    return row


def _print_notice(view: NoticeView) -> None:
    who = view.recipient_name or view.recipient_key
    to = f"{who} <{view.recipient_email}>" if view.recipient_email else f"{who} (needs a contact)"
    lines = [
        f"[bold]Notice {view.id} {view.reference}[/] ({view.form}, {view.language}): "
        f"{escape(view.status)}",
        f"To: {escape(to)}",
        f"Drafted: {view.created_at}" + (f"  Sent: {view.sent_at}" if view.sent_at else ""),
    ]
    if view.case_id is not None:
        lines.append(f"Case: {view.case_id}")
    if view.delivery:
        lines.append(f"Delivery: {escape(view.delivery)} {escape(view.delivery_error or '')}")
    if view.next_statuses:
        lines.append(f"May be marked: {', '.join(view.next_statuses)}")
    for line in lines:
        out.print(line)
    out.print()
    out.print(Text(f"Subject: {view.subject}"))
    out.print()
    out.print(Text(view.body))
    emit_rows(
        out,
        [_location_row(loc) for loc in view.location_list],
        Format.table,
        columns=[
            ("url", "Location"),
            ("status", "Status"),
            ("status_at", "Since"),
            ("work", "Work"),
            ("release", "Release"),
        ],
        title="Locations",
        whole=("url",),
        optional=("release", "work"),
    )
    emit_rows(
        out,
        [c.to_json() for c in view.changes],
        Format.table,
        columns=[
            ("at", "At"),
            ("status", "Status"),
            ("location", "Location"),
            ("via", "Via"),
            ("by", "By"),
            ("detail", "Detail"),
        ],
        title="History",
    )


@app.command("show")
def show(
    notice: NoticeArg, db: DbOption = None, fmt: ResultFormatOption = ResultFormat.table
) -> None:
    """One notice: its text as it will be sent, its locations and history."""
    with open_context(db) as ctx:
        view = notice_reading.get_notice(ctx, local_operator(), notice)
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    _print_notice(view)


@app.command("recipient")
def recipient(
    notice: NoticeArg,
    name: Annotated[str, typer.Option("--name", help="The recipient's name.")],
    email: Annotated[str, typer.Option("--email", help="Where the notice goes.")],
    country: Annotated[
        str | None, typer.Option("--country", help="ISO alpha-2 code.", show_default=False)
    ] = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Give a drafted notice its recipient (the text is rendered again)."""
    with open_context(db) as ctx:
        view = drafting.set_recipient(
            ctx, local_operator(), notice, name=name, email=email, country=country
        )
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    err.print(Text(f"notice {view.id} goes to {view.recipient_name} <{view.recipient_email}>"))


@app.command("mark")
def mark(
    notice: NoticeArg,
    status: Annotated[
        str,
        typer.Argument(help="acknowledged, removed, rejected or no-response.", metavar="STATUS"),
    ],
    location: Annotated[
        str | None,
        typer.Option(
            "--location", help="One location's URL (default: every open one).", show_default=False
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="When (YYYY-MM-DD or an ISO time; default now).", show_default=False
        ),
    ] = None,
    note: Annotated[
        str | None, typer.Option("--note", help="What happened.", show_default=False)
    ] = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Record what became of a sent notice, or of one of its locations."""
    when = parse_when(at, "at")
    with open_context(db) as ctx:
        view = notice_marking.mark_notice(
            ctx, local_operator(), notice, status, location=location, at=when, note=note
        )
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    err.print(
        Text(
            f"notice {view.id} is {view.status}: {view.removed} of "
            f"{_locations(view.locations)} removed"
        )
    )


# --- files -----------------------------------------------------------------------------------


@app.command("export")
def export(
    out_dir: Annotated[
        Path,
        typer.Option("--out", help="The folder to write to (made if missing).", show_default=False),
    ],
    notices: Annotated[
        list[int] | None,
        typer.Argument(help="Notice ids (or --all).", metavar="ID...", show_default=False),
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Every notice.")] = False,
    export_format: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="lumen (JSON), eml or html.", case_sensitive=False),
    ] = ExportFormat.lumen,
    json_output: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Write notices as Lumen JSON, .eml messages or printable HTML (files 0600)."""
    from leaktrace.errors import InputError

    if every == bool(notices):
        raise InputError("give notice ids or --all (not both)", field="ids")
    with open_context(db) as ctx:
        view = notice_export.export_notices(
            ctx,
            local_operator(),
            None if every else list(notices or []),
            format=export_format.value,
            out=out_dir,
        )
    if json_output:
        emit_json(out, view.to_json())
        return
    for path in view.files:
        out.file.write(f"{path}\n")
    for skip in view.skipped:
        err.print(Text(f"skipped {skip.reference}: {skip.reason}"))
    err.print(Text(f"wrote {len(view.files)} {view.format} files to {out_dir}"))


notice_delivery_cmds.register(app)
