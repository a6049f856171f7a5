"""``leaktrace case``: open a case, add findings, files and notes to it as evidence, show
it with its timeline and signed tree head, list cases, export its bundle; members,
subjects, tasks and status.

The command line is the deployment's local operator (:func:`local_operator`): it sees
every case. Each finding, file or note given to ``case add`` is its own evidence item
(its own entry in the case's log), added in the order of the options; all of them or
none (:func:`case_items.add_items`): a missing file, an unknown reference or a file over
the limit adds nothing.
"""

from __future__ import annotations

from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from leaktrace.cli.context import DbOption, FormatOption, err, open_context, out, require_file
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.errors import ConflictError, InputError
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_items, cases
from leaktrace.services.case_items import AddRequest
from leaktrace.services.case_views import (
    CASE_STATUSES,
    MEMBER_ROLES,
    SUBJECT_KINDS,
    CaseDetail,
    CaseItemView,
    FindingKind,
)

__all__ = ["app"]

app = typer.Typer(help="Cases: evidence with a chain of custody and a signed, append-only log.")
member_app = typer.Typer(help="Member agencies of a case.")
task_app = typer.Typer(help="Tasks of a case.")
subject_app = typer.Typer(help="Subjects of a case (groups, accounts, hosts, works).")
app.add_typer(member_app, name="member")
app.add_typer(task_app, name="task")
app.add_typer(subject_app, name="subject")

CaseArg = Annotated[int, typer.Argument(min=1, help="The case id.", show_default=False)]
ItemReasonOption = Annotated[
    str,
    typer.Option(
        "--reason",
        help="Why these findings and files are evidence (kept with each item in the case's "
        "log). Notes take no reason: a note is its own explanation.",
    ),
]
StatusReasonOption = Annotated[
    str,
    typer.Option(
        "--reason", help="Why the status changes (kept with the change in the case's log)."
    ),
]
ALL_WORKS = "all"
"""``--impact all``: the impact estimate over every work."""


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    """``value`` lower-cased when it is one of ``allowed``, else a usage error naming them."""
    lowered = value.strip().lower()
    if lowered not in allowed:
        raise typer.BadParameter(f"must be one of {', '.join(allowed)}", param_hint=option)
    return lowered


