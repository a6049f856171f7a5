"""One final HTTP reply (:class:`FetchResult`) and the checks made on it.

:func:`raise_for_status`: 2xx and 304 pass; 408, 429 and 5xx raise a transient
:class:`SourceError` with ``retry_after``; other 4xx raise a permanent one carrying the
status. :func:`check_content_type` refuses a reply of the wrong media family.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from leaktrace.sources.base import SourceError

__all__ = ["FetchResult", "check_content_type", "raise_for_status"]

_JSON_TYPES = frozenset({"application/json", "text/json", "application/x-json"})
_XML_TYPES = frozenset(
    {
        "application/xml",
        "text/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/x-rss+xml",
        "application/rdf+xml",
        "text/rss+xml",
    }
)


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One final HTTP reply (after same-origin redirects)."""

    url: str
    """The final URL, already redacted."""
    status: int
    content: bytes
    content_type: str | None
    """The media type, lower case, without parameters (``application/rss+xml``)."""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    retry_after: float | None = None
    elapsed: float = 0.0
    headers: Mapping[str, str] = field(default_factory=dict)


def raise_for_status(result: FetchResult, *, source: str | None = None) -> None:
    """Raise the :class:`SourceError` the status calls for (nothing for 2xx and 304)."""
    status = result.status
    if 200 <= status < 300 or status == 304:
        return
    where = f"{result.url}: " if result.url else ""
    if status == 429 or status == 408 or status >= 500:
        wait = f" (retry after {result.retry_after:g} s)" if result.retry_after is not None else ""
        raise SourceError(
            f"{where}HTTP {status}{wait}",
            source=source,
            transient=True,
            retry_after=result.retry_after,
            status=status,
        )
    raise SourceError(f"{where}HTTP {status}", source=source, transient=False, status=status)


def check_content_type(
    result: FetchResult,
    expected: Literal["json", "xml"],
    *,
    source: str | None = None,
    allow_missing: bool = True,
) -> None:
    """Raise a permanent :class:`SourceError` naming the type when it is not ``expected``.

    Lenient within a family: any of ``application/xml``, ``text/xml``,
    ``application/rss+xml``, ``application/atom+xml`` or ``*+xml`` is XML; ``application/json``,
    ``text/json`` or ``*+json`` is JSON. A missing Content-Type passes by default.
    """
    ctype = result.content_type
    if not ctype:
        if allow_missing:
            return
        raise SourceError(
            f"{result.url}: no content type (expected {expected.upper()})",
            source=source,
            transient=False,
            status=result.status,
        )
    if expected == "json":
        ok = ctype in _JSON_TYPES or ctype.endswith("+json")
    else:
        ok = ctype in _XML_TYPES or ctype.endswith("+xml")
    if not ok:
        raise SourceError(
            f"{result.url}: unexpected content type {ctype[:100]!r} (expected {expected.upper()})",
            source=source,
            transient=False,
            status=result.status,
        )
