"""The TAXII 2.1 endpoints: discovery ``/taxii2/`` and the API root ``/taxii2/leaktrace/``.

Routes only translate HTTP to service calls (:mod:`leaktrace.services.taxii`,
:mod:`leaktrace.services.taxii_envelopes`) and back: they check ``Accept`` (406) and, on a
POST, ``Content-Type`` (415) and that the body is JSON (422). Every answer carries
``application/taxii+json;version=2.1``; errors are TAXII error bodies
(:mod:`leaktrace.web.errors`). The routes are left out of ``/api/v1/openapi.json``: TAXII
has its own specification.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from leaktrace.errors import InputError, NotAcceptableError, UnsupportedMediaError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import taxii, taxii_envelopes
from leaktrace.services.taxii_paging import TaxiiFilters
from leaktrace.services.taxii_views import TaxiiResource
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires
from leaktrace.web.taxii.media import (
    TAXII_MEDIA_TYPE,
    TaxiiResponse,
    accepts_taxii,
    is_taxii_content,
)

__all__ = ["router"]

_READ = requires(Permission.read_exchange)
_WRITE = requires(Permission.write_exchange)
_ROOT = "/taxii2/leaktrace"
_COLLECTION = _ROOT + "/collections/{collection_id}"

router = APIRouter(tags=["taxii"], include_in_schema=False, default_response_class=TaxiiResponse)


def _negotiate(request: Request) -> None:
    if not accepts_taxii(request.headers.get("accept")):
        raise NotAcceptableError(f"this server answers {TAXII_MEDIA_TYPE} only", field="Accept")


def _answer(
    resource: TaxiiResource, status: int = 200, headers: dict[str, str] | None = None
) -> TaxiiResponse:
    return TaxiiResponse(resource.to_json(), status_code=status, headers=headers)


def _filters(request: Request) -> TaxiiFilters:
    """The TAXII query parameters (a filter given twice: one comma-separated list)."""
    query = request.query_params

    def joined(name: str) -> str | None:
        values = query.getlist(name)
        return ",".join(values) if values else None

    return TaxiiFilters(
        limit=query.get("limit"),
        next=query.get("next"),
        added_after=query.get("added_after"),
        match_id=joined("match[id]"),
        match_type=joined("match[type]"),
        match_version=joined("match[version]"),
        match_spec_version=joined("match[spec_version]"),
    )


@router.get("/taxii2/")
def discovery(request: Request, ctx: Context, actor: Actor = _READ) -> TaxiiResponse:
    """TAXII 2.1 Server Discovery."""
    _negotiate(request)
    return _answer(taxii.discovery(ctx, actor))


@router.get(_ROOT + "/")
def api_root(request: Request, ctx: Context, actor: Actor = _READ) -> TaxiiResponse:
    """TAXII 2.1 Get API Root Information."""
    _negotiate(request)
    return _answer(taxii.api_root(ctx, actor))


@router.get(_ROOT + "/collections/")
def collections(request: Request, ctx: Context, actor: Actor = _READ) -> TaxiiResponse:
    """TAXII 2.1 Get Collections: those the caller's agency has rights on."""
    _negotiate(request)
    return _answer(taxii.list_collections(ctx, actor))


@router.get(_COLLECTION + "/")
def collection(
    request: Request, collection_id: str, ctx: Context, actor: Actor = _READ
) -> TaxiiResponse:
    """TAXII 2.1 Get a Collection."""
    _negotiate(request)
    return _answer(taxii.get_collection(ctx, actor, collection_id))


@router.get(_COLLECTION + "/objects/")
def objects(
    request: Request, collection_id: str, ctx: Context, actor: Actor = _READ
) -> TaxiiResponse:
    """TAXII 2.1 Get Objects."""
    _negotiate(request)
    page = taxii.get_objects(ctx, actor, collection_id, _filters(request))
    return _answer(page, headers=page.headers())


@router.post(_COLLECTION + "/objects/", status_code=202)
async def add_objects(
    request: Request, collection_id: str, ctx: Context, actor: Actor = _WRITE
) -> TaxiiResponse:
    """TAXII 2.1 Add Objects: the status resource of the request (202)."""
    _negotiate(request)
    if not is_taxii_content(request.headers.get("content-type")):
        raise UnsupportedMediaError(
            f"send the envelope as {TAXII_MEDIA_TYPE}", field="Content-Type"
        )
    envelope = _json(await request.body())
    status = await run_in_threadpool(
        taxii_envelopes.add_envelope, ctx, actor, collection_id, envelope
    )
    return _answer(status, 202)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _json(body: bytes) -> Any:
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise InputError("the body is not JSON", field="body") from None


@router.get(_COLLECTION + "/objects/{object_id}/")
def one_object(
    request: Request, collection_id: str, object_id: str, ctx: Context, actor: Actor = _READ
) -> TaxiiResponse:
    """TAXII 2.1 Get an Object."""
    _negotiate(request)
    page = taxii.get_object(ctx, actor, collection_id, object_id, _filters(request))
    return _answer(page, headers=page.headers())


@router.get(_COLLECTION + "/objects/{object_id}/versions/")
def versions(
    request: Request, collection_id: str, object_id: str, ctx: Context, actor: Actor = _READ
) -> TaxiiResponse:
    """TAXII 2.1 Get Object Versions."""
    _negotiate(request)
    page = taxii.get_versions(ctx, actor, collection_id, object_id, _filters(request))
    return _answer(page, headers=page.headers())


@router.get(_COLLECTION + "/manifest/")
def manifest(
    request: Request, collection_id: str, ctx: Context, actor: Actor = _READ
) -> TaxiiResponse:
    """TAXII 2.1 Get Object Manifests."""
    _negotiate(request)
    page = taxii.get_manifest(ctx, actor, collection_id, _filters(request))
    return _answer(page, headers=page.headers())


@router.get(_ROOT + "/status/{status_id}/")
@router.get(_ROOT + "/status/{status_id}")
def status(request: Request, status_id: str, ctx: Context, actor: Actor = _READ) -> TaxiiResponse:
    """TAXII 2.1 Get Status (with or without the final slash: taxii2-client asks without)."""
    _negotiate(request)
    return _answer(taxii.get_status(ctx, actor, status_id))
