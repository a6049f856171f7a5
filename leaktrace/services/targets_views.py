"""Read models of action-day targets: one country's sheet, and servers per country.

:class:`TargetsView` is the JSON of ``leaktrace targets --country XX --format json`` (and
of ``targets-XX.json``).
"""

from __future__ import annotations

from pydantic import Field

from leaktrace.infra.targets import TargetSheet
from leaktrace.services.hosts_views import HostClusterView, TieView
from leaktrace.services.views import View

__all__ = [
    "CountryCount",
    "TargetFilesView",
    "TargetRowView",
    "TargetsView",
    "TiesAbroadView",
    "WorldMapView",
]


class TargetRowView(View):
    """One server of a target sheet."""

    cluster: str | None
    server: str
    kind: str
    role: str
    provider: str | None
    asn: int | None
    country: str | None
    country_source: str | None
    disagreement: str | None
    locations: list[str]
    first_seen: str | None
    last_seen: str | None
    releases: list[str]
    leaks: int
    groups: list[str]
    evidence: list[str]
    information_source: str | None
    enriched_at: str | None
    enrichment_source: str | None
    reverse_dns: str | None
    reserved: bool
    notes: str | None


class TiesAbroadView(View):
    """A cluster's servers on this sheet and those in other countries (by country)."""

    cluster: str
    here: list[str]
    elsewhere: dict[str, list[str]]
    ties_across: int
    strongest_across: list[TieView]
    groups: list[str]


class TargetsView(View):
    """The servers to seize in one country (or ``unknown``), with the evidence."""

    country: str
    country_name: str
    generated_at: str | None
    servers: int
    notes: list[str]
    hosts: list[TargetRowView]
    ties_to_other_countries: list[TiesAbroadView]
    clusters: list[HostClusterView]
    unlocated: int = Field(default=0, exclude=True)
    """Hosts anywhere with no country (on the ``unknown`` sheet); not in the JSON."""

    @property
    def title(self) -> str:
        from leaktrace.infra.targets import sheet_title

        return sheet_title(self.country)

    @classmethod
    def of(cls, sheet: TargetSheet) -> TargetsView:
        return cls.model_validate(sheet.as_dict() | {"unlocated": sheet.unlocated})


class TargetFilesView(View):
    """Target sheets written to files (``leaktrace targets --out DIR --format json``)."""

    written: list[str]
    countries: list[str]
    servers: dict[str, int] = Field(default_factory=dict, exclude=True)
    """Servers on each sheet written (not in the JSON)."""
    unlocated: int = Field(default=0, exclude=True)


class CountryCount(View):
    country: str
    name: str
    servers: int
    leaks: int


class WorldMapView(View):
    """Servers and leaks per country, and the world map of servers as SVG."""

    countries: list[CountryCount]
    unlocated: int
    svg: str
