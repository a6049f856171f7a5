"""Content-Encoding decoded by LeakTrace itself, with the size cap on every layer.

httpx's own decoders inflate each network chunk in one call, without a limit: a 64 KB
gzip chunk can become 64 MB at once, and a stacked ``Content-Encoding: gzip, gzip``
reply of 2 KB becomes gigabytes before any cap is looked at. So the fetcher reads the raw
bytes (``iter_raw``) and hands them to a :class:`BoundedBody`, which undoes each coding
with ``zlib.decompressobj(...).decompress(data, max_length)``, in pieces of at most
:data:`PIECE` bytes, counting what every layer produces as it goes. The moment any
layer's output (the last one's is the body) passes ``max_bytes``, :class:`BodyTooLarge`
is raised: memory stays at about ``max_bytes`` plus one piece per layer, whatever the
ratio.

Codings understood: ``gzip`` (``x-gzip``; concatenated members too), ``deflate`` (zlib
wrapped or raw, as servers send both) and ``identity``; at most :data:`MAX_LAYERS`
layers. Anything else (``br``, ``zstd``, ``compress``, unknown names) is refused with
:class:`BadEncoding`: the fetcher asks for ``identity`` only, so such a reply is not what
was asked for.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator

__all__ = [
    "HEAD",
    "MAX_LAYERS",
    "PIECE",
    "BadEncoding",
    "BodyTooLarge",
    "BoundedBody",
    "codings_of",
]

PIECE = 64 * 1024
"""The most one layer inflates in one step."""
MAX_LAYERS = 3
HEAD = 512
"""How much of the raw reply :class:`BoundedBody` keeps as sent."""
_GZIP_MAGIC = b"\x1f\x8b"
_NAMES = {"gzip": "gzip", "x-gzip": "gzip", "deflate": "deflate"}


class BadEncoding(Exception):
    """The reply's Content-Encoding is not one LeakTrace decodes, or its data is corrupt."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BodyTooLarge(Exception):
    """A layer of the reply (or the decoded body) passed the cap."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def codings_of(values: Iterable[str]) -> list[str]:
    """The codings of ``Content-Encoding`` header values, in the order they were applied
    (``identity`` left out). Raises :class:`BadEncoding` for an unknown coding or more
    than :data:`MAX_LAYERS` layers."""
    codings: list[str] = []
    for value in values:
        for token in value.split(","):
            name = token.strip().lower()
            if not name or name == "identity":
                continue
            if name not in _NAMES:
                raise BadEncoding(
                    f"unsupported Content-Encoding {name[:40]!r} "
                    "(LeakTrace asks for identity and decodes only gzip and deflate)"
                )
            codings.append(_NAMES[name])
    if len(codings) > MAX_LAYERS:
        raise BadEncoding(
            f"{len(codings)} layers of Content-Encoding ({', '.join(codings)[:200]}); "
            f"at most {MAX_LAYERS} are decoded"
        )
    return codings


class _Inflater:
    """One gzip or deflate layer, inflating at most :data:`PIECE` bytes per step."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        self._zlib: zlib._Decompress | None = None
        self._waiting = b""
        """Bytes held until the next stream's start can be recognised."""
        self._between = coding == "gzip"
        """At the start of a gzip member (the first, or one after another)."""
        self._trailing = False

    def decode(self, data: bytes) -> Iterator[bytes]:
        while data and not self._trailing:
            if self._zlib is None or self._between:
                data, self._waiting = self._waiting + data, b""
                if len(data) < 2:
                    self._waiting = data
                    return
                self._start(data)
                if self._trailing:
                    return
            assert self._zlib is not None
            try:
                out = self._zlib.decompress(data, PIECE)
            except zlib.error as exc:
                raise BadEncoding(f"corrupt {self.coding} data: {exc}") from None
            if out:
                yield out
            data = self._zlib.unconsumed_tail
            if self._zlib.eof:
                data = self._zlib.unused_data
                if self.coding == "gzip":
                    self._between = True  # another member may follow
                else:
                    self._trailing = True
        yield from self._drain()

    def _start(self, head: bytes) -> None:
        """A new stream begins with ``head`` (two bytes at least)."""
        if self.coding == "gzip":
            if self._zlib is not None and not head.startswith(_GZIP_MAGIC):
                self._trailing = True  # bytes after the last member: ignored, as browsers do
                return
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS | 16)
            self._between = False
            return
        cmf, flg = head[0], head[1]  # deflate: zlib-wrapped or raw? Servers send both.
        wrapped = cmf & 0x0F == 8 and (cmf << 8 | flg) % 31 == 0
        self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def _drain(self) -> Iterator[bytes]:
        """Output still held back after the input ran out."""
        while self._zlib is not None and not self._zlib.eof and not self._between:
            try:
                out = self._zlib.decompress(b"", PIECE)
            except zlib.error as exc:
                raise BadEncoding(f"corrupt {self.coding} data: {exc}") from None
            if not out:
                break
            yield out

    def finish(self) -> Iterator[bytes]:
        if self._zlib is None and self._waiting:
            raise BadEncoding(f"truncated {self.coding} data")
        yield from self._drain()


class BoundedBody:
    """Raw reply bytes in, the decoded body out, no layer ever larger than ``max_bytes``.

    ``codings`` are in the order they were applied (as :func:`codings_of` gives them);
    they are undone last first.
    """

    def __init__(self, codings: list[str], max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.codings = list(codings)
        self._layers = [_Inflater(c) for c in reversed(self.codings)]
        self._produced = [0] * len(self._layers)
        self.body = bytearray()
        self.raw_bytes = 0
        self.raw_head = bytearray()
        """The first :data:`HEAD` bytes as sent (a sample of a reply that does not decode)."""

    def feed(self, raw: bytes) -> None:
        """Decode one raw chunk; :class:`BodyTooLarge` or :class:`BadEncoding` if need be."""
        if len(self.raw_head) < HEAD:
            self.raw_head += raw[: HEAD - len(self.raw_head)]
        self.raw_bytes += len(raw)
        if self.raw_bytes > self.max_bytes:
            raise BodyTooLarge("as sent")
        self._push(0, raw)

    def finish(self) -> bytes:
        """Flush every layer (outermost first) and return the body."""
        for level, layer in enumerate(self._layers):
            for piece in layer.finish():
                self._count(level, piece)
                self._push(level + 1, piece)
        return bytes(self.body)

    def _push(self, level: int, data: bytes) -> None:
        if level == len(self._layers):
            self.body += data
            return
        for piece in self._layers[level].decode(data):
            self._count(level, piece)
            self._push(level + 1, piece)

    def _count(self, level: int, piece: bytes) -> None:
        self._produced[level] += len(piece)
        if self._produced[level] > self.max_bytes:
            codings = ", ".join(self.codings)
            if level == len(self._layers) - 1:
                raise BodyTooLarge(f"once decoded (Content-Encoding: {codings})")
            raise BodyTooLarge(
                f"after undoing {level + 1} of the {len(self._layers)} layers of its "
                f"Content-Encoding ({codings})"
            )
