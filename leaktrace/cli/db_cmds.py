"""``leaktrace db upgrade`` and ``db status``: the schema of a shared database.

A server never migrates: an operator runs ``leaktrace db upgrade`` once per deployment
(after installing a new LeakTrace), then starts ``leaktrace serve``.
"""

from __future__ import annotations

import typer

from leaktrace.cli.context import DbOption, FormatOption, err, out
from leaktrace.cli.output import Format, emit_json
from leaktrace.config import load_settings
from leaktrace.services.context import build_context

__all__ = ["app", "register", "status", "upgrade"]

app = typer.Typer(help="The database schema: upgrade it, or see whether it is current.")


def register(root: typer.Typer) -> None:
    """Add ``db`` to ``root``."""
    root.add_typer(app, name="db")


@app.command()
def upgrade(db: DbOption = None) -> None:
    """Bring the database's schema to this LeakTrace's newest revision."""
    with build_context(load_settings(db=db), migrate=False) as ctx:
        before = ctx.database.revision()
        ctx.database.migrate()
        after = ctx.database.revision()
        where = ctx.database.display
    if before == after:
        err.print(f"{where}: already at {after}")
    else:
        err.print(f"{where}: upgraded from {before or 'an empty database'} to {after}")


@app.command()
def status(db: DbOption = None, fmt: FormatOption = Format.table) -> None:
    """The database's schema revision and the newest one; exit 1 when it is behind."""
    with build_context(load_settings(db=db), migrate=False) as ctx:
        current, head = ctx.database.revision(), ctx.database.head()
        where = ctx.database.display
    up_to_date = current == head
    if fmt is Format.json:
        emit_json(
            out, {"database": where, "current": current, "head": head, "up_to_date": up_to_date}
        )
    else:
        out.print(f"database: {where}")
        out.print(f"current:  {current or '(empty)'}")
        out.print(f"head:     {head}")
        out.print("up to date" if up_to_date else "behind: run `leaktrace db upgrade`")
    if not up_to_date:
        raise typer.Exit(1)
