"""What the infrastructure part works with: hosts, their evidence, ties, clusters, targets.

The host records the store reads and writes (:class:`HostRecord`, :class:`Evidence`,
:class:`LocationAnswer`, :class:`HostView` …) are defined in
:mod:`leaktrace.store.host_model` and re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from leaktrace.store.host_model import (
    ROLE_PRIORITY,
    SOURCE_LABELS,
    SOURCE_PRECEDENCE,
    Evidence,
    HostRecord,
    HostView,
    LocationAnswer,
    Role,
    choose_location,
    disagreement,
    is_reserved,
    iso,
)

__all__ = [
    "ROLE_PRIORITY",
    "CollectReport",
    "EnrichReport",
    "Evidence",
    "HostCluster",
    "HostRecord",
    "HostView",
    "ImportReport",
    "LocationAnswer",
    "Role",
    "SOURCE_LABELS",
    "SOURCE_PRECEDENCE",
    "Tie",
    "choose_location",
    "disagreement",
    "iso",
    "is_reserved",
]


@dataclass(slots=True)
class CollectReport:
    """What :func:`~leaktrace.infra.collect.collect_hosts` found and stored."""

    sightings: int = 0
    swarm_rows: int = 0
    hosts_seen: int = 0
    new_hosts: int = 0
    new_evidence: int = 0
    roles: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sightings": self.sightings,
            "swarm_rows": self.swarm_rows,
            "hosts_seen": self.hosts_seen,
            "new_hosts": self.new_hosts,
            "new_evidence": self.new_evidence,
            "roles": dict(sorted(self.roles.items())),
        }


@dataclass(slots=True)
class ImportReport:
    """What :func:`~leaktrace.infra.importer.import_hosts` stored."""

    file: str
    rows: int = 0
    new_hosts: int = 0
    updated_hosts: int = 0
    new_evidence: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "new_hosts": self.new_hosts,
            "updated_hosts": self.updated_hosts,
            "new_evidence": self.new_evidence,
        }


@dataclass(slots=True)
class EnrichReport:
    """What :func:`~leaktrace.infra.enrich.enrich_hosts` looked up.

    ``sources``: the files (name, type, licence, build date) and the attributions their
    licences require; ``notes``: what could not be looked up and why."""

    sources: list[str]
    asn_available: bool
    notes: list[str] = field(default_factory=list)
    hosts: int = 0
    located: int = 0
    with_asn: int = 0
    reserved: int = 0
    domains_skipped: int = 0
    resolved: int = 0
    not_found: int = 0
    reverse_named: int = 0
    """Addresses whose reverse DNS (PTR) gave a name (``reverse_dns=True`` only)."""
    disagreements: int = 0
    """Hosts looked up whose sources (analyst, GeoIP files …) name different countries."""
    at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "asn_available": self.asn_available,
            "notes": self.notes,
            "hosts": self.hosts,
            "located": self.located,
            "with_asn": self.with_asn,
            "reserved": self.reserved,
            "domains_skipped": self.domains_skipped,
            "resolved": self.resolved,
            "not_found": self.not_found,
            "reverse_named": self.reverse_named,
            "disagreements": self.disagreements,
            "at": iso(self.at),
        }


@dataclass(frozen=True, slots=True)
class Tie:
    """Why two hosts belong together: one kind of evidence, its strength (0–1), in words."""

    a: str
    b: str
    kind: str
    strength: float
    evidence: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "kind": self.kind,
            "strength": round(self.strength, 3),
            "evidence": self.evidence,
        }


@dataclass(frozen=True, slots=True)
class HostCluster:
    """Hosts tied together (connected through ties at least as strong as the minimum)."""

    id: str
    hosts: tuple[str, ...]
    ties: tuple[Tie, ...]
    groups: tuple[str, ...]
    """Groups tied to the cluster's hosts by evidence, most evidence first."""
    linked_groups: tuple[str, ...] = ()
    """Evidence (in words) of attribution links from those groups to other groups."""
    countries: tuple[str, ...] = ()
    releases: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "hosts": list(self.hosts),
            "groups": list(self.groups),
            "linked_groups": list(self.linked_groups),
            "countries": list(self.countries),
            "releases": self.releases,
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "ties": [t.as_dict() for t in self.ties],
        }
