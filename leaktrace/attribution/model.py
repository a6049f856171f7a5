"""What attribution produces: group summaries, dossiers and links between groups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from leaktrace.feeds.timeparse import format_when

__all__ = [
    "Distributor",
    "Dossier",
    "FirstRelease",
    "GroupLink",
    "GroupRelease",
    "GroupSummary",
    "LinkKind",
    "MonthActivity",
    "Nukes",
    "WindowLead",
    "WorkHit",
    "iso",
]


iso = format_when
"""``YYYY-MM-DDTHH:MM:SSZ`` for times, ``YYYY-MM-DD`` for days."""


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


class LinkKind(StrEnum):
    """Why two groups are linked."""

    FOLLOWER = "follower"
    """The target releases the source's titles within hours after it (a re-encoder)."""
    NFO = "nfo"
    """Their NFOs share art or text."""
    TRACKERS = "trackers"
    """Their torrents announce to the same (uncommon) trackers or web seeds."""
    RENAMED = "renamed"
    """The target started when the source stopped, with the same habits."""

    @property
    def directed(self) -> bool:
        return self in (LinkKind.FOLLOWER, LinkKind.RENAMED)


@dataclass(frozen=True, slots=True)
class GroupLink:
    """A link between two groups (by key), with its strength (0–1) and evidence in words.

    For directed kinds ``source → target`` reads "target follows source" (follower) or
    "source became target" (renamed); for the others the keys are in alphabetical order.
    """

    kind: LinkKind
    source: str
    target: str
    source_name: str
    target_name: str
    strength: float
    evidence: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def directed(self) -> bool:
        return self.kind.directed

    def involves(self, key: str) -> bool:
        return key in (self.source, self.target)

    def other(self, key: str) -> str:
        return self.target if key == self.source else self.source

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "source": self.source_name,
            "target": self.target_name,
            "source_key": self.source,
            "target_key": self.target,
            "directed": self.directed,
            "strength": round(self.strength, 3),
            "evidence": self.evidence,
            "details": self.details,
        }


@dataclass(frozen=True, slots=True)
class GroupSummary:
    """One line of ``leaktrace groups``."""

    group: str
    key: str
    variants: tuple[str, ...]
    releases: int
    matched: int
    leaks: int
    median_lead_days: float | None
    windows: tuple[str, ...]
    first_to_release: int
    contested: int
    works: int
    first_seen: datetime
    last_seen: datetime

    @property
    def pre_release_rate(self) -> float | None:
        """Leaks / releases matched to a catalogue work (None with no matched release)."""
        return self.leaks / self.matched if self.matched else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "key": self.key,
            "variants": list(self.variants),
            "releases": self.releases,
            "matched": self.matched,
            "leaks": self.leaks,
            "pre_release_rate": _round(self.pre_release_rate, 3),
            "median_lead_days": _round(self.median_lead_days),
            "windows": list(self.windows),
            "first_to_release": self.first_to_release,
            "contested": self.contested,
            "works": self.works,
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
        }


@dataclass(frozen=True, slots=True)
class WindowLead:
    """Leaks of one window and their lead times in days."""

    window: str
    leaks: int
    median_days: float
    min_days: float
    max_days: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "window": self.window,
            "leaks": self.leaks,
            "median_days": round(self.median_days, 2),
            "min_days": round(self.min_days, 2),
            "max_days": round(self.max_days, 2),
        }


@dataclass(frozen=True, slots=True)
class MonthActivity:
    month: str
    """``YYYY-MM``"""
    releases: int
    leaks: int

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month, "releases": self.releases, "leaks": self.leaks}


@dataclass(frozen=True, slots=True)
class WorkHit:
    """A catalogue work the group released."""

    work_id: str
    work: str
    releases: int
    leaks: int
    first_release: datetime
    max_lead_days: float | None
    windows: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "work_id": self.work_id,
            "work": self.work,
            "releases": self.releases,
            "leaks": self.leaks,
            "first_release": iso(self.first_release),
            "max_lead_days": _round(self.max_lead_days),
            "windows": list(self.windows),
        }


@dataclass(frozen=True, slots=True)
class Distributor:
    """A distributor that shipped works the group released (from the shipments table)."""

    distributor: str
    works: int
    """The group's works it shipped."""
    leaked_works: int
    """Of those, works the group leaked."""
    shipped_before_leak: int
    """Leaked works it shipped (to some account) before the group's leak."""
    shipments: int
    quantity: int
    accounts: tuple[str, ...]
    """Accounts that received a leaked work before the group's leak, most often first."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "distributor": self.distributor,
            "works": self.works,
            "leaked_works": self.leaked_works,
            "shipped_before_leak": self.shipped_before_leak,
            "shipments": self.shipments,
            "quantity": self.quantity,
            "accounts": list(self.accounts),
        }


@dataclass(frozen=True, slots=True)
class FirstRelease:
    """How often the group is first to release a title other groups release too."""

    titles: int
    contested: int
    first: int
    median_margin_hours: float | None
    min_margin_hours: float | None
    max_margin_hours: float | None

    @property
    def rate(self) -> float | None:
        return self.first / self.contested if self.contested else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "titles": self.titles,
            "contested": self.contested,
            "first": self.first,
            "rate": _round(self.rate, 3),
            "median_margin_hours": _round(self.median_margin_hours),
            "min_margin_hours": _round(self.min_margin_hours),
            "max_margin_hours": _round(self.max_margin_hours),
        }


@dataclass(frozen=True, slots=True)
class Nukes:
    nuked: int
    unnuked: int
    deleted: int
    reasons: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "nuked": self.nuked,
            "unnuked": self.unnuked,
            "deleted": self.deleted,
            "reasons": self.reasons,
        }


@dataclass(frozen=True, slots=True)
class GroupRelease:
    """One release as a dossier lists it."""

    name: str
    released_at: datetime
    work: str | None
    status: str
    window: str | None
    lead_days: float | None
    severity: str | None
    nuke: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "release": self.name,
            "released_at": iso(self.released_at),
            "work": self.work,
            "status": self.status,
            "window": self.window,
            "lead_days": _round(self.lead_days),
            "severity": self.severity,
            "nuke": self.nuke,
        }


@dataclass(frozen=True, slots=True)
class Dossier:
    """Everything known about one release group."""

    summary: GroupSummary
    leaks_by_window: dict[str, int]
    lead_by_window: tuple[WindowLead, ...]
    sources: dict[str, int]
    resolutions: dict[str, int]
    codecs: dict[str, int]
    works: tuple[WorkHit, ...]
    distributors: tuple[Distributor, ...]
    timeline: tuple[MonthActivity, ...]
    first: FirstRelease
    nukes: Nukes
    links: tuple[GroupLink, ...]
    releases: tuple[GroupRelease, ...]

    @property
    def group(self) -> str:
        return self.summary.group

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.summary.as_dict(),
            "leaks_by_window": self.leaks_by_window,
            "lead_by_window": [w.as_dict() for w in self.lead_by_window],
            "sources": self.sources,
            "resolutions": self.resolutions,
            "codecs": self.codecs,
            "works_hit": [w.as_dict() for w in self.works],
            "distributors": [d.as_dict() for d in self.distributors],
            "timeline": [m.as_dict() for m in self.timeline],
            "first_release": self.first.as_dict(),
            "nukes": self.nukes.as_dict(),
            "links": [link.as_dict() for link in self.links],
            "release_list": [r.as_dict() for r in self.releases],
        }
