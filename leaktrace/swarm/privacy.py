"""The keyed hashes that stand in for downloaders' addresses, and the masking of any
address in text that is stored (a file name).

Where the key comes from and how a database is tied to one: :mod:`leaktrace.swarm.keys`.

``peer_key`` is HMAC-SHA256(key, canonical address) in hex: the same address gives the
same key (distinct peers can be counted) but without the key the address cannot be found
again, not even by trying all 2**32 IPv4 addresses. Row fingerprints are keyed too, so the
(unstored) port of a peer cannot be recovered from them either.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address

__all__ = [
    "ADDRESS_MASK",
    "canonical_ip",
    "mask_addresses",
    "observation_fingerprint",
    "peer_key",
]

ADDRESS_MASK = "<address>"
_CANDIDATE = re.compile(r"[0-9A-Fa-f:.]*[:.][0-9A-Fa-f:.]*")
_DASHED = re.compile(r"(?<![0-9])[0-9]{1,3}([-_])[0-9]{1,3}\1[0-9]{1,3}\1[0-9]{1,3}(?![0-9])")
_LONGEST = 45  # ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255


def mask_addresses(text: str) -> str:
    """``text`` with every IPv4 or IPv6 address in it replaced by :data:`ADDRESS_MASK`:
    any spelling the standard library reads (inside brackets or followed by a port too),
    zero-padded IPv4 and IPv4 written with dashes or underscores (``198-51-100-7``)."""
    return _CANDIDATE.sub(_mask, _DASHED.sub(_mask_dashed, text))


def _mask_dashed(match: re.Match[str]) -> str:
    parts = re.split(r"[-_]", match.group(0))
    return ADDRESS_MASK if all(int(p) <= 255 for p in parts) else match.group(0)


def _mask(match: re.Match[str]) -> str:
    token = match.group(0)
    out: list[str] = []
    start = 0
    while start < len(token):
        for end in range(min(len(token), start + _LONGEST), start + 1, -1):
            if _is_address(token[start:end]):
                out.append(ADDRESS_MASK)
                start = end
                break
        else:
            out.append(token[start])
            start += 1
    return "".join(out)


def _is_address(text: str) -> bool:
    if ":" not in text and text.count(".") != 3:
        return False
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return _padded_ipv4(text)
    return True


def _padded_ipv4(text: str) -> bool:
    """``010.001.002.003``: refused by :mod:`ipaddress`, read by other software."""
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and len(p) <= 4 and int(p) <= 255 for p in parts)


def canonical_ip(address: IPv4Address | IPv6Address) -> str:
    """The one text form an address is hashed in (IPv4-mapped IPv6 is read as IPv4)."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return address.compressed


def peer_key(key: bytes, address: IPv4Address | IPv6Address) -> str:
    """HMAC-SHA256 of the address under ``key``, 64 hex digits."""
    message = b"leaktrace-peer-v1\x00" + canonical_ip(address).encode("ascii")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def observation_fingerprint(
    key: bytes,
    *,
    observed_at: datetime,
    infohash: str,
    peer: str,
    port: int | None,
    seeder: bool,
    completed: bool,
    role: str,
) -> str:
    """What makes an observation the same one again (40 hex digits, keyed)."""
    parts = (
        "leaktrace-observation-v1",
        observed_at.isoformat(),
        infohash,
        peer,
        "" if port is None else str(port),
        "S" if seeder else "-",
        "C" if completed else "-",
        role,
    )
    return hmac.new(key, "\x00".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()[:40]
