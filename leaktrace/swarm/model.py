"""What one swarm observation is, before privacy reduction, and the errors reading them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from ipaddress import IPv4Address, IPv6Address

from leaktrace.errors import InputError

__all__ = [
    "INFRASTRUCTURE",
    "INFRASTRUCTURE_TAGS",
    "PEER",
    "SwarmError",
    "SwarmRecord",
]

PEER = "peer"
INFRASTRUCTURE = "infrastructure"
INFRASTRUCTURE_TAGS = frozenset({"infrastructure", "seedbox", "initial-seeder", "server"})
"""Tags that mark an address as infrastructure (kept in clear); anything else is a peer."""


class SwarmError(InputError):
    """A swarm observations file or row is malformed (file, line, field, reason)."""


@dataclass(frozen=True, slots=True)
class SwarmRecord:
    """One validated row of a swarm file. ``ip`` and ``port`` are still in clear here: the
    importer reduces them (keyed hash) before anything reaches the database."""

    line: int
    observed_at: datetime
    infohash: str
    """40 lower-case hex digits (v1 infohash)."""
    ip: IPv4Address | IPv6Address
    port: int | None
    client: str | None
    seeder: bool
    completed: bool
    tag: str | None

    @property
    def role(self) -> str:
        return INFRASTRUCTURE if self.tag in INFRASTRUCTURE_TAGS else PEER

    def __repr__(self) -> str:  # never print a downloader's address by accident
        shown = str(self.ip) if self.role == INFRASTRUCTURE else "<peer>"
        return (
            f"SwarmRecord(line={self.line}, observed_at={self.observed_at.isoformat()}, "
            f"infohash={self.infohash}, ip={shown}, role={self.role})"
        )
