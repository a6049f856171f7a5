"""CSV files of outside data: decoded, with a header and numbered records.

Shared by every CSV import (catalogue, shipments …) so each reports the same problems the
same way: the file, the line, and what is wrong.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from leaktrace.errors import InputError

__all__ = ["CsvRecords", "open_csv", "read_bytes"]

CsvRecords = Iterator[tuple[int, dict[str, str]]]
"""(line number, {lower-case column: stripped cell}) for every non-blank row."""


def read_bytes(path: Path, error: type[InputError]) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise error(f"cannot read file: {exc.strerror or exc}", file=str(path)) from None


def open_csv(raw: bytes, name: str, error: type[InputError]) -> tuple[list[str], CsvRecords]:
    """Decode ``raw`` (UTF-8, BOM allowed), read the header (stripped, lower-case) and
    return it with the records. Problems raise ``error`` naming ``name`` and the line."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", file=name, line=line
        ) from None
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(rows)
    except StopIteration:
        raise error("empty file: expected a header row", file=name, line=1) from None
    except csv.Error as exc:
        raise error(f"malformed CSV: {exc}", file=name, line=1) from None
    columns = [h.strip().lower() for h in header]
    return columns, _records(rows, columns, name, error)


def _records(
    rows: Iterator[list[str]], header: list[str], name: str, error: type[InputError]
) -> CsvRecords:
    width = len(header)
    lineno = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise error(f"malformed CSV: {exc}", file=name, line=lineno + 1) from None
        lineno = getattr(rows, "line_num", lineno + 1)
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) > width:
            raise error(
                f"{len(row)} cells but the header has {width} columns", file=name, line=lineno
            )
        yield lineno, {header[i]: row[i].strip() for i in range(len(row))}
