"""The swarm key: where it comes from, how it is made, and the check value that ties a
database to one key.

No default key exists: an import without one is refused. The key comes from, first
found: ``--key-file FILE``; the ``swarm_key_file`` setting (``LEAKTRACE_SWARM_KEY_FILE``
or ``config.toml``); the ``swarm_key`` setting (``LEAKTRACE_SWARM_KEY`` or
``config.toml``). It must be at least :data:`MIN_KEY_BYTES` bytes. ``leaktrace swarm
keygen --out FILE`` writes a new one (64 hex digits, 256 random bits) to a file only its
owner can read; a key file that other users can read or write is refused.

:func:`key_check` is an HMAC of a fixed label under the key: stored in the database on
the first import, it lets every later import refuse a different key (which would count
every peer twice) without storing the key. The demo's published key is refused outside
the demo's own database (:data:`DEMO_KEY_CHECK`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import ip_address
from pathlib import Path

from sqlalchemy.engine import Connection

from leaktrace.errors import ConfigError
from leaktrace.store.swarm import (
    infrastructure_sample,
    observation_count,
    store_key_check,
    stored_key_check,
)
from leaktrace.swarm.privacy import peer_key

__all__ = [
    "DEMO_KEY_CHECK",
    "bind_database_key",
    "KEY_ENV",
    "KEY_FILE_ENV",
    "MIN_KEY_BYTES",
    "SwarmKey",
    "generate_key",
    "is_demo_key",
    "key_check",
    "load_swarm_key",
    "resolve_swarm_key",
    "write_key_file",
]

KEY_ENV = "LEAKTRACE_SWARM_KEY"
KEY_FILE_ENV = "LEAKTRACE_SWARM_KEY_FILE"
MIN_KEY_BYTES = 32
_CHECK_LABEL = b"leaktrace-swarm-key-check-v1"
DEMO_KEY_CHECK = "0e1023a80bdcfac68366621f86acf6073e695761857235c318168cd8e6ba691d"
"""``key_check`` of the demo's published key (``leaktrace.demo.infra.DEMO_SWARM_KEY``)."""
_NO_KEY = (
    "no swarm key configured: peers' addresses are stored only as keyed hashes and there "
    "is no default key. Make one once with 'leaktrace swarm keygen --out FILE', then pass "
    f"--key-file FILE or set {KEY_FILE_ENV}=FILE (or swarm_key_file in config.toml)"
)


@dataclass(frozen=True, slots=True)
class SwarmKey:
    """The key's bytes and where they came from (for error messages; never the key)."""

    secret: bytes
    source: str

    def __repr__(self) -> str:  # never print the key by accident
        return f"SwarmKey(source={self.source!r})"


def load_swarm_key(
    key_file: Path | None = None,
    configured: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    configured_file: Path | None = None,
) -> bytes:
    """The swarm key as bytes; see :func:`resolve_swarm_key`."""
    return resolve_swarm_key(key_file, configured, environ, configured_file=configured_file).secret


def resolve_swarm_key(
    key_file: Path | None = None,
    configured: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    configured_file: Path | None = None,
) -> SwarmKey:
    """The key from ``key_file`` (``--key-file``), else ``configured_file`` (the
    ``swarm_key_file`` setting) or ``LEAKTRACE_SWARM_KEY_FILE``, else ``configured`` (the
    ``swarm_key`` setting) or ``LEAKTRACE_SWARM_KEY``. :class:`ConfigError`, naming where
    the key came from, if there is none, it is shorter than :data:`MIN_KEY_BYTES` or its
    file is unreadable or open to other users."""
    env = os.environ if environ is None else environ
    env_file = env.get(KEY_FILE_ENV, "").strip()
    if key_file is not None:
        found = _read_key_file(key_file, f"key file {key_file} (--key-file)")
    elif configured_file is not None:
        found = _read_key_file(configured_file, f"key file {configured_file} (swarm_key_file)")
    elif env_file:
        found = _read_key_file(Path(env_file), f"key file {env_file} ({KEY_FILE_ENV})")
    elif configured and configured.strip():
        found = SwarmKey(
            configured.strip().encode("utf-8"), f"the swarm_key setting ({KEY_ENV} or config.toml)"
        )
    elif env.get(KEY_ENV, "").strip():
        found = SwarmKey(env[KEY_ENV].strip().encode("utf-8"), KEY_ENV)
    else:
        raise ConfigError(_NO_KEY)
    if len(found.secret) < MIN_KEY_BYTES:
        raise ConfigError(
            f"swarm key from {found.source} is {len(found.secret)} bytes long; it must be at "
            f"least {MIN_KEY_BYTES} (make one with 'leaktrace swarm keygen --out FILE')"
        )
    return found


