"""Read feed files: JSON Lines (LeakTrace's own rows or predb.ovh rows) and JSON documents.

A LeakTrace row: ``{"name": ..., "time": ..., "group"?, "size"?, "url"?, "site"?}`` with
``time`` in ISO 8601 (offset or ``Z``) or Unix seconds and ``size`` in bytes.
A predb.ovh row: ``{"name", "preAt", "team", "cat", "size", "files", "nuke", ...}`` with
``preAt`` in Unix seconds and ``size`` in megabytes (a scene release of 19 files reported
as 258 is 258 MB, not kB). A ``.json`` file may hold one array of rows, or a whole predb.ovh
API reply (``{"status", "data": {"rows": [...]}}``).

Every line yields either a :class:`FeedItem` or a :class:`FeedError` naming file, line and
field: the caller decides whether to skip or stop.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from leaktrace.errors import FeedError
from leaktrace.feeds.item import FeedItem
from leaktrace.feeds.timeparse import parse_time

__all__ = ["DEFAULT_MAX_NAME", "MAX_LINE_BYTES", "item_from_row", "parse_line", "read_feed"]

DEFAULT_MAX_NAME = 512
_INFOHASH = re.compile(r"^[0-9a-fA-F]{40}$")
MAX_LINE_BYTES = 1 << 20
_MB = 1024 * 1024


def read_feed(path: Path, max_name: int = DEFAULT_MAX_NAME) -> Iterator[FeedItem | FeedError]:
    """Stream the items of one feed file, one per line, errors in place of bad lines."""
    name = str(path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield FeedError(f"cannot read file: {exc.strerror or exc}", file=name)
        return
    with handle:
        first = handle.read(1)
        while first in (b" ", b"\n", b"\r", b"\t"):
            first = handle.read(1)
        if path.suffix.lower() == ".json" and first in (b"[", b"{"):
            yield from _read_document(first + handle.read(), name, max_name)
            return
        handle.seek(0)
        for lineno, raw in enumerate(handle, start=1):
            if len(raw) > MAX_LINE_BYTES:
                yield FeedError(
                    f"line is {len(raw)} bytes long (at most {MAX_LINE_BYTES})",
                    file=name,
                    line=lineno,
                )
                continue
            if not raw.strip():
                continue
            yield parse_line(raw, name, lineno, max_name)


def parse_line(
    raw: bytes, name: str | None, lineno: int | None, max_name: int = DEFAULT_MAX_NAME
) -> FeedItem | FeedError:
    """One JSON Lines line (bytes) into a FeedItem or a FeedError naming where it is."""
    try:  # orjson reads UTF-8 bytes itself; any trouble is described by the path below
        return item_from_row(orjson.loads(raw), file=name, line=lineno, max_name=max_name)
    except (ValueError, RecursionError):
        pass
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return FeedError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})",
            file=name,
            line=lineno,
        )
    try:
        row = orjson.loads(text)
    except json.JSONDecodeError as exc:
        return FeedError(
            f"not JSON: {_json_reason(exc)} (column {exc.colno})", file=name, line=lineno
        )
    except RecursionError:
        return FeedError("not JSON: nested too deeply", file=name, line=lineno)
    return item_from_row(row, file=name, line=lineno, max_name=max_name)


def _read_document(data: bytes, name: str, max_name: int) -> Iterator[FeedItem | FeedError]:
    try:
        document = orjson.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        yield FeedError("not valid UTF-8", file=name, line=line)
        return
    except json.JSONDecodeError as exc:
        yield FeedError(
            f"not JSON: {_json_reason(exc)} (column {exc.colno})", file=name, line=exc.lineno
        )
        return
    except RecursionError:
        yield FeedError("not JSON: nested too deeply", file=name, line=1)
        return
    rows: Any = document
    if isinstance(document, dict):
        data_part = document.get("data")
        rows = data_part.get("rows") if isinstance(data_part, dict) else None
        if not isinstance(rows, list):
            yield FeedError(
                "a JSON object feed must be a predb.ovh reply with data.rows",
                file=name,
                line=1,
                field="data.rows",
            )
            return
    for index, row in enumerate(rows, start=1):
        yield item_from_row(row, file=name, line=index, max_name=max_name)


def item_from_row(
    row: object,
    *,
    file: str | None = None,
    line: int | None = None,
    max_name: int = DEFAULT_MAX_NAME,
) -> FeedItem | FeedError:
    """Validate one decoded row (LeakTrace or predb.ovh shape) into a FeedItem."""

    if not isinstance(row, dict):
        return _fail(file, line, f"expected a JSON object, got {_kind(row)}")
    name = row.get("name")
    if name is None:
        return _fail(file, line, "missing release name", "name")
    if not isinstance(name, str):
        return _fail(file, line, f"name must be text, got {_kind(name)}", "name")
    name = name.strip()
    if not name:
        return _fail(file, line, "empty release name", "name")
    if len(name) > max_name:
        return _fail(
            file, line, f"name is {len(name)} characters long (at most {max_name})", "name"
        )
    if not name.isprintable():
        return _fail(file, line, "name contains control characters", "name")
    predb = "preAt" in row and "time" not in row
    time_field = "preAt" if predb else "time"
    if row.get(time_field) is None:
        return _fail(file, line, "missing time", time_field)
    try:
        moment = parse_time(row[time_field])
    except ValueError as exc:
        return _fail(file, line, str(exc), time_field)
    group = row.get("team" if predb else "group")
    if group is not None and not isinstance(group, str):
        return _fail(
            file, line, f"group must be text, got {_kind(group)}", "team" if predb else "group"
        )
    size = row.get("size")
    if size is not None and (
        isinstance(size, bool) or not isinstance(size, int | float) or size < 0 or size > 1e15
    ):
        return _fail(file, line, f"size must be a non-negative number, got {size!r}"[:120], "size")
    size_bytes = None if size is None else int(size * _MB) if predb else int(size)
    extra: dict[str, object] = {}
    url = row.get("url") or None
    site = row.get("site") or None
    if url is not None and (not isinstance(url, str) or len(url) > 2048):
        return _fail(file, line, "url must be text of at most 2048 characters", "url")
    if site is not None and (not isinstance(site, str) or len(site) > 2048):
        return _fail(file, line, "site must be text of at most 2048 characters", "site")
    infohash = row.get("infohash")
    if infohash is not None:
        if not isinstance(infohash, str) or not _INFOHASH.match(infohash):
            return _fail(file, line, "infohash must be 40 hexadecimal digits", "infohash")
        infohash = infohash.lower()
    imdb = row.get("imdb_id") or row.get("imdb")
    if predb:
        for key in ("id", "cat", "genre", "files", "nuke"):
            if row.get(key) not in (None, ""):
                extra[key] = row[key]
        site = site or "predb"
        if isinstance(url, str) and "imdb.com/title/tt" in url:
            imdb = url.rsplit("/title/", 1)[1].strip("/").split("/")[0]
    return FeedItem(  # by position, in FeedItem's order (one is built per feed line)
        name,
        moment,
        "predb" if predb else "jsonl",
        group.strip() or None if isinstance(group, str) else None,
        size_bytes,
        url if isinstance(url, str) else None,
        site if isinstance(site, str) else None,
        imdb if isinstance(imdb, str) and imdb.startswith("tt") else None,
        extra,
        file,
        line,
        infohash=infohash,
    )


def _fail(file: str | None, line: int | None, reason: str, field: str | None = None) -> FeedError:
    return FeedError(reason, file=file, line=line, field=field)


def _json_reason(exc: json.JSONDecodeError) -> str:
    return exc.msg.removesuffix(" at").strip()


def _kind(value: object) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "text",
        bool: "true/false",
        type(None): "null",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
