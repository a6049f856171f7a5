"""predb.ovh API v1 replies, nuke objects and websocket frames.

* A **reply** is ``{status, message, data: {rowCount, offset, reqCount, total, time,
  rows: [...]}}``. ``status: "error"`` (or anything but ``"success"``) raises
  :class:`SourceError` with the server's message; a reply that is not JSON or not of
  that shape raises :class:`SourceError` too. Rows are validated by
  :func:`leaktrace.feeds.jsonl.item_from_row` (size in MB, ``preAt`` in Unix seconds);
  a bad row becomes a :class:`Quarantined` with the row as sample, the rest go on.
* **Invalid UTF-8 is a row's problem, not the page's.** The reply is decoded with
  ``surrogateescape``, so a byte that is not UTF-8 survives JSON parsing as a lone
  surrogate inside the string that held it. A row with such a string (or an unpaired
  ``\\udXXX`` escape) anywhere in it is quarantined, naming the field and the bytes
  (``bad predb row (name): invalid UTF-8 (\\xff)``); its neighbours are read as usual. A bad byte
  outside any string makes the reply not JSON, and the whole reply is refused.
* A **nuke** is ``{id, typeId, type, preId, reason, net, nukeAt}``; ``typeId`` 1 nuke,
  2 unnuke, 3 modnuke, 4 delpre, 5 undelpre (``type`` is used when ``typeId`` is
  unknown). A row whose ``nuke`` is not null yields a :class:`NukeEvent` for that
  release as well as its item.
* A **websocket frame** is ``{action, row}``. ``insert``/``update`` yield the row's item
  (and its nuke, if any). ``nuke``, ``unnuke``, ``modnuke``, ``delpre`` and ``undelpre``
  yield a :class:`NukeEvent` named after the row, with reason/net/time from the row's
  ``nuke`` object (time falls back to when the frame was received). ``delete`` (the
  pre row itself was removed) is treated as ``delpre``. A bad frame is quarantined, never
  raised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from leaktrace.errors import FeedError
from leaktrace.feeds.item import FeedItem, NukeEvent
from leaktrace.feeds.jsonl import DEFAULT_MAX_NAME, item_from_row
from leaktrace.feeds.timeparse import parse_time
from leaktrace.formats.source_errors import Quarantined, SourceError

__all__ = [
    "FRAME_ACTIONS",
    "NUKE_TYPES",
    "PredbBatch",
    "escape_undecodable",
    "parse_frame",
    "parse_nuke",
    "parse_reply",
    "parse_row",
    "sample_of",
    "undecodable",
]

NUKE_TYPES: dict[int, str] = {1: "nuke", 2: "unnuke", 3: "modnuke", 4: "delpre", 5: "undelpre"}
FRAME_ACTIONS = frozenset(
    {"insert", "update", "delete", "nuke", "unnuke", "modnuke", "delpre", "undelpre"}
)
_NUKE_ACTIONS = frozenset(NUKE_TYPES.values())
MAX_SAMPLE = 2000
MAX_DOCUMENT = 32 * 1024 * 1024


@dataclass(slots=True)
class PredbBatch:
    """What one reply or frame held."""

    items: list[FeedItem] = field(default_factory=list)
    nukes: list[NukeEvent] = field(default_factory=list)
    quarantined: list[Quarantined] = field(default_factory=list)
    ids: list[int] = field(default_factory=list)
    """The ``id`` of every row with an integer id (good or bad), in reply order."""
    total: int | None = None
    row_count: int | None = None
    offset: int | None = None
    action: str | None = None
    """The frame's action (frames only)."""


_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_DEPTH = 64


