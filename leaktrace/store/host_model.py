"""The host records the store reads and writes: a host as found, its evidence, each
source's answer to where it is, and a stored host with what ties it to releases.

They are defined here, below :mod:`leaktrace.infra` (which re-exports them from
:mod:`leaktrace.infra.model`), because the store's host tables are written from them.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from leaktrace.feeds.timeparse import format_time

__all__ = [
    "ROLE_PRIORITY",
    "SOURCE_LABELS",
    "SOURCE_PRECEDENCE",
    "Evidence",
    "HostRecord",
    "HostView",
    "LocationAnswer",
    "Role",
    "choose_location",
    "disagreement",
    "iso",
    "is_reserved",
]


class Role(StrEnum):
    """What a host does for the group."""

    TRACKER = "tracker"
    WEB_SEED = "web-seed"
    STREAMING = "streaming"
    CYBERLOCKER = "cyberlocker"
    SEEDBOX = "seedbox"
    INITIAL_SEEDER = "initial-seeder"
    SERVER = "server"
    SITE = "site"


ROLE_PRIORITY: dict[str, int] = {
    Role.INITIAL_SEEDER: 8,
    Role.SEEDBOX: 7,
    Role.SERVER: 6,
    Role.TRACKER: 5,
    Role.WEB_SEED: 4,
    Role.STREAMING: 3,
    Role.CYBERLOCKER: 2,
    Role.SITE: 1,
}
"""A host seen in several roles keeps the most telling one (an initial seeder over a site)."""


SOURCE_PRECEDENCE: tuple[str, ...] = ("analyst", "geoip", "dns", "certificate")
"""Which source's country a host is listed under, first to last:

* ``analyst`` — a country an analyst imported: established by the investigation (a
  provider's answer to a request, a partner's report, a seizure); the only source that can
  know where a machine stands. Of several imports, the latest.
* ``geoip`` — the address's own location in the GeoIP files, in the order given (the
  first ``--geoip`` first): registry and measurement data about that very address.
* ``dns`` — a domain's location: its address as resolved when looked up, located in the
  GeoIP files. Second-hand: the name may move, or point to a CDN's or proxy's edge.
* ``certificate`` — the country in a TLS certificate's subject (``C=``): where the
  certificate's holder is registered, not where the server stands; used only when nothing
  else answers.
"""

SOURCE_LABELS = {"analyst": "analyst", "geoip": "GeoIP", "dns": "DNS", "certificate": "certificate"}


@dataclass(frozen=True, slots=True)
class LocationAnswer:
    """One source's answer to where a host is (``country`` ``None``: it does not know)."""

    kind: str
    """One of :data:`SOURCE_PRECEDENCE`."""
    name: str
    """The import file (its full path: two files of one name are two sources), the GeoIP
    file (name, type, build date), the certificate …"""
    country: str | None
    observed_at: datetime
    asn: int | None = None
    organisation: str | None = None
    detail: str | None = None
    position: int = 0

    def rank(self) -> tuple[int, float, int, str]:
        """Sort key: precedence of the kind; the latest analyst or certificate answer,
        the GeoIP files in the order given."""
        kind = SOURCE_PRECEDENCE.index(self.kind) if self.kind in SOURCE_PRECEDENCE else 99
        latest = -self.observed_at.timestamp() if self.kind in ("analyst", "certificate") else 0
        return (kind, latest, self.position, self.name)

    def shown_name(self) -> str:
        """The source's name as sheets show it: an import file's name without its folder
        (sheets leave the machine), any other name as it is."""
        if self.kind == "analyst" and os.path.isabs(self.name):
            return os.path.basename(self.name)
        return self.name

    def label(self) -> str:
        """``GeoIP (dbip-country-lite.mmdb …)`` — the kind and the source's name."""
        return f"{SOURCE_LABELS.get(self.kind, self.kind)} ({self.shown_name()})"

    def as_dict(self) -> dict[str, Any]:
        """``name`` as sheets show it; ``path``: an import file's full path (else None)."""
        shown = self.shown_name()
        return {
            "source": SOURCE_LABELS.get(self.kind, self.kind),
            "name": shown,
            "path": self.name if shown != self.name else None,
            "country": self.country,
            "asn": self.asn,
            "organisation": self.organisation,
            "detail": self.detail,
            "observed_at": iso(self.observed_at),
        }


