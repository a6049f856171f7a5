"""A strict, bounded bencode decoder (and a small encoder, mainly for tests).

Values decode to ``int``, ``bytes``, ``list`` and ``dict[bytes, ...]``. The decoder is
iterative (no recursion, so ``b"l" * 100000`` cannot crash the interpreter) and bounded:

* nesting deeper than ``max_depth`` lists/dicts, or more than ``max_items`` values in all
  (dict keys included), is refused;
* an integer is ``i<digits>e`` with no leading zeros, no ``-0``, no ``+``, no spaces and at
  most :data:`MAX_INT_DIGITS` digits; a string length is ``<digits>:`` with no leading zeros
  and must fit in the data that is left;
* anything after the first complete value is "trailing garbage";
* dict keys must be byte strings; a **duplicate key is always an error**.

Key order: the specification wants dict keys sorted as raw byte strings, but real-world
torrents written by old or sloppy clients sometimes are not. By default the decoder is
*lenient on order*: it accepts unsorted keys and reports the offset of every dict that had
them in :attr:`Decoded.unsorted_at`. ``strict_order=True`` makes them an error instead.
Leniency is safe for infohashes because the hash is taken over the exact raw bytes of the
``info`` dict (:attr:`Decoded.info_span`), never over a re-encoding.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from leaktrace.formats.errors import BencodeError

__all__ = [
    "DEFAULT_MAX_DEPTH",
    "DEFAULT_MAX_ITEMS",
    "MAX_INT_DIGITS",
    "BencodeError",
    "Decoded",
    "decode",
    "decode_document",
    "encode",
]

DEFAULT_MAX_DEPTH = 64
DEFAULT_MAX_ITEMS = 1_000_000
MAX_INT_DIGITS = 64
"""Longest integer accepted (torrents need at most 20 digits); also keeps ``int()`` cheap."""
_MAX_LEN_DIGITS = 19

_INT_RE = re.compile(rb"-?(?:0|[1-9][0-9]*)")
_LEN_RE = re.compile(rb"0|[1-9][0-9]*")
_PARTIAL_INT_RE = re.compile(rb"-?[0-9]*")

_I, _L, _D, _E, _COLON = 0x69, 0x6C, 0x64, 0x65, 0x3A


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded document and where things were in its bytes."""

    value: object
    info_span: tuple[int, int] | None
    """``(start, end)`` of the value of the top-level dict's ``info`` key: ``data[start:end]``
    is exactly what the infohash is computed over. None if there is no such key."""
    unsorted_at: tuple[int, ...] = ()
    """Offsets of the dicts whose keys were not in sorted order (lenient mode)."""


class _Frame:
    __slots__ = ("container", "is_dict", "key", "last_key", "start", "unsorted")

    def __init__(self, is_dict: bool, start: int) -> None:
        self.is_dict = is_dict
        self.container: dict[bytes, object] | list[object] = {} if is_dict else []
        self.key: bytes | None = None
        self.last_key: bytes | None = None
        self.start = start
        self.unsorted = False


def decode(
    data: bytes | bytearray | memoryview,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_items: int = DEFAULT_MAX_ITEMS,
    strict_order: bool = False,
) -> object:
    """Decode one bencoded value that must span all of ``data``.

    Raises :class:`BencodeError` (an :class:`~leaktrace.errors.InputError`) for any
    malformed or out-of-bounds input, and for nothing else.
    """
    return decode_document(
        data, max_depth=max_depth, max_items=max_items, strict_order=strict_order
    ).value