def _escape_surrogate(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def escape_undecodable(text: str) -> str:
    """``text`` with each byte that was not UTF-8 (a ``surrogateescape`` surrogate) written
    as ``\\xNN`` and any other lone surrogate as ``\\uNNNN``: safe to store and show."""
    return _SURROGATE.sub(_escape_surrogate, text)


def sample_of(value: object) -> str:
    """At most :data:`MAX_SAMPLE` characters of ``value`` as JSON (or text)."""
    if isinstance(value, bytes):
        text = value[: MAX_SAMPLE * 4].decode("utf-8", "backslashreplace")
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (ValueError, TypeError, RecursionError):
            text = repr(value)
    return escape_undecodable(text[:MAX_SAMPLE])


def undecodable(value: object) -> tuple[str, str] | None:
    """``(field, what)`` for the first key or text in ``value`` (a decoded JSON value)
    holding a lone surrogate: a byte that was not UTF-8, or an unpaired ``\\u`` escape."""
    todo: list[tuple[str, object, int]] = [("", value, 0)]
    while todo:
        path, item, depth = todo.pop()
        texts: list[tuple[str, str]] = []
        if isinstance(item, str):
            texts.append((path, item))
        elif isinstance(item, dict) and depth < _MAX_DEPTH:
            for key, child in reversed(list(item.items())):
                where = f"{path}.{key}" if path else str(key)
                texts.append((where, str(key)))
                todo.append((where, child, depth + 1))
        elif isinstance(item, list) and depth < _MAX_DEPTH:
            todo.extend(
                (f"{path}[{i}]", child, depth + 1) for i, child in reversed(list(enumerate(item)))
            )
        for where, text in texts:
            found = _SURROGATE.findall(text)
            if found:
                shown = escape_undecodable("".join(found[:8]))
                kind = (
                    "invalid UTF-8"
                    if all(0xDC80 <= ord(c) <= 0xDCFF for c in found)
                    else "unpaired surrogate"
                )
                return escape_undecodable(where)[:200] or "row", f"{kind} ({shown})"
    return None


def _decode(data: bytes | str, what: str, source: str | None) -> object:
    if len(data) > MAX_DOCUMENT:
        raise SourceError(
            f"predb {what} is larger than {MAX_DOCUMENT} bytes", source=source, transient=False
        )
    # Bytes that are not UTF-8 become lone surrogates in the strings holding them: the
    # row that has them is quarantined (see undecodable), not the whole reply.
    text = data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"predb {what} is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            source=source,
        ) from None
    except (RecursionError, ValueError) as exc:
        raise SourceError(
            f"predb {what} is not usable JSON: {type(exc).__name__}", source=source
        ) from None


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 19:
        return int(value.strip())
    return None


def _text_or_none(value: object, limit: int = 1000) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()[:limit]
    return None


def parse_nuke(
    nuke: object,
    name: str,
    *,
    source: str | None = None,
    action: str | None = None,
    received: datetime | None = None,
) -> NukeEvent:
    """A :class:`NukeEvent` for release ``name`` from a predb.ovh nuke object.

    ``action`` (from a websocket frame) wins over the object's ``typeId``/``type``;
    ``received`` is used when the object has no usable ``nukeAt``. Raises
    :class:`FeedError` when the object is not usable.
    """
    if nuke is None:
        nuke = {}
    if not isinstance(nuke, dict):
        raise FeedError("nuke must be an object", field="nuke")
    if action is None:
        type_id = _int_or_none(nuke.get("typeId"))
        action = NUKE_TYPES.get(type_id) if type_id is not None else None
        if action is None:
            kind = nuke.get("type")
            if isinstance(kind, str) and kind.strip().lower() in _NUKE_ACTIONS:
                action = kind.strip().lower()
        if action is None:
            raise FeedError(
                f"unknown nuke type {nuke.get('typeId')!r}/{nuke.get('type')!r}"[:200],
                field="nuke.typeId",
            )
    raw_time = nuke.get("nukeAt")
    moment: datetime | None = None
    if raw_time is not None:
        try:
            moment = parse_time(raw_time)
        except ValueError as exc:
            if received is None:
                raise FeedError(str(exc)[:200], field="nuke.nukeAt") from None
    if moment is None:
        if received is None:
            raise FeedError("missing nuke time", field="nuke.nukeAt")
        moment = received
    return NukeEvent(
        name=name,
        action=action,
        time=moment,
        reason=_text_or_none(nuke.get("reason")),
        net=_text_or_none(nuke.get("net"), 200),
        source=source,
    )


def _row_name(row: dict[str, Any], max_name: int) -> str | None:
    name = row.get("name")
    if isinstance(name, str):
        name = name.strip()
        if name and len(name) <= max_name and name.isprintable():
            return name
    return None


def parse_row(
    row: object,
    *,
    source: str | None = None,
    location: str | None = None,
    max_name: int = DEFAULT_MAX_NAME,
) -> tuple[FeedItem | None, list[NukeEvent], list[Quarantined]]:
    """One predb.ovh row: its item (or None), the nuke it carries, what was quarantined."""
    nukes: list[NukeEvent] = []
    quarantined: list[Quarantined] = []
    broken = undecodable(row)
    if broken is not None:
        field_name, what = broken
        reason = f"bad predb row ({field_name}): {what}"
        return None, nukes, [Quarantined(reason, location, sample_of(row))]
    result = item_from_row(row, max_name=max_name)
    item: FeedItem | None = None
    if isinstance(result, FeedError):
        field_part = f" ({result.field})" if result.field else ""
        quarantined.append(
            Quarantined(f"bad predb row{field_part}: {result.reason}", location, sample_of(row))
        )
    else:
        item = replace(result, origin="predb", source=source, file=None, line=None)
    if isinstance(row, dict) and row.get("nuke") not in (None, "", {}):
        name = _row_name(row, max_name)
        if name is not None:
            try:
                nukes.append(parse_nuke(row["nuke"], name, source=source))
            except FeedError as exc:
                quarantined.append(
                    Quarantined(
                        f"bad predb nuke: {exc.reason}", location, sample_of(row.get("nuke"))
                    )
                )
    return item, nukes, quarantined


