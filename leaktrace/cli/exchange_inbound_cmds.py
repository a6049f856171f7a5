"""``leaktrace exchange pull|push|import``: objects from and to partners' TAXII servers and
STIX bundle files (registered on the ``exchange`` group by :func:`register`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from leaktrace.cli.context import DbOption, err, open_context, out, require_file
from leaktrace.cli.output import emit_json
from leaktrace.errors import InputError
from leaktrace.identity.actor import local_operator
from leaktrace.services.context import AppContext
from leaktrace.services.exchange_import import import_bundle
from leaktrace.services.exchange_inbound_views import ImportView, PullView, PushView, Refused
from leaktrace.services.exchange_pull import DEFAULT_MAX_PAGES, pull
from leaktrace.services.exchange_push import push

__all__ = ["register"]

UrlArgument = Annotated[
    str, typer.Argument(help="The peer's TAXII 2.1 API root URL.", show_default=False)
]
CollectionOption = Annotated[
    str, typer.Option("--collection", help="The peer collection's id.", show_default=False)
]
UserOption = Annotated[str | None, typer.Option("--user", help="HTTP Basic user name at the peer.")]
PasswordEnvOption = Annotated[
    str | None,
    typer.Option(
        "--password-env",
        help="Name of the environment variable holding the peer password (never on the "
        "command line).",
    ),
]
_LOCAL = "The local collection (title or alias)."
IntoOption = Annotated[str, typer.Option("--into", help=_LOCAL, show_default=False)]


class ReportFormat(StrEnum):
    """What these commands print: a transfer report has no rows for CSV."""

    table = "table"
    json = "json"


FormatOption = Annotated[
    ReportFormat,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
V = TypeVar("V", PullView, PushView, ImportView)


def _password(user: str | None, variable: str | None) -> str | None:
    if variable is None:
        return None
    if user is None:
        raise InputError("--password-env needs --user", field="password-env")
    value = os.environ.get(variable)
    if not value:
        raise InputError(f"environment variable {variable} is not set", field="password-env")
    return value


@contextmanager
def _bar(what: str) -> Iterator[tuple[Progress, TaskID]]:
    with Progress(
        TextColumn(f"[bold]{what}"),
        BarColumn(),
        TextColumn("{task.completed} {task.fields[unit]}"),
        TextColumn("{task.fields[extra]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        yield bar, bar.add_task(what, total=None, unit="", extra="")


def _print_refusals(title: str, items: list[Refused], total: int) -> None:
    if not total:
        return
    out.print(f"  {title}:")
    for item in items:
        out.print(f"    {item.where}: {item.reason}", markup=False)
    if total > len(items):
        out.print(f"    … and {total - len(items)} more")


def _warn(warnings: list[str]) -> None:
    for warning in warnings:
        err.print(f"[yellow]warning:[/] {warning}")


def _transfer(
    what: str,
    db: str | None,
    user: str | None,
    password_env: str | None,
    run: Callable[[AppContext, str | None, Progress, TaskID], V],
) -> V:
    """The password read, the context opened and a progress bar shown around ``run(ctx,
    password, bar, task)`` (``exchange pull`` and ``push``)."""
    password = _password(user, password_env)
    with open_context(db) as ctx, _bar(what) as (bar, task):
        return run(ctx, password, bar, task)


def _report(view: V, fmt: ReportFormat, table: Callable[[V], None]) -> None:
    """Warnings on stderr, then the view as JSON or as ``table`` prints it."""
    _warn(view.warnings)
    if fmt is ReportFormat.json:
        emit_json(out, view.to_json())
    else:
        table(view)


def pull_cmd(
    url: UrlArgument,
    collection: CollectionOption,
    into: Annotated[
        str,
        typer.Option("--into", help="The local collection (title or alias).", show_default=False),
    ],
    user: UserOption = None,
    password_env: PasswordEnvOption = None,
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency",
            help="The receiving agency (owns what is stored; without it RED and "
            "AMBER+STRICT objects are visible to nobody).",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Objects per page asked of the peer.")
    ] = None,
    max_pages: Annotated[
        int,
        typer.Option(
            "--max-pages",
            min=1,
            help="Pages read in this run at most (the next pull goes on from there).",
        ),
    ] = DEFAULT_MAX_PAGES,
    db: DbOption = None,
    fmt: FormatOption = ReportFormat.table,
) -> None:
    """Pull a peer's TAXII collection into a local collection.

    Starts where the last pull stopped (its X-TAXII-Date-Added-Last); each page is stored
    with the new checkpoint in one transaction. Markings, unknown types and extensions are
    kept."""

    def run(ctx: AppContext, password: str | None, bar: Progress, task: TaskID) -> PullView:
        return pull(
            ctx,
            local_operator(),
            url=url,
            collection=collection,
            into=into,
            user=user,
            password=password,
            agency=agency,
            limit=limit,
            max_pages=max_pages,
            progress=lambda pages, objects: bar.update(
                task, completed=pages, unit="pages", extra=f"{objects} objects"
            ),
        )

    _report(_transfer("pull", db, user, password_env, run), fmt, _print_pull)


def _print_pull(view: PullView) -> None:
    out.print(
        f"[bold]pulled[/] {view.url} collection {view.collection} → {view.into}"
        + (f" (for {view.agency})" if view.agency else " (owned by no agency)"),
        markup=True,
    )
    out.print(
        f"  {view.pages} page(s), {view.received} object(s): {view.stored} stored, "
        f"{view.already_present} already present, {view.refused} refused"
    )
    out.print(f"  checkpoint: {view.checkpoint or 'none (from the beginning next time)'}")
    _print_refusals("refused", view.refusals, view.refused)


def push_cmd(
    url: UrlArgument,
    collection: CollectionOption,
    source: Annotated[
        str,
        typer.Option("--from", help="The local collection (title or alias).", show_default=False),
    ],
    user: UserOption = None,
    password_env: PasswordEnvOption = None,
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency",
            help="The pushing agency: what is sent is what it may see (required).",
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = ReportFormat.table,
) -> None:
    """Push what an agency may see of a local collection to a peer's TAXII collection.

    TLP:RED and AMBER+STRICT objects are never pushed; re-publication rules apply (H2
    without the owner's permission, a received object under a looser TLP)."""

    def run(ctx: AppContext, password: str | None, bar: Progress, task: TaskID) -> PushView:
        return push(
            ctx,
            local_operator(),
            url=url,
            collection=collection,
            source=source,
            user=user,
            password=password,
            agency=agency,
            progress=lambda done, total: bar.update(
                task, completed=done, total=total, unit="envelopes", extra=""
            ),
        )

    _report(_transfer("push", db, user, password_env, run), fmt, _print_push)


def _print_push(view: PushView) -> None:
    out.print(
        f"[bold]pushed[/] {view.source} (as {view.agency}) → {view.url} collection "
        f"{view.collection}"
    )
    out.print(
        f"  {view.candidates} visible object(s): {view.sent} sent in {view.envelopes} "
        f"envelope(s) ({view.accepted} accepted, {view.failed} failed, {view.pending} "
        f"pending), {view.skipped} skipped"
    )
    if view.skipped_by_rule:
        rules = ", ".join(f"{rule} {count}" for rule, count in sorted(view.skipped_by_rule.items()))
        out.print(f"  skipped by rule: {rules}", markup=False)
    _print_refusals("skipped", view.skips, view.skipped)


def import_cmd(
    file: Annotated[Path, typer.Argument(help="A STIX 2.1 bundle (JSON).", show_default=False)],
    into: Annotated[
        str,
        typer.Option("--into", help="The local collection (title or alias).", show_default=False),
    ],
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency",
            help="The receiving agency (owns what is stored; without it RED and "
            "AMBER+STRICT objects are visible to nobody).",
        ),
    ] = None,
    db: DbOption = None,
    fmt: FormatOption = ReportFormat.table,
) -> None:
    """Import a STIX 2.1 bundle file into a local collection.

    All of it or, if any object is bad, nothing. Markings, unknown types and extensions
    are kept."""
    require_file(file)
    with open_context(db) as ctx:
        view = import_bundle(ctx, local_operator(), file, into=into, agency=agency)
    _report(view, fmt, _print_import)


def _print_import(view: ImportView) -> None:
    out.print(f"[bold]imported[/] {view.file} ({view.bundle_id}) → {view.into}", markup=True)
    out.print(
        f"  {view.received} object(s): {view.stored} stored, {view.already_present} already present"
    )


def register(app: typer.Typer) -> None:
    """Add the inbound commands to the ``exchange`` group."""
    app.command("pull")(pull_cmd)
    app.command("push")(push_cmd)
    app.command("import")(import_cmd)
