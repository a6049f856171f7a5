"""Read swarm observation files: CSV (with a header row) or JSON Lines.

See ``docs/swarm-format.md``. Each row becomes a :class:`SwarmRecord` or a
:class:`SwarmError` naming the file, line and field; any bytes give one or the other, never
another exception. Error messages never repeat an address or port from the file.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import ipaddress
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import orjson

from leaktrace.feeds.timeparse import parse_time
from leaktrace.swarm.clients import UNKNOWN, identify_client
from leaktrace.swarm.model import INFRASTRUCTURE_TAGS, SwarmError, SwarmRecord
from leaktrace.swarm.privacy import mask_addresses

__all__ = ["COLUMNS", "REQUIRED", "parse_swarm", "read_swarm", "sniff_format"]

COLUMNS = ("time", "infohash", "ip", "port", "client", "seeder", "completed", "tag")
REQUIRED = ("time", "infohash", "ip")
MAX_LINE = 8192
MAX_CLIENT = 256
_HEX40 = re.compile(r"^[0-9a-fA-F]{40}$")
_BASE32 = re.compile(r"^[A-Za-z2-7]{32}$")
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "f", ""})


class _RowError(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def read_swarm(path: Path) -> Iterator[SwarmRecord | SwarmError]:
    """The rows of one swarm file (``.csv``, ``.jsonl``/``.ndjson``; else sniffed)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        yield SwarmError(f"cannot read file: {exc.strerror or exc}", file=str(path))
        return
    yield from parse_swarm(raw, str(path))


def sniff_format(raw: bytes, name: str) -> str:
    """``csv`` or ``jsonl``: from the file name's extension, else the first character."""
    lower = name.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    return "jsonl" if raw.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else "csv"


def parse_swarm(
    raw: bytes, name: str, fmt: str | None = None
) -> Iterator[SwarmRecord | SwarmError]:
    """Rows of the bytes of a swarm file named ``name`` (used in error messages)."""
    kind = fmt or sniff_format(raw, name)
    if kind == "csv":
        yield from _parse_csv(raw, name)
    else:
        yield from _parse_jsonl(raw, name)


def _parse_jsonl(raw: bytes, name: str) -> Iterator[SwarmRecord | SwarmError]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for index, line in enumerate(raw.split(b"\n"), start=1):
        text = line.strip()
        if not text:
            continue
        if len(text) > MAX_LINE:
            yield SwarmError(f"line is longer than {MAX_LINE} bytes", file=name, line=index)
            continue
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            yield SwarmError("not valid JSON", file=name, line=index)
            continue
        if not isinstance(value, dict):
            yield SwarmError("a line must be a JSON object", file=name, line=index)
            continue
        yield _checked(value, index, name)


def _parse_csv(raw: bytes, name: str) -> Iterator[SwarmRecord | SwarmError]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        yield SwarmError("not valid UTF-8", file=name, line=line)
        return
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        yield SwarmError("NUL character in a CSV file", file=name, line=line)
        return
    rows = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    lineno = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            yield SwarmError(f"malformed CSV: {exc}", file=name, line=lineno + 1)
            return
        lineno = rows.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                yield SwarmError(
                    f"missing column(s) {', '.join(missing)} in the header "
                    f"(expected {','.join(COLUMNS)})",
                    file=name,
                    line=lineno,
                    field=missing[0],
                )
                return
            continue
        if len(row) > len(header):
            yield SwarmError(
                f"{len(row)} cells but the header has {len(header)} columns",
                file=name,
                line=lineno,
            )
            continue
        yield _checked(dict(zip(header, row, strict=False)), lineno, name)
    if header is None:
        yield SwarmError("empty file: expected a header row", file=name, line=1)


def _checked(record: Mapping[str, Any], line: int, name: str) -> SwarmRecord | SwarmError:
    try:
        return _record(record, line)
    except _RowError as exc:
        return SwarmError(exc.reason, file=name, line=line, field=exc.field)


def _record(record: Mapping[str, Any], line: int) -> SwarmRecord:
    for column in REQUIRED:
        if _blank(record.get(column)):
            raise _RowError(column, f"missing {column}")
    try:
        observed_at = parse_time(record["time"])
    except ValueError as exc:  # the message quotes the value: mask an address in it
        raise _RowError("time", mask_addresses(str(exc))) from None
    return SwarmRecord(
        line=line,
        observed_at=observed_at,
        infohash=_infohash(record["infohash"]),
        ip=_ip(record["ip"]),
        port=_port(record.get("port")),
        client=_client(record.get("client")),
        seeder=_flag(record, "seeder"),
        completed=_flag(record, "completed") or _flag(record, "seeder"),
        tag=_tag(record.get("tag")),
    )


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _infohash(value: Any) -> str:
    if not isinstance(value, str):
        raise _RowError("infohash", "infohash must be text")
    text = value.strip()
    if text.lower().startswith("urn:btih:"):
        text = text[9:]
    if _HEX40.match(text):
        return text.lower()
    if _BASE32.match(text):
        try:
            return base64.b32decode(text.upper()).hex()
        except (binascii.Error, ValueError):  # pragma: no cover - the pattern rules it out
            pass
    if len(text) == 64 and all(c in "0123456789abcdefABCDEF" for c in text):
        raise _RowError("infohash", "v2 (SHA-256) infohashes are not supported; give the v1 one")
    raise _RowError("infohash", "infohash must be 40 hex digits or 32 base32 characters")


def _ip(value: Any) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if not isinstance(value, str) or len(value) > 64:
        raise _RowError("ip", "not an IPv4 or IPv6 address")
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        raise _RowError("ip", "not an IPv4 or IPv6 address") from None
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            raise _RowError("ip", "an IPv6 address with a zone is not a swarm peer")
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
    return address


def _port(value: Any) -> int | None:
    if _blank(value):
        return None
    number: int
    if isinstance(value, bool):
        raise _RowError("port", "port must be a whole number 1-65535")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and math.isfinite(value) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip()) if len(value.strip()) <= 6 else 0
    else:
        raise _RowError("port", "port must be a whole number 1-65535")
    if not 1 <= number <= 65535:
        raise _RowError("port", "port must be a whole number 1-65535")
    return number


def _client(value: Any) -> str | None:
    """The client's recognised name and version (``qBittorrent 4.6.3`` from the peer id
    ``-qB4630-…`` or from ``qBittorrent/4.6.3``), ``unknown`` for anything else given (free
    text is never kept), None when the column is empty."""
    if _blank(value):
        return None
    if not isinstance(value, str) or len(value) > MAX_CLIENT:
        return UNKNOWN
    return identify_client(value)


def _flag(record: Mapping[str, Any], column: str) -> bool:
    value = record.get(column)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _RowError(column, f"{column} must be true or false (or 1/0, yes/no)")


def _tag(value: Any) -> str | None:
    """The tag, lower case, if it marks infrastructure; any other tag means an ordinary
    peer (the safe side: a misspelt tag keeps an address hashed, never in clear)."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace("_", "-")
    return text if text in INFRASTRUCTURE_TAGS else None
