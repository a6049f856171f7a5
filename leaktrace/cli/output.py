"""Render rows for people (Rich tables) or programs (JSON, CSV)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

__all__ = ["Format", "SEVERITY_STYLE", "emit_rows", "emit_json"]

SEVERITY_STYLE = {
    "critical": "bold white on red",
    "high": "bold red",
    "medium": "yellow",
    "low": "dim",
}
STATUS_STYLE = {"leak": "bold red", "in-window": "green", "unknown": "yellow", "unmatched": "dim"}


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def emit_json(console: Console, value: Any) -> None:
    console.file.write(json.dumps(value, ensure_ascii=False, indent=2, default=str) + "\n")


def emit_rows(
    console: Console,
    rows: Sequence[dict[str, Any]],
    fmt: Format,
    *,
    columns: Sequence[tuple[str, str]],
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """Write ``rows``: every field as JSON or CSV, ``columns`` (key, header) as a table."""
    if fmt is Format.json:
        emit_json(console, list(rows))
        return
    if fmt is Format.csv:
        buffer = io.StringIO()
        keys = list(rows[0]) if rows else [key for key, _ in columns]
        writer = csv.DictWriter(buffer, fieldnames=keys, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in keys})
        console.file.write(buffer.getvalue())
        return
    table = Table(title=title, caption=caption, header_style="bold cyan", expand=False)
    for key, header in columns:
        table.add_column(
            header,
            overflow="fold",
            justify="right"
            if key in ("score", "lead_days", "sightings", "releases", "leaks", "year")
            else "left",
        )
    for row in rows:
        cells = []
        for key, _ in columns:
            value = row.get(key)
            text = "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)
            style = None
            if key == "severity":
                style = SEVERITY_STYLE.get(text)
            elif key == "status":
                style = STATUS_STYLE.get(text)
            cells.append(f"[{style}]{escape(text)}[/]" if style else escape(text))
        table.add_row(*cells)
    console.print(table)
