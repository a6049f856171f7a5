"""The ``leaktrace`` command: a thin Typer layer over the library."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape

from leaktrace import __version__
from leaktrace.cli import (
    analytics_cmds,
    case_cmds,
    catalog_cmd,
    db_cmds,
    evidence_cmds,
    exchange_cmds,
    feed_cmds,
    geo_cmds,
    group_cmds,
    identity_cmds,
    impact_cmd,
    infra_cmds,
    notice_cmds,
    operation_cmds,
    parse_cmd,
    report_cmds,
    serve_cmd,
    supply_cmds,
    swarm_cmds,
    watch_cmds,
)
from leaktrace.cli.context import err
from leaktrace.cli.exit_codes import exit_code_of
from leaktrace.errors import InputError, LeakTraceError

app = typer.Typer(
    name="leaktrace",
    help="Follow pre-release leaks: parse release names, match them to protected works, "
    "flag releases that came out before their window opened.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(catalog_cmd.app, name="catalog")
app.add_typer(supply_cmds.app, name="supply")
app.add_typer(swarm_cmds.app, name="swarm")
app.add_typer(infra_cmds.app, name="hosts")
app.add_typer(geo_cmds.app, name="geo")
app.command()(feed_cmds.ingest)
app.command()(feed_cmds.releases)
app.command()(feed_cmds.leaks)
app.command()(parse_cmd.parse)
app.command()(report_cmds.report)
app.command()(report_cmds.demo)
app.command()(watch_cmds.watch)
app.command()(watch_cmds.sources)
app.command()(group_cmds.groups)
app.command()(group_cmds.group)
app.command("group-graph")(group_cmds.graph)
app.command()(impact_cmd.impact)
app.command()(infra_cmds.targets)
app.command()(analytics_cmds.analytics)
app.command()(analytics_cmds.export)
identity_cmds.register(app)
app.add_typer(case_cmds.app, name="case")
app.add_typer(exchange_cmds.app, name="exchange")
app.add_typer(operation_cmds.app, name="operation")
app.add_typer(notice_cmds.app, name="notices")
evidence_cmds.register(app)
db_cmds.register(app)
app.command()(serve_cmd.serve)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"leaktrace {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """LeakTrace."""


def main() -> None:
    """Entry point: run the app, turning LeakTrace errors into one clear line and the
    exit code of their class (:mod:`leaktrace.cli.exit_codes`)."""
    try:
        app()
    except LeakTraceError as exc:
        err.print(f"[bold red]error:[/] {_describe(exc)}", highlight=False)
        more = exc.more if isinstance(exc, InputError) else []
        for other in more[:5]:
            err.print(f"       {escape(str(other))}", highlight=False)
        if len(more) > 5:
            err.print(f"       … and {len(more) - 5} more", highlight=False)
        sys.exit(exit_code_of(exc))
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


def _describe(exc: LeakTraceError) -> str:
    if isinstance(exc, InputError):
        return escape(str(exc))
    return escape(exc.reason)
