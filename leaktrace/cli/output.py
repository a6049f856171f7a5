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
    texts = [{key: _cell_text(key, row.get(key)) for key, _ in columns} for row in rows]
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
            if key in whole and key in widths:
                text = fold_name(text, widths[key])
            style = None
            if key == "severity":
                style = SEVERITY_STYLE.get(text)
            elif key == "status":
                style = STATUS_STYLE.get(text)
            cells.append(f"[{style}]{escape(text)}[/]" if style else escape(text))
        table.add_row(*cells)
    console.print(table)


def _cell_text(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}" if key.endswith("_days") else f"{value:g}"
    return str(value)


_BREAK_AFTER = frozenset(".-_ ])")


def fold_name(text: str, width: int) -> str:
    """``text`` on lines of at most ``width`` characters, broken after a dot, dash, space or
    bracket where it can (``Salt.Harbor.2025.`` / ``1080p.BluRay-EMBERS``), mid-word only
    where a piece is longer than a line."""
    if width < 1 or len(text) <= width:
        return text
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        cut = max((i + 1 for i, c in enumerate(rest[:width]) if c in _BREAK_AFTER), default=0)
        if cut < max(width // 3, 1):  # no break near enough: cut the word
            cut = width
        lines.append(rest[:cut].rstrip(" "))
        rest = rest[cut:].lstrip(" ")
    lines.append(rest)
    return "\n".join(line for line in lines if line)


_WORD_FLOOR = 36
"""A long word in an ordinary column (a URL, a hash) is folded; the column needs no more."""
_COLUMN_FLOOR = 6
"""The narrowest an ordinary column is squeezed to before the whole columns give way."""


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

    A table of n columns takes 3n + 1 characters of borders and padding. The ``whole``
    columns need their longest value; the others may wrap between words, so they need their
    longest word (at most 36 characters: longer words, URLs and hashes, are folded).
    ``optional`` columns are dropped in order until that fits (or none is left). When the
    kept columns fit at their natural width, no width is set. Otherwise every column gets
    one: the others their need, the ``whole`` columns the room left (at most their longest
    value), and what is still left goes first to the columns it unwraps at the least cost.
    If even that does not fit, the widest ordinary columns are narrowed (not below 6), then
    the whole ones. No width is ever below 1.
    """
    kept = list(columns)

    def need(key: str, header: str) -> int:
        if key in whole:
            return max([len(header), *(len(t.get(key, "")) for t in texts)])
        words = [_longest_word(header), *(_longest_word(t.get(key, "")) for t in texts)]
        return min(max(words), _WORD_FLOOR)

    def least(cols: list[tuple[str, str]]) -> int:
        return 3 * len(cols) + 1 + sum(need(k, h) for k, h in cols)

    for key in optional:
        if least(kept) <= width:
            break
        kept = [(k, h) for k, h in kept if k != key]
    available = width - 3 * len(kept) - 1
    natural = {k: max([len(h), *(len(t.get(k, "")) for t in texts)]) for k, h in kept}
    if sum(natural.values()) <= available:
        return kept, {}
    widths = {k: min(need(k, h), natural[k]) for k, h in kept if k not in whole}
    whole_kept = [k for k, _ in kept if k in whole]
    room = available - sum(widths.values())
    for key in whole_kept:
        widths[key] = max(1, min(natural[key], room // len(whole_kept)))
    spare = room - sum(widths[k] for k in whole_kept)
    for key in whole_kept:  # what one whole column does not need, the next may
        grow = max(0, min(spare, natural[key] - widths[key]))
        widths[key] += grow
        spare -= grow
    left = available - sum(widths.values())
    ordinary = [k for k, _ in kept if k not in whole]
    for key in sorted(ordinary, key=lambda k: natural[k] - widths[k]):
        grow = max(0, min(left, natural[key] - widths[key]))
        widths[key] += grow
        left -= grow
    for group, floor in ((ordinary, _COLUMN_FLOOR), (whole_kept, 1)):
        while left < 0:
            wide = [k for k in group if widths[k] > floor]
            if not wide:
                break
            widest = max(wide, key=lambda k: widths[k])
            widths[widest] -= 1
            left += 1
    return kept, widths
