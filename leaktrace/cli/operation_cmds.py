"""``leaktrace operation``: run an action day of a case: plan it (``create``,
``add-target``, ``assign``), follow it (``list``, ``show``, the live ``board``), change it
(``status``, ``check``, ``issue``, ``resolve``) and write the after-action ``report``
(added to the case as evidence).

The command line acts as the deployment's local operator: a coordinator of every
operation (it changes every target and sees persons' real names on ``show`` and on
``board --names``, each audited once). ``OP`` is the operation's id; ``TARGET`` a target's
id or its label (a server's address, a handle).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from leaktrace.cli.context import DbOption, FormatOption, err, open_context, out
from leaktrace.cli.operation_board_view import board_frame, follow_board
from leaktrace.cli.output import Format, emit_json, emit_rows
from leaktrace.errors import ConflictError, InputError
from leaktrace.identity.actor import local_operator
from leaktrace.operations.model import CHECKLIST, TargetKind, TargetStatus
from leaktrace.services import operation_changes, operation_report, operations
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_views import OperationSummaryView, OperationTargetView
from leaktrace.services.operations import NewTarget

__all__ = ["app"]

app = typer.Typer(
    help="Action days: plan an operation of a case, follow it live, report on it.",
    no_args_is_help=True,
)


class ResultFormat(StrEnum):
    """The formats of a command that prints one result, not rows (no CSV)."""

    table = "table"
    json = "json"


ResultFormatOption = Annotated[
    ResultFormat,
    typer.Option("--format", "-f", help="Output format: table or json.", case_sensitive=False),
]
OperationArg = Annotated[
    int, typer.Argument(min=1, help="The operation's id.", show_default=False, metavar="OP")
]
TargetArg = Annotated[
    str, typer.Argument(help="The target's id or label (an address, a handle).", metavar="TARGET")
]


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _say(fmt: ResultFormat, view: Any, line: str) -> None:
    """One changed thing: its JSON on standard output, or one line on standard error."""
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
    else:
        err.print(Text(line))


def _summary_line(view: OperationSummaryView) -> str:
    return (
        f"operation {view.id} {view.name!r} of case {view.case_id}: {view.date} H-hour "
        f"{view.h_hour} UTC, handling {view.handling}, {view.targets} targets"
    )


# --- planning ----------------------------------------------------------------------------


@app.command("create")
def create(
    name: Annotated[
        str, typer.Argument(help="The operation's name (unique in its case).", metavar="NAME")
    ],
    case: Annotated[int, typer.Option("--case", min=1, help="The case it belongs to.")],
    day: Annotated[str, typer.Option("--date", help="The action day, YYYY-MM-DD.")],
    h_hour: Annotated[str, typer.Option("--h-hour", help="The H-hour, HH:MM in UTC.")],
    agencies: Annotated[
        str,
        typer.Option(
            "--agencies",
            help="Participating agencies, comma-separated: CODE[:role][=Zone], role "
            "coordinator, participant (default) or observer, Zone an IANA time zone "
            "(default: the agency's country's).",
        ),
    ],
    handling: Annotated[
        str, typer.Option("--handling", help="SIENA handling code of everything shown: H0-H3.")
    ] = "H2",
    from_targets: Annotated[
        str | None,
        typer.Option(
            "--from-targets",
            help="Servers of these countries' target sheets (XX,YY) or 'all'.",
            show_default=False,
        ),
    ] = None,
    from_supply: Annotated[
        int,
        typer.Option("--from-supply", min=0, help="The top N supply accounts of the ranking."),
    ] = 0,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Plan an action day of a case and print its id."""
    with open_context(db) as ctx:
        view = operations.create_operation(
            ctx,
            local_operator(),
            case_id=case,
            name=name,
            day=day,
            h_hour=h_hour,
            agencies=_codes(agencies),
            handling=handling,
            from_targets=from_targets,
            from_supply=from_supply,
        )
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    out.file.write(f"{view.id}\n")
    err.print(Text(f"created {_summary_line(view)}"))