def _read_key_file(path: Path, source: str) -> SwarmKey:
    path = path.expanduser()
    try:
        mode = path.stat().st_mode
        if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
            raise ConfigError(
                f"swarm {source} is open to other users (mode {stat.S_IMODE(mode):04o}): "
                f"make it readable by its owner only, e.g. chmod 600 {path}"
            )
        key = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read swarm {source}: {exc.strerror or exc}") from None
    return SwarmKey(key, source)


def key_check(key: bytes) -> str:
    """HMAC-SHA256 of a fixed label under ``key`` (64 hex digits): the same key always
    gives the same value; the value gives the key away no more than a ``peer_key`` does."""
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).hexdigest()


def is_demo_key(key: bytes) -> bool:
    """Whether ``key`` is the demo's published key."""
    return hmac.compare_digest(key_check(key), DEMO_KEY_CHECK)


def generate_key() -> str:
    """A new key: 64 hex digits (256 random bits)."""
    return secrets.token_hex(32)


def write_key_file(path: Path) -> str:
    """Write a new key to ``path`` (which must not exist yet), readable by its owner only
    (mode 0600; a folder created for it is 0700). Returns its :func:`key_check`."""
    path = path.expanduser()
    key = generate_key()
    try:
        if not path.parent.exists():
            path.parent.mkdir(mode=0o700, parents=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"{path} already exists: keygen never overwrites a key (a database imported "
            "with it would refuse a new one); choose another file"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot create key file {path}: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        if os.name == "posix":
            os.fchmod(handle.fileno(), 0o600)
        handle.write(key + "\n")
    return key_check(key.encode("ascii"))


def bind_database_key(
    conn: Connection,
    key: bytes,
    *,
    source: str = "the given key",
    demo: bool = False,
    now: datetime | None = None,
) -> str | None:
    """Refuse ``key`` unless it is the key this database's peers are hashed with; on the
    first import store its check value. Returns a note when earlier rows (from before
    key checks) could not be checked, else None.

    The demo's key is refused unless ``demo`` (the demo building its database) or the
    database is the demo's (its stored check value is the demo key's). A database from
    before key checks is checked against its infrastructure rows, whose addresses are in
    clear: their ``peer_key`` must be the key's hash of their address."""
    check = key_check(key)
    stored = stored_key_check(conn)
    if stored is None:
        if is_demo_key(key) and not demo:
            raise ConfigError(_demo_refusal(source))
        sample = infrastructure_sample(conn)
        for address, hashed in sample:
            if peer_key(key, ip_address(address)) != hashed:
                raise ConfigError(
                    f"swarm key from {source} is not the key this database's observations "
                    "were hashed with (its infrastructure rows do not match): importing "
                    "with it would count every peer twice. Use the key of the earlier imports"
                )
        earlier = observation_count(conn)
        stored = store_key_check(conn, check, now or datetime.now(UTC))
        if stored[0] == check and earlier and not sample:
            return (
                f"{earlier} observations were stored before LeakTrace checked swarm keys and "
                "have no infrastructure row to check the key against: this key is now the "
                "database's key; if they were imported with another one, their peers are "
                "counted apart from the new ones"
            )
    if stored[0] != check:
        if stored[0] == DEMO_KEY_CHECK:
            raise ConfigError(
                "this is the demo's database (its peers are hashed with the demo's key): "
                "import real observations into a database of their own (--db)"
            )
        raise ConfigError(
            f"swarm key from {source} is not the key this database's peers were hashed "
            f"with (key check {check[:12]}…, the database's {stored[0][:12]}…, stored "
            f"{stored[1]:%Y-%m-%d}): importing with it would count every peer twice. Use "
            "the key of the first import, or a new database for a new key"
        )
    return None


def _demo_refusal(source: str) -> str:
    return (
        f"swarm key from {source} is the demo's published key: it protects nothing and is "
        "accepted only in the demo's own database (the demo builds it with "
        "import_swarm_files(..., demo=True)). Make a key of your own with "
        "'leaktrace swarm keygen --out FILE'"
    )