def _retention(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError("expected a date YYYY-MM-DD", field="--retention") from None


@app.command("open")
def open_(
    title: Annotated[str, typer.Argument(help="The case's title.")],
    agency: Annotated[str, typer.Option("--agency", help="The owning (lead) agency's code.")],
    legal_basis: Annotated[
        str, typer.Option("--legal-basis", help="Legal basis (free text).")
    ] = "",
    reference: Annotated[
        str, typer.Option("--reference", help="File or court reference (free text).")
    ] = "",
    retention: Annotated[
        str | None,
        typer.Option("--retention", help="Keep until this date (YYYY-MM-DD).", show_default=False),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Open a case owned by an agency and print its id."""
    until = _retention(retention)
    with open_context(db) as ctx:
        ref = cases.open_case(
            ctx,
            local_operator(),
            title,
            agency=agency,
            legal_basis=legal_basis,
            reference=reference,
            retention_until=until,
        )
    if fmt is Format.json:
        emit_json(out, ref.to_json())
        return
    out.file.write(f"{ref.id}\n")
    err.print(f"opened case {ref.id}")


def _findings(
    leak: list[int],
    release: list[str],
    group: list[str],
    host: list[str],
    supply_rank: bool,
    targets: list[str],
    impact: list[str],
) -> list[tuple[FindingKind, str]]:
    """The findings asked for, as (kind, reference), in the order of the options."""
    found: list[tuple[FindingKind, str]] = [("leak", str(number)) for number in leak]
    found += [("release", name) for name in release]
    found += [("group", name) for name in group]
    found += [("host", name) for name in host]
    if supply_rank:
        found.append(("supply-rank", ""))
    found += [("targets", code.strip().upper()) for code in targets]
    found += [("impact", "" if work.strip().lower() == ALL_WORKS else work) for work in impact]
    return found


@app.command("add")
def add(
    case: CaseArg,
    leak: Annotated[
        list[int] | None, typer.Option("--leak", min=1, help="A leak alert's id.")
    ] = None,
    release: Annotated[list[str] | None, typer.Option("--release", help="A release name.")] = None,
    group: Annotated[
        list[str] | None, typer.Option("--group", help="A release group (its dossier).")
    ] = None,
    host: Annotated[
        list[str] | None, typer.Option("--host", help="A host name or address.")
    ] = None,
    supply_rank: Annotated[
        bool, typer.Option("--supply-rank", help="The supply ranking with its explanations.")
    ] = False,
    targets: Annotated[
        list[str] | None, typer.Option("--targets", help="A country's target sheet (XX).")
    ] = None,
    impact: Annotated[
        list[str] | None,
        typer.Option("--impact", help=f"An impact estimate: a work id, or '{ALL_WORKS}'."),
    ] = None,
    file: Annotated[
        list[Path] | None,
        typer.Option("--file", help="A file (stored by SHA-256, never opened or unpacked)."),
    ] = None,
    note: Annotated[
        list[str] | None, typer.Option("--note", help="A note (takes no --reason).")
    ] = None,
    stix: Annotated[
        list[str] | None,
        typer.Option(
            "--stix",
            help="A shared STIX object's id (with --collection): frozen with its provenance "
            "and markings; H1/H2 objects are marked in every export.",
        ),
    ] = None,
    collection: Annotated[
        str | None,
        typer.Option("--collection", help="The collection (title, alias or id) of --stix."),
    ] = None,
    reason: ItemReasonOption = "",
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add findings (frozen as snapshots), files and notes to a case.

    Each option may be given several times; each value becomes its own item."""
    findings = _findings(
        leak or [], release or [], group or [], host or [], supply_rank, targets or [],
        impact or [],
    )  # fmt: skip
    if stix and not (collection or "").strip():
        raise typer.BadParameter("--stix needs --collection NAME", param_hint="--collection")
    if collection is not None and not stix:
        raise typer.BadParameter("--collection goes with --stix", param_hint="--collection")
    findings += [
        ("stix", f"{stix_id.strip()} {(collection or '').strip()}") for stix_id in stix or []
    ]
    files = list(file or [])
    notes = list(note or [])
    if not findings and not files and not notes:
        raise typer.BadParameter(
            "give at least one of --leak, --release, --group, --host, --supply-rank, "
            "--targets, --impact, --stix, --file, --note",
            param_hint="case add",
        )
    for path in files:
        require_file(path)
    with ExitStack() as opened, open_context(db) as ctx:
        requests = [AddRequest(kind=kind, reference=reference) for kind, reference in findings]
        requests += [
            AddRequest(kind="file", name=path.name, content=opened.enter_context(path.open("rb")))
            for path in files
        ]
        requests += [AddRequest(kind="note", text=text) for text in notes]
        result = case_items.add_items(ctx, local_operator(), case, requests, reason=reason)
    added = [_added(item, fmt) for item in result.items]
    for view in result.notes:
        added.append({"kind": "note", **view.to_json()})
        if fmt is not Format.json:
            err.print(f"added note {view.id} (log entry {view.entry_seq})")
    if fmt is Format.json:
        emit_json(out, added)


def _added(item: CaseItemView, fmt: Format) -> dict[str, Any]:
    if fmt is not Format.json:
        err.print(
            Text(
                f"added item {item.id}: {item.kind} {item.label} "
                f"sha256 {item.sha256} (log entry {item.entry_seq})"
            )
        )
    return item.to_json()


@app.command("show")
def show(case: CaseArg, db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Show a case, its evidence, the timeline of its log and its signed tree head.

    Members, subjects, tasks, notes, evidence with the full SHA-256, every entry with its
    leaf hash."""
    with open_context(db) as ctx:
        detail = cases.show_case(ctx, local_operator(), case)
    if fmt is Format.json:
        emit_json(out, detail.to_json())
        return
    out.print(_detail(detail))


def _table(title: str, headers: list[str], rows: list[list[object]]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold cyan", expand=False)
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(Text("" if cell is None else str(cell)) for cell in row))
    if not rows:
        table.add_row(*(Text("–" if i == 0 else "") for i in range(len(headers))))
    return table


def _detail(detail: CaseDetail) -> Group:
    header = Text()
    header.append(f"Case {detail.id}: ", style="bold")
    header.append(detail.title, style="bold")
    facts = [
        ("status", detail.status),
        ("lead agency", detail.owner_agency),
        ("legal basis", detail.legal_basis),
        ("reference", detail.reference),
        ("retention until", str(detail.retention_until or "")),
        ("opened", f"{detail.created_at:%Y-%m-%d %H:%M} by {detail.created_by}"),
        ("updated", f"{detail.updated_at:%Y-%m-%d %H:%M}"),
    ]
    for name, value in facts:
        header.append(f"\n{name:>16}: ", style="dim")
        header.append(value)
    head = detail.tree_head
    signed = Text()
    signed.append("Signed tree head\n", style="bold")
    signed.append(f"log       {head.log_id}\nsize      {head.tree_size}\n")
    signed.append(f"root      {head.root_hash}\ntime      {head.timestamp}\n")
    signed.append(f"key       {head.key_fingerprint}\nsignature {head.signature}\n")
    signed.append(f"RFC 3161  {'time-stamped' if head.rfc3161 else 'no'}\n")
    signed.append("Checkpoint\n", style="bold")
    signed.append(head.checkpoint.rstrip("\n"))
    return Group(
        header,
        _table(
            "Members",
            ["Agency", "Name", "Role", "Added"],
            [[m.agency, m.agency_name, m.role, f"{m.added_at:%Y-%m-%d}"] for m in detail.members],
        ),
        _table(
            "Subjects",
            ["Kind", "Value", "Added"],
            [[s.kind, s.value, f"{s.added_at:%Y-%m-%d}"] for s in detail.subjects],
        ),
        _table(
            "Tasks",
            ["Id", "Task", "Assignee", "Status"],
            [[t.id, t.title, t.assignee, t.status] for t in detail.tasks],
        ),
        _table(
            "Notes",
            ["Entry", "When", "Author", "Note"],
            [[n.entry_seq, f"{n.added_at:%Y-%m-%d %H:%M}", n.author, n.text] for n in detail.notes],
        ),
        _table(
            "Evidence",
            ["Id", "Kind", "What", "SHA-256", "Bytes", "Added by", "Why"],
            [
                [
                    i.id,
                    f"{i.kind} (personal data)" if i.personal else i.kind,
                    i.label,
                    i.sha256,
                    i.size,
                    f"{i.added_by} ({i.agency or '-'})",
                    i.reason,
                ]
                for i in detail.evidence
            ],  # fmt: skip
        ),
        _table(
            "Timeline",
            ["#", "When", "Event", "Who", "What", "Leaf hash"],
            [
                [e.seq, f"{e.at:%Y-%m-%d %H:%M:%S}", e.event, e.actor, e.summary, e.leaf_hash]
                for e in detail.timeline
            ],
        ),
        signed,
    )


@app.command("list")
def list_(
    status: Annotated[
        str | None,
        typer.Option("--status", help=f"Only cases {' / '.join(CASE_STATUSES)}."),
    ] = None,
    retention_due: Annotated[
        bool,
        typer.Option("--retention-due", help="Only cases past their retention date (to review)."),
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Every case, newest first."""
    wanted = None if status is None else _choice(status, CASE_STATUSES, "--status")
    with open_context(db) as ctx:
        views = cases.list_cases(ctx, local_operator(), status=wanted, retention_due=retention_due)
    emit_rows(
        out,
        [view.to_json() for view in views],
        fmt,
        columns=[
            ("id", "Id"),
            ("title", "Title"),
            ("status", "Status"),
            ("owner_agency", "Lead"),
            ("reference", "Reference"),
            ("items", "Items"),
            ("tree_size", "Log"),
            ("retention_until", "Keep until"),
            ("updated_at", "Updated"),
        ],
        optional=["reference", "retention_until", "updated_at"],
    )


@app.command("export")
def export(
    case: CaseArg,
    out_file: Annotated[
        Path,
        typer.Option(
            "--out",
            help="The bundle to write (.zip); an existing file is refused unless --force.",
        ),
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --out file if it exists.")
    ] = False,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Write the case's evidence bundle, a zip that verifies offline.

    Check it with 'leaktrace verify' or the bundle's own verify.py. The export is itself
    an entry of the case's log. An existing --out file is never overwritten without
    --force."""
    if out_file.is_dir():
        raise InputError("is a folder, expected a file to write", file=str(out_file))
    if not force and (out_file.exists() or out_file.is_symlink()):
        raise ConflictError(
            f"{out_file}: the file exists; give --force to replace it (nothing was exported)"
        )
    with open_context(db) as ctx:
        from leaktrace.services import case_export  # loads cryptography: only when exporting

        view = case_export.export_case(ctx, local_operator(), case, out_file, replace=force)
    if fmt is Format.json:
        emit_json(out, view.to_json())
        return
    out.print(
        Text(
            f"wrote {view.file or out_file}: {view.bytes} bytes, sha256 {view.sha256}\n"
            f"log size {view.tree_size}, root {view.root_hash}; {view.entries} entries, "
            f"{view.files} files"
            + (
                f"; proves it extends the exports of size "
                f"{', '.join(str(size) for size in view.consistency_proofs)}"
                if view.consistency_proofs
                else ""
            )
        )
    )


def _one(fmt: Format, view: Any, said: str) -> None:
    """A changed thing: its JSON, or one line on standard error."""
    if fmt is Format.json:
        emit_json(out, view.to_json())
    else:
        err.print(Text(said))


@member_app.command("add")
def member_add(
    case: CaseArg,
    agency: Annotated[str, typer.Argument(help="The agency's code.")],
    role: Annotated[
        str,
        typer.Option("--role", help="member (adds evidence, notes, tasks) or observer (reads)"),
    ] = "member",
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Make an agency a member of a case (it then sees the case)."""
    chosen = _choice(role, MEMBER_ROLES, "--role")
    with open_context(db) as ctx:
        view = cases.add_member(ctx, local_operator(), case, agency, chosen)
    _one(fmt, view, f"{view.agency} is now {view.role} of case {case}")


@app.command("status")
def status_(
    case: CaseArg,
    status: Annotated[str, typer.Argument(help=f"{' / '.join(CASE_STATUSES)}")],
    reason: StatusReasonOption = "",
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Suspend, close or reopen a case (its status already: nothing changes)."""
    chosen = _choice(status, CASE_STATUSES, "STATUS")
    with open_context(db) as ctx:
        view = cases.change_case(ctx, local_operator(), case, status=chosen, reason=reason)
    _one(fmt, view, f"case {view.id} is {view.status}")


@task_app.command("add")
def task_add(
    case: CaseArg,
    title: Annotated[str, typer.Argument(help="What is to be done.")],
    assignee: Annotated[
        str | None,
        typer.Option(
            "--assignee",
            help="Who does it: the e-mail of an active user of a member agency.",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Add a task to a case."""
    with open_context(db) as ctx:
        view = cases.add_task(ctx, local_operator(), case, title, assignee=assignee)
    _one(fmt, view, f"added task {view.id} to case {case}")


@task_app.command("done")
def task_done(
    case: CaseArg,
    task: Annotated[int, typer.Argument(min=1, help="The task id.", show_default=False)],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Mark a task of a case done."""
    with open_context(db) as ctx:
        view = cases.update_task(ctx, local_operator(), case, task, status="done")
    _one(fmt, view, f"task {view.id} of case {case} is {view.status}")


@subject_app.command("add")
def subject_add(
    case: CaseArg,
    kind: Annotated[str, typer.Argument(help=f"{' / '.join(SUBJECT_KINDS)}")],
    value: Annotated[str, typer.Argument(help="The group, account, host or work.")],
    db: DbOption = None,
    fmt: FormatOption = Format.table,
) -> None:
    """Name a subject of a case."""
    chosen = _choice(kind, SUBJECT_KINDS, "KIND")
    with open_context(db) as ctx:
        view = cases.add_subject(ctx, local_operator(), case, chosen, value)
    _one(fmt, view, f"added subject {view.kind} {view.value} to case {case}")