@app.command("list")
def list_(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """Every operation, newest first."""
    with open_context(db) as ctx:
        views = operations.list_operations(ctx, local_operator())
    rows = []
    for view in views:
        row = view.to_json()
        counters = view.counters
        row["done"] = counters.by_status.get(TargetStatus.done.value, 0)
        row["servers_seized"] = counters.servers_seized
        row["arrests"] = counters.arrests
        row["open_issues"] = counters.open_issues
        if fmt is not Format.json:
            row.pop("counters", None)
        rows.append(row)
    emit_rows(
        out,
        rows,
        fmt,
        columns=[
            ("id", "Id"),
            ("name", "Name"),
            ("case_id", "Case"),
            ("date", "Date"),
            ("h_hour", "H-hour UTC"),
            ("handling", "Handling"),
            ("targets", "Targets"),
            ("done", "Done"),
            ("servers_seized", "Seized"),
            ("arrests", "Arrests"),
            ("open_issues", "Open issues"),
        ],
    )


@app.command("add-target")
def add_target(
    operation: OperationArg,
    kind: Annotated[
        TargetKind, typer.Option("--kind", case_sensitive=False, help="What the target is.")
    ],
    label: Annotated[
        str,
        typer.Option(
            "--label", help="A server's address, an account's or person's handle, a premises."
        ),
    ],
    country: Annotated[
        str | None, typer.Option("--country", help="ISO country code.", show_default=False)
    ] = None,
    group: Annotated[
        str | None, typer.Option("--group", help="The release group.", show_default=False)
    ] = None,
    real_name: Annotated[
        str | None,
        typer.Option(
            "--real-name",
            help="A person's real name (shown only to its country's agency and coordinators).",
            show_default=False,
        ),
    ] = None,
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency",
            help="The agency to assign it to (default: its country's participating agency).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Add a target to an operation."""
    target = NewTarget(
        kind=kind, label=label, country=country, group=group, real_name=real_name, agency=agency
    )
    with open_context(db) as ctx:
        view = operations.add_target(ctx, local_operator(), operation, target)
    _say(fmt, view, f"added target {view.id}: {_target_words(view)}")


def _target_words(view: OperationTargetView) -> str:
    where = f" ({view.country})" if view.country else ""
    return f"{view.kind} {view.label}{where}, {view.agency or 'unassigned'}, {view.status}"


@app.command("assign")
def assign(
    operation: OperationArg,
    target: TargetArg,
    agency: Annotated[str, typer.Option("--agency", help="The participating agency's code.")],
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Assign a target to a participating agency."""
    with open_context(db) as ctx:
        view = operation_changes.assign_target(ctx, local_operator(), operation, target, agency)
    _say(fmt, view, f"target {view.id} {view.label} is assigned to {view.agency}")


# --- changes -----------------------------------------------------------------------------


@app.command("status")
def status(
    operation: OperationArg,
    target: TargetArg,
    new: Annotated[
        str,
        typer.Argument(help="planned, go, in-progress, done, failed or aborted.", metavar="STATUS"),
    ],
    note: Annotated[
        str | None, typer.Option("--note", help="What happened.", show_default=False)
    ] = None,
    seized: Annotated[
        int | None,
        typer.Option("--seized", min=0, help="Servers or devices seized.", show_default=False),
    ] = None,
    arrested: Annotated[
        int | None,
        typer.Option("--arrested", min=0, help="Persons arrested.", show_default=False),
    ] = None,
    offline: Annotated[
        bool | None,
        typer.Option(
            "--offline/--online", help="Taken offline, or still online.", show_default=False
        ),
    ] = None,
    moved_to: Annotated[
        str | None,
        typer.Option(
            "--moved-to", help="Where it moved (provider, address, country).", show_default=False
        ),
    ] = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Move a target to a new status, with a note and outcome fields."""
    outcome: dict[str, Any] = {}
    for key, value in (
        ("seized", seized),
        ("arrested", arrested),
        ("offline", offline),
        ("moved_to", moved_to),
    ):
        if value is not None:
            outcome[key] = value
    with open_context(db) as ctx:
        view = operation_changes.change_status(
            ctx, local_operator(), operation, target, new, note=note, outcome=outcome
        )
    _say(fmt, view, f"target {view.id} {view.label} is {view.status}")


@app.command("check")
def check(
    operation: OperationArg,
    target: TargetArg,
    item: Annotated[
        str,
        typer.Argument(help=f"{', '.join(key for key, _ in CHECKLIST)}.", metavar="ITEM"),
    ],
    reference: Annotated[
        str | None,
        typer.Option(
            "--reference",
            help="Its reference (the authorisation's number, an exhibit).",
            show_default=False,
        ),
    ] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Clear the item instead.")] = False,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Tick (or clear) an item of a target's checklist."""
    with open_context(db) as ctx:
        view = operation_changes.check_item(
            ctx, local_operator(), operation, target, item, reference=reference, undo=undo
        )
    state = "cleared" if undo else "checked"
    _say(fmt, view, f"target {view.id} {view.label}: {item.strip().lower()} {state}")


@app.command("issue")
def issue(
    operation: OperationArg,
    target: TargetArg,
    text: Annotated[str, typer.Argument(help='The problem ("warrant missing").', metavar="TEXT")],
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Raise an issue on a target."""
    with open_context(db) as ctx:
        view = operation_changes.raise_issue(ctx, local_operator(), operation, target, text)
    _say(fmt, view, f"raised issue {view.id} on {view.target_label}")


@app.command("resolve")
def resolve(
    operation: OperationArg,
    issue_id: Annotated[
        int, typer.Argument(min=1, help="The issue's id.", show_default=False, metavar="ISSUE")
    ],
    resolution: Annotated[
        str | None,
        typer.Option("--resolution", help="How it was resolved.", show_default=False),
    ] = None,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Resolve an open issue."""
    with open_context(db) as ctx:
        view = operation_changes.resolve_issue(
            ctx, local_operator(), operation, issue_id, resolution
        )
    _say(fmt, view, f"issue {view.id} on {view.target_label} is resolved")


@app.command("show")
def show(
    operation: OperationArg,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """The board now: targets, issues (open first), counters, agencies' local H-hour."""
    with open_context(db) as ctx:
        board = operation_board(ctx, local_operator(), operation)
    if fmt is ResultFormat.json:
        emit_json(out, board.to_json())
        return
    out.print(board_frame(board, whole=True))


@app.command("board")
def board(
    operation: OperationArg,
    once: Annotated[bool, typer.Option("--once", help="Print one frame and exit.")] = False,
    seconds: Annotated[
        float | None,
        typer.Option("--seconds", min=0, help="Stop after this many seconds.", show_default=False),
    ] = None,
    names: Annotated[
        bool,
        typer.Option(
            "--names",
            help="Show persons' real names (read once at the start: one audit entry).",
        ),
    ] = False,
    db: DbOption = None,
) -> None:
    """A live board that redraws as the operation changes (Ctrl-C to stop). Persons
    appear by their handles unless --names is given."""
    with open_context(db) as ctx:
        follow_board(ctx, local_operator(), operation, out, seconds=seconds, once=once, names=names)


# --- the report --------------------------------------------------------------------------


@app.command("report")
def report(
    operation: OperationArg,
    out_file: Annotated[
        Path, typer.Option("--out", help="The HTML file to write (an existing one needs --force).")
    ],
    force: Annotated[
        bool, typer.Option("--force", help="Replace the --out file if it exists.")
    ] = False,
    db: DbOption = None,
    fmt: ResultFormatOption = ResultFormat.table,
) -> None:
    """Write the after-action report (printable HTML) and add it to the case as evidence."""
    if out_file.is_dir():
        raise InputError("is a folder, expected a file to write", file=str(out_file))
    if not force and (out_file.exists() or out_file.is_symlink()):
        raise ConflictError(
            f"{out_file}: the file exists; give --force to replace it (nothing was written)"
        )
    with open_context(db) as ctx:
        view = operation_report.report_to_case(ctx, local_operator(), operation, out_file)
    if fmt is ResultFormat.json:
        emit_json(out, view.to_json())
        return
    out.print(
        Text(
            f"wrote {view.path}: {view.bytes} bytes, sha256 {view.sha256}; added to case "
            f"{view.case_id} as item {view.item_id}"
        )
    )