def choose_location(answers: Sequence[LocationAnswer]) -> LocationAnswer | None:
    """The answer a host's country comes from: the first by :data:`SOURCE_PRECEDENCE`
    that names a country (``None``: no source does)."""
    ranked = sorted((a for a in answers if a.country), key=LocationAnswer.rank)
    return ranked[0] if ranked else None


def disagreement(answers: Sequence[LocationAnswer]) -> str | None:
    """``GeoIP: NL, analyst: FR`` when the sources name different countries, else None.
    Each kind once per country, in precedence order; GeoIP files that differ among
    themselves are named."""
    located = sorted((a for a in answers if a.country), key=LocationAnswer.rank)
    if len({a.country for a in located}) < 2:
        return None
    per_kind: dict[str, list[LocationAnswer]] = {}
    for answer in located:
        per_kind.setdefault(answer.kind, []).append(answer)
    parts: list[str] = []
    for kind, group in per_kind.items():
        label = SOURCE_LABELS.get(kind, kind)
        if len({a.country for a in group}) == 1:
            parts.append(f"{label}: {group[0].country}")
        else:
            parts.extend(f"{label} {a.shown_name().split(' ', 1)[0]}: {a.country}" for a in group)
    return ", ".join(parts)


def iso(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def is_reserved(kind: str, value: str) -> bool:
    """A private, loopback, link-local, multicast or otherwise non-global address."""
    if kind != "ip":
        return False
    try:
        return not ipaddress.ip_address(value).is_global
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class HostRecord:
    """A host as found in one place (a sighting, a swarm row, an import row)."""

    kind: str
    """``ip`` or ``domain``."""
    value: str
    role: str
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    source: str | None = None
    notes: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a host is tied to a release or group, with a reference to the record."""

    kind: str
    reference: str
    release_id: int | None = None
    group_key: str | None = None
    seen_at: datetime | None = None
    detail: str | None = None
    """What the record is, in words (kept when the record itself is deleted)."""


@dataclass(frozen=True, slots=True)
class HostView:
    """A stored host with what ties it to releases and groups."""

    id: int
    kind: str
    value: str
    role: str
    first_seen: datetime | None
    last_seen: datetime | None
    information_source: str | None
    country: str | None
    asn: int | None
    organisation: str | None
    enriched_at: datetime | None
    enrichment_source: str | None
    notes: str | None
    reverse_dns: str | None = None
    """The address's PTR name when ``hosts enrich --reverse-dns`` looked it up."""
    releases: tuple[str, ...] = ()
    """Names of the releases tied to the host."""
    release_ids: frozenset[int] = frozenset()
    leak_ids: frozenset[int] = frozenset()
    """The tied releases whose status is ``leak``."""
    groups: tuple[str, ...] = ()
    """Keys of the groups tied to the host (through its releases or directly)."""
    references: tuple[str, ...] = ()
    evidence_kinds: tuple[str, ...] = ()
    locations: tuple[LocationAnswer, ...] = ()
    """Every source's answer to where the host is, in precedence order."""

    @property
    def reserved(self) -> bool:
        return is_reserved(self.kind, self.value)

    @property
    def location(self) -> LocationAnswer | None:
        """The answer ``country`` comes from (``None``: no source knows)."""
        return choose_location(self.locations)

    @property
    def country_source(self) -> str | None:
        chosen = self.location
        return None if chosen is None else chosen.label()

    @property
    def disagreement(self) -> str | None:
        return disagreement(self.locations)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "server": self.value,
            "kind": self.kind,
            "role": self.role,
            "country": self.country,
            "asn": self.asn,
            "organisation": self.organisation,
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "information_source": self.information_source,
            "enriched_at": iso(self.enriched_at),
            "enrichment_source": self.enrichment_source,
            "reverse_dns": self.reverse_dns,
            "reserved": self.reserved,
            "country_source": self.country_source,
            "locations": [a.as_dict() for a in self.locations],
            "disagreement": self.disagreement,
            "notes": self.notes,
            "releases": list(self.releases),
            "leaks": len(self.leak_ids),
            "groups": list(self.groups),
            "evidence": list(self.references),
        }
