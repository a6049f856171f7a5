"""What LeakTrace shares, as plain values (issue 12).

The services read their own views (groups, hosts, leaks, supply findings) and copy the parts
worth sharing into these frozen dataclasses; :mod:`leaktrace.exchange.stix_objects` turns them
into STIX 2.1 objects. The facts hold only plain values (strings, numbers, aware datetimes,
tuples), so this package needs nothing from the store or the services, and the same facts
always give the same STIX ids.

Timestamps must be timezone-aware (UTC is assumed by STIX); the builders refuse naive ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = [
    "AgencyFacts",
    "GroupFacts",
    "GroupLinkFacts",
    "HostFacts",
    "LeakFacts",
    "ReleaseFacts",
    "SupplyFinding",
]


@dataclass(frozen=True)
class AgencyFacts:
    """An agency that publishes or sighted something (becomes an ``identity``)."""

    code: str
    """The agency's short code in LeakTrace (``FR-PN``); part of its STIX id."""
    name: str
    country: str | None = None
    """ISO 3166-1 alpha-2 code, when known."""
    kind: str | None = None
    """What sort of agency (police, customs, rights holder ...), free text."""


@dataclass(frozen=True)
class GroupFacts:
    """A release group (becomes an ``intrusion-set``)."""

    name: str
    """The canonical spelling; its lower-cased form is the group's stable key."""
    first_seen: datetime
    last_seen: datetime
    spellings: tuple[str, ...] = ()
    """Other spellings seen in release names (STIX ``aliases``)."""
    releases: int | None = None
    leaks: int | None = None
    description: str | None = None


@dataclass(frozen=True)
class HostFacts:
    """A server seen distributing releases (becomes ``infrastructure`` and an observable)."""

    value: str
    """An IPv4 or IPv6 address, a domain name or a URL (the kind is found by parsing it)."""
    role: str
    """What the server did (topsite, tracker, index site ...), LeakTrace's own word."""
    country: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    releases: tuple[str, ...] = ()
    """Names of the releases that tie the host to its groups."""
    groups: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    """One sentence per piece of evidence, as the host page shows them."""


@dataclass(frozen=True)
class ReleaseFacts:
    """A scene or P2P release (becomes the ``x-leaktrace-release`` object)."""

    name: str
    """The release name; its exact text is the release's stable key."""
    group: str | None = None
    work_title: str | None = None
    work_year: int | None = None
    window: str | None = None
    """The release window the release came out before or in (``theatrical``, ``digital`` ...)."""
    lead_days: float | None = None
    """Days before the window opened (negative: after)."""
    info_hash: str | None = None
    """BitTorrent v1 info-hash, 40 hex digits, when the release was seen as a torrent."""
    released_at: datetime | None = None


@dataclass(frozen=True)
class LeakFacts:
    """A leak alert: a release seen before its window (becomes a ``sighting``)."""

    alert_id: int
    release: ReleaseFacts
    severity: str
    sightings: int = 1
    """How many times the release was seen (the sighting's ``count``)."""


@dataclass(frozen=True)
class GroupLinkFacts:
    """A link found between two groups (becomes a ``related-to`` relationship)."""

    source: str
    target: str
    kind: str
    """How the link was found (shared host, following, shared couriers ...)."""
    strength: float
    """0 to 1; becomes the relationship's ``confidence`` (0 to 100)."""
    evidence: str
    found_at: datetime | None = None
    """When LeakTrace first found the link (the relationship's ``created``), if known."""


@dataclass(frozen=True)
class SupplyFinding:
    """A supply account that may be the source of leaks (becomes a ``note``)."""

    account: str
    """The account's label, as the case shows it (never more personal data than that)."""
    explanation: str
    posterior: float
    """Probability, 0 to 1, that the account is involved; becomes ``confidence``."""
    found_at: datetime | None = None
    """When the finding was made (the note's ``created``), if known."""
