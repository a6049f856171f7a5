"""The secret key and the keyed hashes that stand in for downloaders' addresses.

No default key exists: an import without one is refused. The key comes from, in order,
``--key-file FILE``, a key passed by the caller (the future ``Settings.swarm_key``), or the
environment variable ``LEAKTRACE_SWARM_KEY``. It must be at least 16 bytes; generate one
with ``python -c "import secrets; print(secrets.token_hex(32))"``.

``peer_key`` is HMAC-SHA256(key, canonical address) in hex: the same address gives the
same key (distinct peers can be counted) but without the key the address cannot be found
again, not even by trying all 2**32 IPv4 addresses. Row fingerprints are keyed too, so the
(unstored) port of a peer cannot be recovered from them either.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path

from leaktrace.errors import ConfigError

__all__ = [
    "KEY_ENV",
    "MIN_KEY_BYTES",
    "canonical_ip",
    "load_swarm_key",
    "observation_fingerprint",
    "peer_key",
]

KEY_ENV = "LEAKTRACE_SWARM_KEY"
MIN_KEY_BYTES = 16
_NO_KEY = (
    "no swarm key configured: peers' addresses are stored only as keyed hashes and there "
    f"is no default key. Set {KEY_ENV} or pass --key-file FILE (a secret of at least "
    f'{MIN_KEY_BYTES} bytes, e.g. from: python -c "import secrets; '
    'print(secrets.token_hex(32))")'
)


def load_swarm_key(
    key_file: Path | None = None,
    configured: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> bytes:
    """The swarm key as bytes; :class:`ConfigError` if none is configured or it is short."""
    env = os.environ if environ is None else environ
    source: str
    if key_file is not None:
        try:
            key = key_file.read_bytes().strip()
        except OSError as exc:
            raise ConfigError(
                f"cannot read swarm key file {key_file}: {exc.strerror or exc}"
            ) from None
        source = f"key file {key_file}"
    elif configured:
        key = configured.strip().encode("utf-8")
        source = "the configured swarm_key"
    elif env.get(KEY_ENV, "").strip():
        key = env[KEY_ENV].strip().encode("utf-8")
        source = KEY_ENV
    else:
        raise ConfigError(_NO_KEY)
    if len(key) < MIN_KEY_BYTES:
        raise ConfigError(
            f"swarm key from {source} is {len(key)} bytes long; use at least {MIN_KEY_BYTES}"
        )
    return key


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
