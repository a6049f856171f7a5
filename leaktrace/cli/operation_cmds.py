"""``leaktrace operation``: run an action day (skeleton: commands being written)."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="Action days: plan an operation of a case, follow it live, report on it.",
    no_args_is_help=True,
)
