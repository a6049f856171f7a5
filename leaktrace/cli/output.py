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

__all__ = ["Format", "SEVERITY_STYLE", "emit_json", "emit_rows", "fit_columns"]

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
    whole: Sequence[str] = (),
    optional: Sequence[str] = (),
) -> None:
    """Write ``rows``: every field as JSON or CSV, ``columns`` (key, header) as a table.

    A table fits the console's width (80 columns when piped): the ``whole`` columns (the
    release names) get the width of their longest value, and the ``optional`` columns are
    dropped, in that order, until they do; a value that is wider than the whole screen is
    folded onto as few lines as the width allows.
    """
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
    texts = [{key: _cell_text(row.get(key)) for key, _ in columns} for row in rows]
    columns, widths = fit_columns(columns, texts, console.width, whole=whole, optional=optional)
    table = Table(title=title, caption=caption, header_style="bold cyan", expand=False)
    for key, header in columns:
        table.add_column(
            header,
            overflow="fold",
            width=widths.get(key),
            justify="right"
            if key in ("score", "lead_days", "sightings", "releases", "leaks", "year")
            else "left",
        )
    for row_texts in texts:
        cells = []
        for key, _ in columns:
            text = row_texts[key]
            style = None
            if key == "severity":
                style = SEVERITY_STYLE.get(text)
            elif key == "status":
                style = STATUS_STYLE.get(text)
            cells.append(f"[{style}]{escape(text)}[/]" if style else escape(text))
        table.add_row(*cells)
    console.print(table)


def _cell_text(value: Any) -> str:
    return "" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def fit_columns(
    columns: Sequence[tuple[str, str]],
    texts: Sequence[dict[str, str]],
    width: int,
    *,
    whole: Sequence[str] = (),
    optional: Sequence[str] = (),
) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """Which columns to show in ``width`` characters, and their widths when they must shrink.

    A table of n columns takes 3n + 1 characters of borders and padding. The other columns
    may wrap between words, so they need at least their longest word; the ``whole`` columns
    need their longest value. ``optional`` columns are dropped in order until that fits (or
    none is left). When the kept columns fit at their natural width, no width is set;
    otherwise every column gets one: the ``whole`` columns the room the others leave at
    their longest word (at most their longest value), the others their longest word plus
    what is still left, first to those it unwraps at the least cost.
    """
    kept = list(columns)

    def measure(key: str, header: str, *, entire: bool) -> int:
        size = len if entire else _longest_word
        return max([size(header), *(size(t.get(key, "")) for t in texts)], default=0)

    def least(cols: list[tuple[str, str]]) -> int:
        return 3 * len(cols) + 1 + sum(measure(k, h, entire=k in whole) for k, h in cols)

    for key in optional:
        if least(kept) <= width:
            break
        kept = [(k, h) for k, h in kept if k != key]
    available = width - 3 * len(kept) - 1
    natural = {k: measure(k, h, entire=True) for k, h in kept}
    if sum(natural.values()) <= available:
        return kept, {}
    widths = {k: measure(k, h, entire=False) for k, h in kept if k not in whole}
    whole_kept = [k for k, _ in kept if k in whole]
    room = available - sum(widths.values())
    for key in whole_kept:
        widths[key] = max(1, min(natural[key], room // len(whole_kept)))
    left = available - sum(widths.values())
    for key in sorted((k for k, _ in kept if k not in whole), key=lambda k: natural[k] - widths[k]):
        grow = min(left, natural[key] - widths[key])
        widths[key] += grow
        left -= grow
    return kept, widths
