"""What every command shares: settings, the database, consoles, option types."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console

from leaktrace.cli.output import Format
from leaktrace.config import Settings, load_settings
from leaktrace.errors import InputError
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.leaks import parse_when as services_parse_when
from leaktrace.services.paging import MAX_PAGE_SIZE
from leaktrace.services.views import Page, View

if TYPE_CHECKING:
    from leaktrace.analytics.engines import Engine, ParquetSource

__all__ = [
    "DbOption",
    "EngineOption",
    "FormatOption",
    "LimitOption",
    "MasterOption",
    "ParquetOption",
    "context_of",
    "open_context",
    "err",
    "gather",
    "open_engine",
    "out",
    "parquet_folder",
    "parse_when",
    "require_file",
    "row_limit",
]

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database file or SQLAlchemy URL (also LEAKTRACE_DB; by default a per-user "
        "SQLite file)",
        show_default=False,
    ),
]


def require_file(path: Path) -> None:
    """A clear error naming ``path`` when it is not a regular file: missing, a folder, or
    something else that only looks like a file (``/dev/null``, a FIFO, a device)."""
    if path.is_dir():
        raise InputError("is a folder, expected a file", file=str(path))
    if path.is_file():
        return
    if path.exists():
        raise InputError(
            "not a regular file (a device, a FIFO or a socket), expected a file",
            file=str(path),
        )
    raise InputError("no such file", file=str(path))


def open_context(db: str | None, **overrides: object) -> AppContext:
    """The application context for ``--db`` and the other options (the zero-config SQLite
    path is migrated on opening; ``leaktrace db upgrade`` does it for a shared database)."""
    return build_context(load_settings(db=db, **overrides))


def context_of(settings: Settings) -> AppContext:
    """The context for ``settings`` already loaded (and checked) by the command."""
    return build_context(settings)


def parse_when(value: str | None, option: str) -> datetime | None:
    """``--since``/``--until``: a date (YYYY-MM-DD, taken as 00:00 UTC) or an ISO time."""
    return services_parse_when(value, option)


V = TypeVar("V", bound=View)


def gather(fetch: Callable[[int, str | None], Page[V]], limit: int | None) -> tuple[list[V], int]:
    """Up to ``limit`` items (None: all) of a cursor-paged listing, page by page; and the
    total when the first page carries it (else how many were gathered)."""
    items: list[V] = []
    cursor: str | None = None
    total: int | None = None
    while limit is None or len(items) < limit:
        size = MAX_PAGE_SIZE if limit is None else min(MAX_PAGE_SIZE, limit - len(items))
        page = fetch(size, cursor)
        total = page.total if total is None else total
        items.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    return items, len(items) if total is None else total


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
        help="Show at most this many rows (by default 50 for tables, all for json/csv)",
        show_default=False,
    ),
]


def row_limit(limit: int | None, fmt: Format) -> int | None:
    return limit if limit is not None else (50 if fmt is Format.table else None)


EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="Analytics engine: duckdb (embedded) or spark (PySpark, needs Java 17 and "
        "pip install 'leaktrace\\[spark]').",
    ),
]
MasterOption = Annotated[
    str,
    typer.Option(
        "--master", help="Spark master: local[*] here, spark://host:7077 or yarn on a cluster."
    ),
]
ParquetOption = Annotated[
    Path | None,
    typer.Option(
        "--parquet",
        help="Read this folder of Parquet tables (from 'leaktrace export') instead of "
        "exporting the database on every run.",
        show_default=False,
    ),
]


def open_engine(name: str, *, master: str = "local[*]") -> Engine:
    """The analytics engine for ``--engine`` (ibis and DuckDB load only now)."""
    from leaktrace.analytics.engines import ENGINES
    from leaktrace.analytics.engines import open_engine as start

    if name not in ENGINES:
        raise typer.BadParameter(f"must be {' or '.join(ENGINES)}", param_hint="--engine")

    return start(name, master=master)


def parquet_folder(path: Path) -> ParquetSource:
    """``--parquet DIR`` as the engines' source."""
    if not path.is_dir():
        raise InputError("no such folder", file=str(path), field="--parquet")
    from leaktrace.analytics.engines import ParquetSource

    return ParquetSource(path)
