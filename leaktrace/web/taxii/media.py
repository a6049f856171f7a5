"""TAXII's media types on the wire: the response class, ``Accept`` / ``Content-Type``
negotiation, and TAXII error bodies.

Every response under :data:`TAXII_PREFIX` carries ``application/taxii+json;version=2.1``,
errors included (``leaktrace.web.errors`` and the body cap of ``leaktrace.web.security`` use
:func:`taxii_error_body` there). Headers are outside data: the parsers never raise.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi.responses import JSONResponse

from leaktrace.services.taxii_views import TAXII_MEDIA_TYPE

__all__ = [
    "TAXII_MEDIA_TYPE",
    "TAXII_PREFIX",
    "TaxiiResponse",
    "accepts_taxii",
    "is_taxii_content",
    "is_taxii_path",
    "media_ranges",
    "taxii_error_body",
    "taxii_error_bytes",
]

TAXII_PREFIX = "/taxii2"
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Request entity too large",
    415: "Unsupported media type",
    422: "Unprocessable entity",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


class TaxiiResponse(JSONResponse):
    """JSON with TAXII's media type (``application/taxii+json;version=2.1``)."""

    media_type = TAXII_MEDIA_TYPE


def is_taxii_path(path: str) -> bool:
    return path == TAXII_PREFIX or path.startswith(TAXII_PREFIX + "/")


def taxii_error_body(
    status: int, description: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A TAXII 2.1 error message resource (``http_status`` is a string, as specified)."""
    body: dict[str, Any] = {
        "title": _TITLES.get(status, "Error"),
        "description": description,
        "http_status": str(status),
    }
    if details:
        body["details"] = details
    return body


def taxii_error_bytes(status: int, description: str) -> bytes:
    return json.dumps(taxii_error_body(status, description), separators=(",", ":")).encode()


def media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
    """The media ranges of an ``Accept`` (or ``Content-Type``) header, lower-cased:
    (``type/subtype``, parameters). Malformed parts are skipped."""
    ranges: list[tuple[str, dict[str, str]]] = []
    for part in header[:4096].split(","):
        pieces = [p.strip() for p in part.split(";")]
        name = pieces[0].lower()
        if name.count("/") != 1 or not all(name.split("/")):
            continue
        params: dict[str, str] = {}
        for piece in pieces[1:]:
            key, eq, value = piece.partition("=")
            if eq:
                params[key.strip().lower()] = value.strip().strip('"').lower()
        ranges.append((name, params))
    return ranges


def _quality(params: dict[str, str]) -> float:
    """The range's quality: ``q`` when it is a number from 0 to 1; a malformed ``q`` (empty,
    not a number) is ignored, as if absent (1); one out of range refuses (0)."""
    try:
        q = float(params.get("q", "1") or "1")
    except ValueError:
        return 1.0
    return q if 0.0 <= q <= 1.0 else 0.0


def accepts_taxii(header: str | None) -> bool:
    """Whether a client sending this ``Accept`` takes TAXII 2.1 JSON: no header (anything
    goes), ``application/taxii+json`` without a version or with ``version=2.1``, or a
    wildcard (``*/*``, ``application/*``), with a quality above 0."""
    if header is None or not header.strip():
        return True
    for name, params in media_ranges(header):
        if _quality(params) <= 0:
            continue
        if name == "application/taxii+json" and params.get("version", "2.1") == "2.1":
            return True
        if name in ("*/*", "application/*"):
            return True
    return False


def is_taxii_content(header: str | None) -> bool:
    """Whether a request body's ``Content-Type`` is TAXII 2.1 JSON
    (``application/taxii+json;version=2.1``; without a version: the newest, 2.1)."""
    if header is None:
        return False
    ranges = media_ranges(header)
    if len(ranges) != 1:
        return False
    name, params = ranges[0]
    return name == "application/taxii+json" and params.get("version", "2.1") == "2.1"
