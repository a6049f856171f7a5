"""Which BitTorrent client a peer runs, reduced to a recognised name and version — or
``unknown``.

A swarm file's ``client`` column is outside text: a peer id (``-qB4630-`` followed by
12 per-session bytes), a client's own ``v`` string (``qBittorrent/4.6.3``) or anything a
crawler wrote there. Only what this module recognises is kept: the name from
:data:`AZUREUS_CLIENTS` (the two-letter codes of Azureus-style peer ids, as listed in
the BitTorrent specification's peer-id conventions and by the clients' own
identification code) and a version decoded from the four version characters, or a known
name followed by a plain version number. Everything else becomes :data:`UNKNOWN`, so no
free text (and no address written into it) reaches the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["AZUREUS_CLIENTS", "UNKNOWN", "identify_client"]

UNKNOWN = "unknown"

THREE = "three"
"""Version characters ``abcX``: a.b.c, each 0-9 or A-Z (10-35); the fourth is a build tag."""
FOUR = "four"
"""``abcd``: a.b.c.d (a.b.c when the fourth is not a digit or capital)."""
TWO_TWO = "two-two"
"""``aabb``: aa.bb as numbers (BitComet ``0201`` is 2.01)."""
TRANSMISSION = "transmission"
"""``0072`` is 0.72, ``294Z`` is 2.94, ``400X`` and later are 4.0.0."""


@dataclass(frozen=True, slots=True)
class _Client:
    name: str
    style: str = THREE


AZUREUS_CLIENTS: dict[str, _Client] = {
    "AZ": _Client("Vuze", FOUR),
    "BC": _Client("BitComet", TWO_TWO),
    "BI": _Client("BiglyBT", FOUR),
    "BT": _Client("BitTorrent"),
    "BW": _Client("BitTorrent Web"),
    "CD": _Client("Enhanced CTorrent", TWO_TWO),
    "DE": _Client("Deluge"),
    "FD": _Client("Free Download Manager"),
    "FG": _Client("FlashGet", TWO_TWO),
    "FW": _Client("FrostWire"),
    "FX": _Client("Freebox", FOUR),
    "HL": _Client("Halite"),
    "KG": _Client("KGet", FOUR),
    "KT": _Client("KTorrent"),
    "LT": _Client("libtorrent"),
    "Lr": _Client("LibreTorrent"),
    "lt": _Client("rTorrent"),
    "MG": _Client("MediaGet"),
    "MO": _Client("MonoTorrent", FOUR),
    "PI": _Client("PicoTorrent"),
    "qB": _Client("qBittorrent"),
    "QD": _Client("QQDownload", FOUR),
    "SD": _Client("Thunder", FOUR),
    "SP": _Client("BitSpirit"),
    "SZ": _Client("Shareaza", FOUR),
    "TL": _Client("Tribler", FOUR),
    "TR": _Client("Transmission", TRANSMISSION),
    "TT": _Client("TuoTu", FOUR),
    "UE": _Client("µTorrent Embedded"),
    "UM": _Client("µTorrent Mac"),
    "UT": _Client("µTorrent"),
    "UW": _Client("µTorrent Web"),
    "VG": _Client("Vagaa", FOUR),
    "WW": _Client("WebTorrent", FOUR),
    "XL": _Client("Xunlei", FOUR),
    "XX": _Client("Xtorrent", FOUR),
    "ZO": _Client("Zona", FOUR),
}
"""Azureus-style peer-id codes (``-XXvvvv-``) → client, for the clients met in public
swarms (the BitTorrent specification's list of peer-id conventions; libtorrent's and
Transmission's client identification)."""

_AZUREUS = re.compile(r"^-([A-Za-z~][A-Za-z0-9~])([0-9A-Za-z]{4})-")
_NAMED = re.compile(
    r"^(?P<name>[^\s/]{1,24}(?: [^\s/]{1,24}){0,2})[ /]v?(?P<version>\d{1,3}(?:\.\d{1,4}){0,2})$"
)
_BY_NAME: dict[str, str] = {
    client.name.casefold(): client.name for client in AZUREUS_CLIENTS.values()
} | {
    "utorrent": "µTorrent",
    "azureus": "Vuze",
    "libtorrent": "libtorrent",
    "rtorrent": "rTorrent",
    "tixati": "Tixati",
    "aria2": "aria2",
}


def identify_client(text: str) -> str:
    """``"qBittorrent 4.6.3"`` for ``-qB4630-…`` or ``qBittorrent/4.6.3``; ``"unknown"``
    for anything not recognised."""
    value = text.strip()
    # a peer id is read from its first 9 characters (-XXvvvv- or -TIXvvvv-): the rest is
    # per-session, so this keeps the cache small while a swarm repeats the same clients
    return _identify(value[:9] if value.startswith("-") else value)


@lru_cache(maxsize=4096)
def _identify(value: str) -> str:
    match = _AZUREUS.match(value)
    if match is not None:
        client = AZUREUS_CLIENTS.get(match.group(1))
        version = _version(client.style, match.group(2)) if client is not None else None
        if client is None or version is None:
            return UNKNOWN
        return f"{client.name} {version}"
    if value.startswith("-TIX") and value[4:8].isdigit():  # Tixati: -TIX0305- is 3.05
        return f"Tixati {int(value[4:6])}.{value[6:8]}"
    named = _NAMED.match(value)
    if named is not None:
        name = _BY_NAME.get(named.group("name").casefold())
        if name is not None:
            return f"{name} {named.group('version')}"
    return UNKNOWN


def _digit(char: str) -> int | None:
    """0-9, then A-Z as 10-35 (the usual Azureus-style spelling of versions above 9)."""
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    return None


def _version(style: str, chars: str) -> str | None:
    if style == TWO_TWO:
        if not chars.isdigit():
            return None
        return f"{int(chars[:2])}.{chars[2:]}"
    if style == TRANSMISSION:
        return _transmission(chars)
    digits = [_digit(c) for c in chars[:3]]
    if any(d is None for d in digits):
        return None
    build = _digit(chars[3])
    if style == FOUR and build is not None:  # else the fourth is a tag (B: beta, s: stable)
        digits.append(build)
    return ".".join(str(d) for d in digits)


def _transmission(chars: str) -> str | None:
    if chars[:3] == "000" and chars[3].isdigit():
        return f"0.{chars[3]}"
    if chars[:2] == "00" and chars[2:].isdigit():
        return f"0.{chars[2:]}"
    if chars[0] <= "3" and chars[:3].isdigit():
        return f"{chars[0]}.{chars[1:3]}"
    digits = [_digit(c) for c in chars[:3]]
    if any(d is None for d in digits):
        return None
    return ".".join(str(d) for d in digits)
