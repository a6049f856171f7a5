"""Parse magnet URIs (BEP 9, BEP 52): infohashes, display name, trackers, web seeds, size.

``xt=urn:btih:`` carries a v1 infohash as 40 hex digits or 32 base32 characters (both are
normalised to 40 lower-case hex digits); ``xt=urn:btmh:1220...`` a v2 SHA-256 multihash
(normalised to 64 lower-case hex digits). A hybrid magnet has both. Indexed parameters
(``xt.1``, ``tr.2``) count like plain ones. Values are URL-decoded, ``+`` as a space.

Lenient: an ``xt`` that is malformed, a second different ``btih``, or an ``xl`` that is not
a number is skipped with a line in :attr:`Magnet.warnings`; only a URI that is not a
magnet, is too long, or has no valid ``xt`` at all is a :class:`MagnetError`.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from leaktrace.formats.errors import MagnetError

__all__ = ["MAX_MAGNET_CHARS", "Magnet", "MagnetError", "parse_magnet"]

MAX_MAGNET_CHARS = 65536
_MAX_VALUES = 200
_HEX40 = re.compile(r"[0-9a-fA-F]{40}")
_B32 = re.compile(r"[A-Za-z2-7]{32}")
_BTMH = re.compile(r"1220([0-9a-fA-F]{64})")
_INDEXED = re.compile(r"([a-z]{2})\.\d{1,4}")


@dataclass(frozen=True, slots=True)
class Magnet:
    """What a magnet URI says."""

    infohash: str | None
    """v1 infohash, 40 lower-case hex digits."""
    infohash_v2: str | None
    """v2 infohash (SHA-256), 64 lower-case hex digits."""
    name: str | None
    """``dn``, the display name (usually the release name)."""
    trackers: tuple[str, ...] = ()
    web_seeds: tuple[str, ...] = ()
    size: int | None = None
    """``xl``, the exact length in bytes."""
    warnings: tuple[str, ...] = ()


def parse_magnet(uri: str) -> Magnet:
    """Parse one magnet URI; raises :class:`MagnetError` if it is not a usable one."""
    if not isinstance(uri, str):
        raise TypeError(f"a magnet URI is text, not {type(uri).__name__}")
    text = uri.strip()
    if len(text) > MAX_MAGNET_CHARS:
        raise MagnetError(f"magnet URI is longer than {MAX_MAGNET_CHARS} characters")
    if text[:8].lower() != "magnet:?":
        raise MagnetError("not a magnet URI (must start with 'magnet:?')")
    v1: str | None = None
    v2: str | None = None
    name: str | None = None
    size: int | None = None
    trackers: list[str] = []
    seeds: list[str] = []
    warnings: list[str] = []
    for raw_key, value in parse_qsl(text[8:], keep_blank_values=True):
        key = raw_key.strip().lower()
        indexed = _INDEXED.fullmatch(key)
        if indexed is not None:
            key = indexed.group(1)
        value = value.strip()
        if key == "xt":
            kind, found = _exact_topic(value)
            if kind is None or found is None:
                warnings.append(f"unusable xt {value[:80]!r}")
            elif kind == "v1":
                if v1 is None:
                    v1 = found
                elif v1 != found:
                    warnings.append(f"second v1 infohash {found} ignored")
            elif v2 is None:
                v2 = found
            elif v2 != found:
                warnings.append(f"second v2 infohash {found} ignored")
        elif key == "dn":
            if name is None and value:
                name = value
        elif key == "tr":
            if value and len(trackers) < _MAX_VALUES:
                trackers.append(value)
        elif key == "ws":
            if value and len(seeds) < _MAX_VALUES:
                seeds.append(value)
        elif key == "xl":
            if value.isascii() and value.isdigit() and len(value) <= 20:
                size = int(value)
            else:
                warnings.append(f"xl is not a size in bytes: {value[:40]!r}")
    if v1 is None and v2 is None:
        raise MagnetError("no valid xt (urn:btih: or urn:btmh:) in the magnet URI", field="xt")
    return Magnet(
        infohash=v1,
        infohash_v2=v2,
        name=name,
        trackers=tuple(dict.fromkeys(trackers)),
        web_seeds=tuple(dict.fromkeys(seeds)),
        size=size,
        warnings=tuple(warnings[:50]),
    )


def _exact_topic(value: str) -> tuple[str | None, str | None]:
    lower = value.lower()
    if lower.startswith("urn:btih:"):
        digest = value[9:]
        if _HEX40.fullmatch(digest):
            return "v1", digest.lower()
        if _B32.fullmatch(digest):
            try:
                return "v1", base64.b32decode(digest.upper()).hex()
            except (binascii.Error, ValueError):
                return None, None
        return None, None
    if lower.startswith("urn:btmh:"):
        match = _BTMH.fullmatch(value[9:])
        if match is not None:
            return "v2", match.group(1).lower()
    return None, None
