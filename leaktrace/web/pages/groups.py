"""Pages: release groups (``/groups``) and one group's dossier with its links drawn as a
graph (``/groups/{name}``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.groups import group_dossier, group_page
from leaktrace.services.groups_views import GroupDossier
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.pages.charts import GraphEdge, GraphNode, graph_svg
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render, trusted_svg

__all__ = ["RELEASES_SHOWN", "dossier_graph", "router"]

router = APIRouter(include_in_schema=False)
_INTEL = requires(Permission.read_intel)

SORTS = (
    ("leaks", "most leaks"),
    ("releases", "most releases"),
    ("rate", "pre-release rate"),
    ("lead", "longest lead"),
    ("first", "first seen"),
    ("last", "last seen"),
    ("name", "name"),
)
RELEASES_SHOWN = 200


def dossier_graph(dossier: GroupDossier) -> str:
    """The group in the middle and every group it is linked to around it."""
    nodes = {dossier.key: GraphNode(dossier.key, dossier.group, dossier.leaks, focus=True)}
    edges = []
    for link in dossier.links:
        for key, name in ((link.source_key, link.source), (link.target_key, link.target)):
            nodes.setdefault(key, GraphNode(key, name, 0))
        edges.append(
            GraphEdge(
                link.source_key,
                link.target_key,
                link.kind,
                link.strength,
                link.directed,
                link.evidence,
            )
        )
    return graph_svg(list(nodes.values()), edges, title=f"Groups linked to {dossier.group}")


@router.get("/groups", response_class=HTMLResponse)
def groups_page(
    request: Request,
    ctx: Context,
    search: str | None = None,
    sort: str | None = None,
    min_releases: str | None = None,
    limit: str | None = None,
    cursor: str | None = None,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    order = params.choice(sort, "sort", [key for key, _ in SORTS]) or "leaks"
    page = group_page(
        ctx,
        sort=order,
        min_releases=params.integer(min_releases, "min_releases", low=1, high=1_000_000) or 1,
        search=params.text(search, "search"),
        limit=params.integer(limit, "limit", low=1, high=200) or 50,
        cursor=params.cursor(cursor),
    )
    return render(
        request,
        "groups.html",
        actor=actor,
        title="Groups",
        page=page,
        search=(search or "").strip()[:200],
        sort=order,
        sorts=SORTS,
    )


@router.get("/groups/{name:path}", response_class=HTMLResponse)
def group_page_view(
    request: Request,
    ctx: Context,
    name: str,
    actor: Actor = _INTEL,
) -> HTMLResponse:
    group = params.text(name, "name")
    if group is None:
        return groups_page(request, ctx, actor=actor)
    dossier = group_dossier(ctx, actor, group)
    return render(
        request,
        "group.html",
        actor=actor,
        title=dossier.group,
        dossier=dossier,
        graph=trusted_svg(dossier_graph(dossier)),
        releases=dossier.release_list[:RELEASES_SHOWN],
    )
