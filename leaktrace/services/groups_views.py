"""Read models of the groups area: a group's summary line, its dossier and the graph.

Field names and values are those of ``leaktrace groups|group|group-graph --format json``
(times as ``YYYY-MM-DDTHH:MM:SSZ`` text, rounded figures), so the CLI, the API and the
pages share one shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import SerializerFunctionWrapHandler, model_serializer

from leaktrace.attribution.graph import GroupGraph, graph_json
from leaktrace.attribution.model import Dossier, GroupLink, GroupSummary
from leaktrace.services.views import View

__all__ = [
    "DistributorView",
    "FirstReleaseView",
    "GroupDossier",
    "GroupGraphView",
    "GroupLinkView",
    "GroupListView",
    "GroupNodeView",
    "GroupReleaseView",
    "GroupView",
    "GraphLinkView",
    "MonthActivityView",
    "NukesView",
    "WindowLeadView",
    "WorkHitView",
]


class GroupView(View):
    """One line of ``leaktrace groups``."""

    group: str
    key: str
    variants: list[str]
    releases: int
    matched: int
    leaks: int
    pre_release_rate: float | None
    median_lead_days: float | None
    windows: list[str]
    first_to_release: int
    contested: int
    works: int
    first_seen: str
    last_seen: str

    @classmethod
    def of(cls, summary: GroupSummary) -> GroupView:
        return cls.model_validate(summary.as_dict())


class GroupListView(View):
    """Every group matching the filters, in the order asked for."""

    groups: list[GroupView]

    @property
    def total(self) -> int:
        return len(self.groups)


class WindowLeadView(View):
    window: str
    leaks: int
    median_days: float
    min_days: float
    max_days: float


class WorkHitView(View):
    work_id: str
    work: str
    releases: int
    leaks: int
    first_release: str
    max_lead_days: float | None
    windows: list[str]


class DistributorView(View):
    """A distributor that shipped works the group released. ``accounts`` (customer
    accounts that received a leaked work first: personal data) is empty for readers
    without ``read:personal``; ``accounts_withheld`` then says how many there are (the
    key is absent when nothing was withheld)."""

    distributor: str
    works: int
    leaked_works: int
    shipped_before_leak: int
    shipments: int
    quantity: int
    accounts: list[str]
    accounts_withheld: int | None = None

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("accounts_withheld") is None:
            data.pop("accounts_withheld", None)
        return data


class MonthActivityView(View):
    month: str
    releases: int
    leaks: int


class FirstReleaseView(View):
    titles: int
    contested: int
    first: int
    rate: float | None
    median_margin_hours: float | None
    min_margin_hours: float | None
    max_margin_hours: float | None


class NukesView(View):
    nuked: int
    unnuked: int
    deleted: int
    reasons: dict[str, int]


class GroupLinkView(View):
    """A link between two groups as a dossier lists it."""

    kind: str
    source: str
    target: str
    source_key: str
    target_key: str
    directed: bool
    strength: float
    evidence: str
    details: dict[str, Any]

    @classmethod
    def of(cls, link: GroupLink) -> GroupLinkView:
        return cls.model_validate(link.as_dict())


class GroupReleaseView(View):
    release: str
    released_at: str
    work: str | None
    status: str
    window: str | None
    lead_days: float | None
    severity: str | None
    nuke: str | None


class GroupDossier(GroupView):
    """Everything known about one release group (``leaktrace group NAME``)."""

    leaks_by_window: dict[str, int]
    lead_by_window: list[WindowLeadView]
    sources: dict[str, int]
    resolutions: dict[str, int]
    codecs: dict[str, int]
    works_hit: list[WorkHitView]
    distributors: list[DistributorView]
    timeline: list[MonthActivityView]
    first_release: FirstReleaseView
    nukes: NukesView
    links: list[GroupLinkView]
    release_list: list[GroupReleaseView]

    @classmethod
    def of_dossier(cls, dossier: Dossier) -> GroupDossier:
        return cls.model_validate(dossier.as_dict())

    @property
    def account_names(self) -> int:
        """How many supply-chain account names the dossier lists."""
        return sum(len(d.accounts) for d in self.distributors)

    def without_accounts(self) -> GroupDossier:
        """The dossier for a reader without ``read:personal``: account names withheld."""
        hidden = [
            d.model_copy(update={"accounts": [], "accounts_withheld": len(d.accounts)})
            for d in self.distributors
        ]
        return self.model_copy(update={"distributors": hidden})


class GroupNodeView(View):
    """A group as a node of the graph (``id`` is the group key)."""

    id: str
    name: str
    variants: list[str]
    releases: int
    leaks: int
    pre_release_rate: float | None
    first_to_release: int
    first_seen: str
    last_seen: str


class GraphLinkView(View):
    """A link as an edge of the graph (d3 style: ``source``/``target`` are node ids)."""

    source: str
    target: str
    kind: str
    strength: float
    directed: bool
    evidence: str
    details: dict[str, Any]


class GroupGraphView(View):
    """``{"nodes": [...], "links": [...]}``: the JSON ``leaktrace group-graph --json`` writes."""

    nodes: list[GroupNodeView]
    links: list[GraphLinkView]

    @classmethod
    def of(cls, graph: GroupGraph) -> GroupGraphView:
        return cls.model_validate(graph_json(graph))