def parse_reply(
    data: bytes | str | dict[str, Any],
    *,
    source: str | None = None,
    location: str | None = None,
    max_name: int = DEFAULT_MAX_NAME,
    after_id: int | None = None,
) -> PredbBatch:
    """A whole predb.ovh API v1 reply (bytes, text or the decoded object).

    Rows with an integer ``id`` at most ``after_id`` (already read by an earlier poll) are
    only counted in ``ids``: neither their items nor their problems are reported again.
    """
    doc: object = data if isinstance(data, dict) else _decode(data, "reply", source)
    if not isinstance(doc, dict):
        raise SourceError("predb reply is not a JSON object", source=source)
    status = doc.get("status")
    if status != "success":
        message = doc.get("message")
        text = message if isinstance(message, str) and message else "no message"
        raise SourceError(
            f"predb replied status {str(status)[:40]!r}: {text[:300]}",
            source=source,
            transient=status != "error",
        )
    body = doc.get("data")
    if not isinstance(body, dict):
        raise SourceError("predb reply has no data object", source=source)
    rows = body.get("rows")
    if rows is None:
        rows = []
    if not isinstance(rows, list):
        raise SourceError("predb reply's data.rows is not an array", source=source)
    batch = PredbBatch(
        total=_int_or_none(body.get("total")),
        row_count=_int_or_none(body.get("rowCount")),
        offset=_int_or_none(body.get("offset")),
    )
    where = location or "predb reply"
    for index, row in enumerate(rows, start=1):
        row_where = f"{where} row {index}"
        if isinstance(row, dict):
            row_id = _int_or_none(row.get("id"))
            if row_id is not None:
                batch.ids.append(row_id)
                if after_id is not None and row_id <= after_id:
                    continue
        item, nukes, bad = parse_row(row, source=source, location=row_where, max_name=max_name)
        if item is not None:
            batch.items.append(item)
        batch.nukes.extend(nukes)
        batch.quarantined.extend(bad)
    return batch


def parse_frame(
    data: bytes | str,
    *,
    source: str | None = None,
    received: datetime | None = None,
    location: str | None = None,
    max_name: int = DEFAULT_MAX_NAME,
) -> PredbBatch:
    """One websocket frame ``{action, row}``; problems are quarantined, never raised."""
    received = received or datetime.now(UTC)
    where = location or "predb websocket"
    batch = PredbBatch()

    def bad(reason: str, sample: object) -> PredbBatch:
        batch.quarantined.append(Quarantined(reason, where, sample_of(sample)))
        return batch

    try:
        doc = _decode(data, "frame", source)
    except SourceError as exc:
        return bad(f"bad predb frame: {exc.reason}", data)
    if not isinstance(doc, dict):
        return bad("bad predb frame: not a JSON object", doc)
    broken = undecodable(doc)
    if broken is not None:
        return bad(f"bad predb frame ({broken[0]}): {broken[1]}", doc)
    action = doc.get("action")
    if not isinstance(action, str) or action.strip().lower() not in FRAME_ACTIONS:
        return bad(f"bad predb frame: unknown action {str(action)[:40]!r}", doc)
    action = action.strip().lower()
    batch.action = action
    row = doc.get("row")
    if not isinstance(row, dict):
        return bad(f"bad predb frame: {action} without a row object", doc)
    row_id = _int_or_none(row.get("id"))
    if row_id is not None:
        batch.ids.append(row_id)
    if action in ("insert", "update"):
        item, nukes, quarantined = parse_row(row, source=source, location=where, max_name=max_name)
        if item is not None:
            batch.items.append(item)
        batch.nukes.extend(nukes)
        batch.quarantined.extend(quarantined)
        return batch
    name = _row_name(row, max_name)
    if name is None:
        return bad(f"bad predb frame: {action} for a row without a usable name", doc)
    nuke_action = "delpre" if action == "delete" else action
    try:
        batch.nukes.append(
            parse_nuke(row.get("nuke"), name, source=source, action=nuke_action, received=received)
        )
    except FeedError as exc:
        return bad(f"bad predb frame: {exc.reason}", doc)
    return batch


def max_id(ids: Iterable[int]) -> int | None:
    """The largest id, or None."""
    return max(ids, default=None)
