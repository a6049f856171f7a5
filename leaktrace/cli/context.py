"""What every command shares: settings, the database, consoles, option types."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console

from leaktrace.cli.output import Format
from leaktrace.config import Settings, load_settings
from leaktrace.errors import InputError
from leaktrace.feeds.timeparse import parse_time
from leaktrace.store.database import Database

__all__ = [
    "DbOption",
    "FormatOption",
    "LimitOption",
    "row_limit",
    "err",
    "open_database",
    "out",
    "parse_when",
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database file or SQLAlchemy URL [env: LEAKTRACE_DB; default: per-user SQLite file]",
        show_default=False,
    ),
]


def open_database(db: str | None, **overrides: object) -> tuple[Settings, Database]:
    settings = load_settings(db=db, **overrides)
    return settings, Database(settings.database_target())


def parse_when(value: str | None, option: str) -> datetime | None:
    """``--since``/``--until``: a date (YYYY-MM-DD, taken as 00:00 UTC) or an ISO time."""
    if value is None:
        return None
    text = value.strip()
    if len(text) == 10 and text[4] == "-":
        text += "T00:00:00Z"
    try:
        return parse_time(text)
    except ValueError as exc:
        raise InputError(str(exc), field=option) from None


FormatOption = Annotated[
    Format,
    typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
]
LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        "-n",
        min=1,
        help="Show at most this many rows [default: 50 for tables, all for json/csv]",
        show_default=False,
    ),
]


def row_limit(limit: int | None, fmt: Format) -> int | None:
    return limit if limit is not None else (50 if fmt is Format.table else None)
