"""Who is behind the leaks: release-group dossiers and the links between groups.

Detection says *what* leaked; attribution says *who*. Group identity is the lower-case
``group_key`` (the spellings seen are kept as variants). The SQL lives in
:mod:`leaktrace.store.groups`; the measures (NFO similarity, tracker overlap, follower
timing, profile similarity) are pure functions in their own modules.
"""

from leaktrace.attribution.data import GroupData, load_group_data
from leaktrace.attribution.dossier import GROUP_SORTS, build_dossier, list_groups
from leaktrace.attribution.graph import GroupGraph, build_graph, graph_json, graphml
from leaktrace.attribution.links import LinkSettings, compute_links, find_links
from leaktrace.attribution.model import (
    Distributor,
    Dossier,
    FirstRelease,
    GroupLink,
    GroupRelease,
    GroupSummary,
    LinkKind,
    MonthActivity,
    Nukes,
    WindowLead,
    WorkHit,
)

__all__ = [
    "GROUP_SORTS",
    "Distributor",
    "Dossier",
    "FirstRelease",
    "GroupData",
    "GroupGraph",
    "GroupLink",
    "GroupRelease",
    "GroupSummary",
    "LinkKind",
    "LinkSettings",
    "MonthActivity",
    "Nukes",
    "WindowLead",
    "WorkHit",
    "build_dossier",
    "build_graph",
    "compute_links",
    "find_links",
    "graph_json",
    "graphml",
    "list_groups",
    "load_group_data",
]
