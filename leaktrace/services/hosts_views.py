"""Read models of the hosts area: a stored server, its clusters and the ties between them.

Shapes are those of ``leaktrace hosts list|clusters --format json``.
"""

from __future__ import annotations

from leaktrace.infra.model import HostCluster
from leaktrace.infra.model import HostView as HostRecordView
from leaktrace.services.views import View

__all__ = ["HostClusterView", "HostDetail", "HostView", "LocationView", "TieView"]


class LocationView(View):
    """One source's answer to where a host is."""

    source: str
    name: str
    path: str | None
    country: str | None
    asn: int | None
    organisation: str | None
    detail: str | None
    observed_at: str | None


class HostView(View):
    """A stored server with where it is and what ties it to releases and groups."""

    id: int
    server: str
    kind: str
    role: str
    country: str | None
    asn: int | None
    organisation: str | None
    first_seen: str | None
    last_seen: str | None
    information_source: str | None
    enriched_at: str | None
    enrichment_source: str | None
    reverse_dns: str | None
    reserved: bool
    country_source: str | None
    locations: list[LocationView]
    disagreement: str | None
    notes: str | None
    releases: list[str]
    leaks: int
    groups: list[str]
    evidence: list[str]

    @classmethod
    def of(cls, host: HostRecordView) -> HostView:
        return cls.model_validate(host.as_dict())


class TieView(View):
    """Why two hosts belong together: one kind of evidence and its strength (0-1)."""

    a: str
    b: str
    kind: str
    strength: float
    evidence: str


class HostClusterView(View):
    """Servers tied together, with the groups tied to them."""

    id: str
    hosts: list[str]
    groups: list[str]
    linked_groups: list[str]
    countries: list[str]
    releases: int
    first_seen: str | None
    last_seen: str | None
    ties: list[TieView]

    @classmethod
    def of(cls, cluster: HostCluster) -> HostClusterView:
        return cls.model_validate(cluster.as_dict())


class HostDetail(HostView):
    """One server, with its evidence in words and the cluster it belongs to (if any)."""

    evidence_text: list[str]
    cluster: HostClusterView | None
