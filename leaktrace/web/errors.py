"""The one mapping of the :class:`LeakTraceError` tree to HTTP status codes.

API responses carry ``{"error": {"type", "message", ...structured fields}}``; pages
render the same error as HTML (``leaktrace.web.pages``); under ``/taxii2/`` an error is a
TAXII 2.1 error body (``title``, ``description``, ``http_status``, ``details``) with TAXII's
media type. A server never answers 500 for bad input: every input problem is a
LeakTraceError or a validation error (422).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from leaktrace.errors import (
    AuthenticationError,
    ConfigError,
    ConflictError,
    InputError,
    LeakTraceError,
    NotAcceptableError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    SharingRefusedError,
    StoreError,
    TooLargeError,
    UnsupportedMediaError,
    nearest,
)
from leaktrace.web.taxii.media import TaxiiResponse, is_taxii_path, taxii_error_body

__all__ = ["HTTP_STATUS", "error_body", "install_error_handlers", "status_of"]

HTTP_STATUS: dict[type[LeakTraceError], int] = {
    InputError: 422,
    NotAcceptableError: 406,
    UnsupportedMediaError: 415,
    TooLargeError: 413,
    NotFoundError: 404,
    ConflictError: 409,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    RateLimitedError: 429,
    StoreError: 503,
    ConfigError: 503,
    LeakTraceError: 500,
}


def status_of(exc: LeakTraceError) -> int:
    """The status of the nearest class of ``exc`` in :data:`HTTP_STATUS`."""
    return nearest(HTTP_STATUS, exc, 500)


def error_body(exc: LeakTraceError) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type(exc).__name__, "message": exc.reason}
    if isinstance(exc, InputError):
        body.update(exc.as_dict())
        body["message"] = str(exc)
    elif isinstance(exc, NotFoundError):
        body.update(kind=exc.kind, key=exc.key)
    elif isinstance(exc, PermissionDeniedError):
        body["permission"] = exc.permission
        if isinstance(exc, SharingRefusedError):
            body.update(stix_id=exc.stix_id, rule=exc.rule)
    elif isinstance(exc, RateLimitedError):
        body["retry_after"] = exc.retry_after
    return {"error": body}


def _headers(exc: LeakTraceError) -> dict[str, str]:
    if isinstance(exc, AuthenticationError):
        return {"WWW-Authenticate": 'Bearer realm="leaktrace", Basic realm="leaktrace"'}
    if isinstance(exc, RateLimitedError):
        return {"Retry-After": str(exc.retry_after)}
    return {}


def json_error(exc: LeakTraceError) -> JSONResponse:
    return JSONResponse(error_body(exc), status_code=status_of(exc), headers=_headers(exc))


def _taxii_error(
    status: int, description: str, details: dict[str, Any], headers: Mapping[str, str] | None
) -> Response:
    """An error under /taxii2/: a TAXII error body with TAXII's media type."""
    return TaxiiResponse(
        taxii_error_body(status, description, details), status_code=status, headers=headers
    )


async def _leaktrace_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LeakTraceError)
    if is_taxii_path(request.url.path):
        return _taxii_error(status_of(exc), str(exc), error_body(exc)["error"], _headers(exc))
    page = _page(request, exc, status_of(exc))
    return page if page is not None else json_error(exc)


def _page(request: Request, exc: LeakTraceError, status: int) -> Response | None:
    """The HTML error page for a page path (None under /api/ or before pages exist)."""
    renderer = getattr(request.app.state, "error_page", None)
    if renderer is None or request.url.path.startswith("/api/"):
        return None
    page: Response = renderer(request, exc, status, _headers(exc))
    return page


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (unknown path 404, wrong method 405) in LeakTrace's shape."""
    assert isinstance(exc, StarletteHTTPException)
    error: LeakTraceError = (
        NotFoundError("no such page", kind="path", key=request.url.path)
        if exc.status_code == 404
        else LeakTraceError(str(exc.detail))
    )
    if is_taxii_path(request.url.path):
        details = {"type": type(error).__name__}
        return _taxii_error(exc.status_code, error.reason, details, exc.headers)
    page = _page(request, error, exc.status_code)
    if page is not None:
        return page
    body = {"error": {"type": type(error).__name__, "message": error.reason}}
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())[1:]) or None,
            "reason": str(error.get("msg", "invalid")),
        }
        for error in exc.errors()
    ]
    first = problems[0] if problems else {"field": None, "reason": "invalid request"}
    if is_taxii_path(request.url.path):
        reason = first["reason"] or "invalid request"
        description = f"{first['field']}: {reason}" if first["field"] else reason
        return _taxii_error(422, description, {"type": "InputError", "problems": problems}, None)
    page = _page(request, InputError(first["reason"] or "invalid", field=first["field"]), 422)
    if page is not None:
        return page
    body = {
        "error": {
            "type": "InputError",
            "message": f"{first['field']}: {first['reason']}"
            if first["field"]
            else first["reason"],
            "field": first["field"],
            "reason": first["reason"],
            "problems": problems,
        }
    }
    return JSONResponse(body, status_code=422)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """A bug (never bad input): Starlette's plain 500, but a TAXII error body under
    /taxii2/, where every answer carries TAXII's media type. The error is still logged."""
    if is_taxii_path(request.url.path):
        return _taxii_error(500, "internal server error", {}, None)
    return PlainTextResponse("Internal Server Error", status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LeakTraceError, _leaktrace_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
