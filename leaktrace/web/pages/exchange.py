"""Pages of shared intelligence (issue 12): the collections the user's agency has rights on
(``/exchange``), the objects of one it may see (``/exchange/{collection_id}``, a page at a
time, by type) and one object with its JSON and versions
(``/exchange/{collection_id}/objects/{stix_id}``), with an "Add to case" form.

What the agency may not see does not exist here: a collection without rights answers the
404 page of a missing one, a hidden object the 404 page of a missing id (the services read
through the one visibility rule). Every text of an object is a partner's: escaped.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.exchange_browse import (
    collection_objects,
    exchange_collections,
    object_detail,
)
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
_READ = requires(Permission.read_exchange)
_MAX_KEY = 200


@router.get("/exchange", response_class=HTMLResponse)
def exchange_page(request: Request, ctx: Context, actor: Actor = _READ) -> HTMLResponse:
    """The collections of the user's agency: title, id, rights, how many objects it sees."""
    listed = exchange_collections(ctx, actor)
    return render(
        request,
        "exchange/collections.html",
        actor=actor,
        title="Shared intelligence",
        collections=listed.collections,
    )


@router.get("/exchange/{collection_id}", response_class=HTMLResponse)
def collection_page(
    request: Request,
    ctx: Context,
    collection_id: str,
    type: str | None = None,  # noqa: A002 - the query parameter's name
    cursor: str | None = None,
    limit: str | None = None,
    actor: Actor = _READ,
) -> HTMLResponse:
    """The objects of one collection the agency may see (latest versions), by date added."""
    page = collection_objects(
        ctx,
        actor,
        params.text(collection_id, "collection_id", limit=_MAX_KEY) or "",
        stix_type=params.text(type, "type", limit=250),
        cursor=params.cursor(cursor),
        limit=params.integer(limit, "limit", low=1, high=200) or 50,
    )
    return render(
        request,
        "exchange/collection.html",
        actor=actor,
        title=page.collection.title,
        page=page,
    )


@router.get("/exchange/{collection_id}/objects/{stix_id}", response_class=HTMLResponse)
def object_page(
    request: Request, ctx: Context, collection_id: str, stix_id: str, actor: Actor = _READ
) -> HTMLResponse:
    """One object: its JSON as the agency may see it, its markings, provenance, versions."""
    detail = object_detail(
        ctx,
        actor,
        params.text(collection_id, "collection_id", limit=_MAX_KEY) or "",
        params.text(stix_id, "stix_id", limit=_MAX_KEY) or "",
    )
    return render(
        request,
        "exchange/object.html",
        actor=actor,
        title=detail.object.summary or detail.object.stix_id,
        detail=detail,
        add_kind="stix",
        add_reference=f"{detail.object.stix_id} {detail.collection.id}",
    )
