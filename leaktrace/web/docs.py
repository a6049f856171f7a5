"""The API documentation page: Swagger UI from the vendored ``swagger-ui-dist`` (no CDN).

FastAPI's own ``/docs`` loads Swagger UI from a CDN, so the app turns it off
(``docs_url=None``) and serves this page instead; the schema stays at
``/api/v1/openapi.json``.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.web.auth import optional_actor
from leaktrace.web.policy import public
from leaktrace.web.rendering import render

__all__ = ["DOCS_PATH", "router"]

DOCS_PATH = "/api/docs"

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH, response_class=HTMLResponse, dependencies=[public()])
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI over the app's OpenAPI schema (open to all, like the schema itself)."""
    spec = request.app.openapi_url or "/api/v1/openapi.json"
    actor = optional_actor(request)
    return render(request, "docs.html", actor=actor, title="API", spec_url=spec)
