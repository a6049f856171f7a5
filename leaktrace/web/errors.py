"""The one mapping of the :class:`LeakTraceError` tree to HTTP status codes.

API responses carry ``{"error": {"type", "message", ...structured fields}}``; pages
render the same error as HTML (``leaktrace.web.pages``). A server never answers 500
for bad input: every input problem is a LeakTraceError or a validation error (422).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from leaktrace.errors import (
    AuthenticationError,
    ConfigError,
    ConflictError,
    InputError,
    LeakTraceError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    StoreError,
)

__all__ = ["HTTP_STATUS", "error_body", "install_error_handlers", "status_of"]

HTTP_STATUS: dict[type[LeakTraceError], int] = {
    InputError: 422,
    NotFoundError: 404,
    ConflictError: 409,
    AuthenticationError: 401,
    PermissionDeniedError: 403,
    RateLimitedError: 429,
    StoreError: 503,
    ConfigError: 500,
    LeakTraceError: 500,
}


def status_of(exc: LeakTraceError) -> int:
    """The status of the nearest class of ``exc`` in :data:`HTTP_STATUS`."""
    for cls in type(exc).__mro__:
        if cls in HTTP_STATUS:
            return HTTP_STATUS[cls]
    return 500


def error_body(exc: LeakTraceError) -> dict[str, Any]:
    body: dict[str, Any] = {"type": type(exc).__name__, "message": exc.reason}
    if isinstance(exc, InputError):
        body.update(exc.as_dict())
        body["message"] = str(exc)
    elif isinstance(exc, NotFoundError):
        body.update(kind=exc.kind, key=exc.key)
    elif isinstance(exc, PermissionDeniedError):
        body["permission"] = exc.permission
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


async def _leaktrace_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LeakTraceError)
    renderer = getattr(request.app.state, "error_page", None)
    if renderer is not None and not request.url.path.startswith("/api/"):
        page: Response = renderer(request, exc, status_of(exc), _headers(exc))
        return page
    return json_error(exc)


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


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(LeakTraceError, _leaktrace_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
