"""Groups: the list of release groups, a group's dossier and the group graph."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from leaktrace.attribution import (
    GROUP_SORTS,
    GroupGraph,
    GroupSummary,
    LinkKind,
    LinkSettings,
    build_dossier,
    build_graph,
    graphml,
    list_groups,
)
from leaktrace.attribution.following import DEFAULT_FOLLOW_HOURS
from leaktrace.attribution.index import kept, shared_links
from leaktrace.errors import InputError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.groups_views import (
    GroupDossier,
    GroupGraphView,
    GroupListView,
    GroupView,
)
from leaktrace.services.paging import decode_cursor, encode_cursor, page_size
from leaktrace.services.views import Page

__all__ = [
    "GROUP_SORTS",
    "GraphExport",
    "group_dossier",
    "group_graph",
    "group_graph_export",
    "group_list",
    "group_page",
]


def _check(sort: str, min_releases: int) -> None:
    if sort not in GROUP_SORTS:
        raise InputError(f"must be one of {', '.join(GROUP_SORTS)}", field="sort")
    if min_releases < 1:
        raise InputError("must be at least 1", field="min_releases")


def _summaries(
    ctx: AppContext, sort: str, min_releases: int, search: str | None
) -> list[GroupSummary]:
    _check(sort, min_releases)
    with ctx.database.reading() as conn:
        return list_groups(
            conn,
            sort=sort,
            min_releases=min_releases,
            search=search,
            shared=True,
            background=ctx.database.reading,
        )


def group_list(
    ctx: AppContext,
    *,
    sort: str = "leaks",
    min_releases: int = 1,
    search: str | None = None,
) -> GroupListView:
    """Every release group with at least ``min_releases`` releases whose name contains
    ``search``, ordered by ``sort`` (one of :data:`GROUP_SORTS`)."""
    rows = _summaries(ctx, sort, min_releases, search)
    return GroupListView(groups=[GroupView.of(s) for s in rows])


def group_page(
    ctx: AppContext,
    *,
    sort: str = "leaks",
    min_releases: int = 1,
    search: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Page[GroupView]:
    """One page of :func:`group_list`; ``cursor`` is the previous page's ``next_cursor``
    (it names the last group shown, so a page never repeats or skips a group)."""
    size = page_size(limit)
    listing = f"groups:{sort}"
    everything = _summaries(ctx, sort, min_releases, search)
    start = 0
    if cursor:
        (after,) = decode_cursor(listing, cursor, 1)
        keys = [g.key for g in everything]
        if after not in keys:
            raise InputError("names a group no longer listed: start again", field="cursor")
        start = keys.index(after) + 1
    items = [GroupView.of(s) for s in everything[start : start + size]]
    more = start + size < len(everything)
    following = encode_cursor(listing, [items[-1].key]) if more and items else None
    return Page[GroupView](items=items, next_cursor=following, total=len(everything))


def group_dossier(
    ctx: AppContext, actor: Actor, name: str, *, follow_hours: float = DEFAULT_FOLLOW_HOURS
) -> GroupDossier:
    """The dossier of the group called ``name`` (any spelling); NotFoundError (kind
    ``group``) when no release names it.

    The distributors' customer accounts are personal data: listed only for an actor with
    ``read:personal`` (and that read is audited as ``group.dossier``); anyone else gets
    how many there are (``accounts_withheld``)."""
    actor.require(Permission.read_intel)
    if follow_hours <= 0:
        raise InputError("must be more than 0", field="follow_hours")
    personal = actor.can(Permission.read_personal)
    with ctx.database.transaction() if personal else ctx.database.reading() as conn:
        # kept per data version: a big group's dossier (tens of thousands of releases) is
        # built once, not per request
        dossier = kept(
            conn,
            ("group.dossier", name.strip().lower(), follow_hours, ctx.services),
            lambda: GroupDossier.of_dossier(
                build_dossier(
                    conn,
                    name,
                    follow_hours=follow_hours,
                    services=ctx.services,
                    shared=True,
                    background=ctx.database.reading,
                )
            ),
            weight=lambda view: len(view.release_list) + 1,
        )
        if personal and dossier.account_names:
            audit.record(
                conn,
                actor,
                "group.dossier",
                dossier.group,
                f"{dossier.account_names} supply-chain account names listed",
            )
    return dossier if personal else dossier.without_accounts()


@dataclass(frozen=True, slots=True)
class GraphExport:
    """The group graph as its read model and as a GraphML document."""

    view: GroupGraphView
    graphml: str


def _graph(
    ctx: AppContext,
    conn: Connection,
    *,
    follow_hours: float,
    min_strength: float,
    kinds: Sequence[LinkKind] | None,
    linked_only: bool,
    min_releases: int,
) -> GroupGraph:
    if follow_hours <= 0:
        raise InputError("must be more than 0", field="follow_hours")
    if not 0.0 <= min_strength <= 1.0:
        raise InputError("must be between 0 and 1", field="min_strength")
    if min_releases < 1:
        raise InputError("must be at least 1", field="min_releases")
    wanted = {LinkKind(k) for k in kinds} if kinds else set(LinkKind)
    settings = LinkSettings(follow_hours=follow_hours, services=ctx.services)
    # every kind is computed (and kept) once; each kind's links do not depend on the others
    everything = shared_links(conn, settings, background=ctx.database.reading)
    summaries = list_groups(
        conn, sort="name", min_releases=min_releases, shared=True, background=ctx.database.reading
    )
    links = [link for link in everything if link.kind in wanted and link.strength >= min_strength]
    return build_graph(summaries, links, linked_only=linked_only)


def group_graph_export(
    ctx: AppContext,
    *,
    follow_hours: float = DEFAULT_FOLLOW_HOURS,
    min_strength: float = 0.0,
    kinds: Sequence[LinkKind] | None = None,
    linked_only: bool = False,
    min_releases: int = 1,
) -> GraphExport:
    """The group graph: groups as nodes, links (kind, strength, evidence) as edges."""
    with ctx.database.reading() as conn:
        graph = _graph(
            ctx,
            conn,
            follow_hours=follow_hours,
            min_strength=min_strength,
            kinds=kinds,
            linked_only=linked_only,
            min_releases=min_releases,
        )
    return GraphExport(view=GroupGraphView.of(graph), graphml=graphml(graph))


def group_graph(
    ctx: AppContext,
    *,
    follow_hours: float = DEFAULT_FOLLOW_HOURS,
    min_strength: float = 0.0,
    kinds: Sequence[LinkKind] | None = None,
    linked_only: bool = False,
    min_releases: int = 1,
) -> GroupGraphView:
    """The group graph's read model (``{"nodes": [...], "links": [...]}``), kept per data
    version like a dossier."""
    wanted = frozenset(LinkKind(k) for k in kinds) if kinds else frozenset(LinkKind)
    name = ("group.graph", follow_hours, min_strength, wanted, linked_only, min_releases)
    with ctx.database.reading() as conn:
        return kept(
            conn,
            (*name, ctx.services),
            lambda: GroupGraphView.of(
                _graph(
                    ctx,
                    conn,
                    follow_hours=follow_hours,
                    min_strength=min_strength,
                    kinds=kinds,
                    linked_only=linked_only,
                    min_releases=min_releases,
                )
            ),
            weight=lambda view: len(view.nodes) + len(view.links),
        )


def warm_group_figures(ctx: AppContext, *, follow_hours: float = DEFAULT_FOLLOW_HOURS) -> None:
    """Compute and keep every group's figures and links (what dossiers, the groups page,
    the graph and server clusters read), so that the first request after a server starts
    does not pay for it. A server calls it in a background thread at start-up."""
    settings = LinkSettings(follow_hours=follow_hours, services=ctx.services)
    with ctx.database.reading() as conn:
        shared_links(conn, settings, background=ctx.database.reading)
        list_groups(conn, sort="name", shared=True, background=ctx.database.reading)