def decode_document(
    data: bytes | bytearray | memoryview,
    *,
    max_depth: int = DEFAULT_MAX_DEPTH,
    max_items: int = DEFAULT_MAX_ITEMS,
    strict_order: bool = False,
) -> Decoded:
    """Like :func:`decode`, also giving the byte span of the top-level ``info`` value."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"bencode data must be bytes, not {type(data).__name__}")
    buf = bytes(data)
    n = len(buf)
    if n == 0:
        raise BencodeError("empty input", offset=0)
    pos = 0
    items = 0
    stack: list[_Frame] = []
    info_span: tuple[int, int] | None = None
    unsorted: list[int] = []

    def count(at: int) -> None:
        nonlocal items
        items += 1
        if items > max_items:
            raise BencodeError(f"more than {max_items} values", offset=at)

    while True:
        if pos >= n:
            raise BencodeError("truncated: data ends inside a value", offset=n)
        start = pos
        c = buf[pos]
        frame = stack[-1] if stack else None
        value: object
        if c == _E:
            if frame is None:
                raise BencodeError("unexpected 'e' (no list or dict to end)", offset=pos)
            if frame.is_dict and frame.key is not None:
                raise BencodeError("dict key without a value", offset=pos)
            stack.pop()
            if frame.unsorted:
                unsorted.append(frame.start)
            value = frame.container
            start = frame.start
            pos += 1
        elif frame is not None and frame.is_dict and frame.key is None:
            if not 0x30 <= c <= 0x39:
                raise BencodeError(f"dict key must be a byte string, found {_show(c)}", offset=pos)
            key, pos = _read_string(buf, pos, n)
            count(start)
            last = frame.last_key
            assert isinstance(frame.container, dict)
            if last is not None and key <= last:
                if key == last or key in frame.container:
                    raise BencodeError(f"duplicate dict key {_key(key)}", offset=start)
                if strict_order:
                    raise BencodeError(
                        f"dict keys not sorted: {_key(key)} after {_key(last)}", offset=start
                    )
                frame.unsorted = True
            elif key in frame.container:
                raise BencodeError(f"duplicate dict key {_key(key)}", offset=start)
            frame.key = key
            if last is None or key > last:
                frame.last_key = key
            continue
        elif c == _I:
            value, pos = _read_int(buf, pos, n)
            count(start)
        elif 0x30 <= c <= 0x39:
            value, pos = _read_string(buf, pos, n)
            count(start)
        elif c == _L or c == _D:
            if len(stack) >= max_depth:
                raise BencodeError(f"nested deeper than {max_depth} levels", offset=pos)
            count(start)
            stack.append(_Frame(c == _D, pos))
            pos += 1
            continue
        else:
            raise BencodeError(f"unexpected {_show(c)}", offset=pos)

        if not stack:
            root = value
            break
        parent = stack[-1]
        if parent.is_dict:
            assert isinstance(parent.container, dict) and parent.key is not None
            if len(stack) == 1 and parent.key == b"info":
                info_span = (start, pos)
            parent.container[parent.key] = value
            parent.key = None
        else:
            assert isinstance(parent.container, list)
            parent.container.append(value)

    if pos != n:
        raise BencodeError(f"trailing garbage: {n - pos} bytes after the value", offset=pos)
    return Decoded(root, info_span, tuple(sorted(unsorted)))


def _read_int(buf: bytes, pos: int, n: int) -> tuple[int, int]:
    limit = min(n, pos + MAX_INT_DIGITS + 3)
    end = buf.find(b"e", pos + 1, limit)
    if end < 0:
        if _PARTIAL_INT_RE.fullmatch(buf[pos + 1 : limit]) is None:
            raise BencodeError(f"bad integer {_clip(buf[pos + 1 : limit])}", offset=pos)
        if limit == n:
            raise BencodeError("truncated integer (no closing 'e')", offset=pos)
        raise BencodeError(f"integer longer than {MAX_INT_DIGITS} digits", offset=pos)
    body = buf[pos + 1 : end]
    if not body:
        raise BencodeError("empty integer 'ie'", offset=pos)
    if _INT_RE.fullmatch(body) is None:
        raise BencodeError(f"bad integer {_clip(body)}", offset=pos)
    if body == b"-0":
        raise BencodeError("bad integer '-0'", offset=pos)
    if len(body.lstrip(b"-")) > MAX_INT_DIGITS:
        raise BencodeError(f"integer longer than {MAX_INT_DIGITS} digits", offset=pos)
    return int(body), end + 1


def _read_string(buf: bytes, pos: int, n: int) -> tuple[bytes, int]:
    limit = min(n, pos + _MAX_LEN_DIGITS + 1)
    colon = buf.find(b":", pos, limit)
    if colon < 0:
        digits = buf[pos:limit]
        if not digits.isdigit():
            raise BencodeError(f"bad string length {_clip(digits)}", offset=pos)
        if limit == n:
            raise BencodeError("truncated string length (no ':')", offset=pos)
        raise BencodeError(f"string length longer than {_MAX_LEN_DIGITS} digits", offset=pos)
    head = buf[pos:colon]
    if _LEN_RE.fullmatch(head) is None:
        raise BencodeError(f"bad string length {_clip(head)}", offset=pos)
    length = int(head)
    begin = colon + 1
    if length > n - begin:
        raise BencodeError(f"string of {length} bytes but only {n - begin} bytes left", offset=pos)
    return buf[begin : begin + length], begin + length


def _show(c: int) -> str:
    return f"'{chr(c)}'" if 0x21 <= c <= 0x7E else f"byte 0x{c:02x}"


def _clip(raw: bytes) -> str:
    text = raw[:24].decode("latin-1")
    return repr(text + ("..." if len(raw) > 24 else ""))


def _key(raw: bytes) -> str:
    return _clip(raw)


def encode(obj: object, *, sort_keys: bool = True) -> bytes:
    """Bencode ``obj``: int (not bool), bytes/bytearray, str (as UTF-8), list/tuple and
    mappings with bytes or str keys. Keys are sorted as raw bytes unless ``sort_keys`` is
    False (insertion order is kept: useful to build deliberately unsorted test data).

    Raises ``TypeError`` for other types and ``ValueError`` for keys that collide.
    """
    out: list[bytes] = []
    # Iterative, like the decoder: a stack of pending items ("e" markers are bytes).
    todo: list[object] = [obj]
    while todo:
        item = todo.pop()
        if isinstance(item, _Raw):
            out.append(item.data)
        elif isinstance(item, bool):
            raise TypeError("cannot bencode a bool (use 0 or 1)")
        elif isinstance(item, int):
            out.append(b"i%de" % item)
        elif isinstance(item, bytes | bytearray | memoryview):
            raw = bytes(item)
            out.append(b"%d:%s" % (len(raw), raw))
        elif isinstance(item, str):
            raw = item.encode("utf-8")
            out.append(b"%d:%s" % (len(raw), raw))
        elif isinstance(item, Mapping):
            pairs: list[tuple[bytes, object]] = []
            seen: set[bytes] = set()
            for key, value in item.items():
                if isinstance(key, str):
                    key = key.encode("utf-8")
                if not isinstance(key, bytes):
                    raise TypeError(f"dict keys must be bytes or str, not {type(key).__name__}")
                if key in seen:
                    raise ValueError(f"duplicate dict key {key!r}")
                seen.add(key)
                pairs.append((key, value))
            if sort_keys:
                pairs.sort(key=lambda pair: pair[0])
            out.append(b"d")
            todo.append(_Raw(b"e"))
            for key, value in reversed(pairs):
                todo.append(value)
                todo.append(_Raw(b"%d:%s" % (len(key), key)))
        elif isinstance(item, Sequence):
            out.append(b"l")
            todo.append(_Raw(b"e"))
            todo.extend(reversed(list(item)))
        else:
            raise TypeError(f"cannot bencode {type(item).__name__}")
    return b"".join(out)


@dataclass(frozen=True, slots=True)
class _Raw:
    data: bytes
