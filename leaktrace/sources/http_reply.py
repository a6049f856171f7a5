"""One final HTTP reply (:class:`FetchResult`) and the checks made on it.

:func:`raise_for_status`: 2xx and 304 pass; 408, 429 and 5xx raise a transient
:class:`SourceError` with ``retry_after``; other 4xx raise a permanent one carrying the
status. :func:`check_content_type` refuses a reply of the wrong media family.

Every :class:`SourceError` about a reply carries the reply's URL (secrets redacted) and
:func:`reply_sample` of its start; :func:`about_reply` adds them to errors raised while a
source reads the reply (unsafe XML, not JSON, not a feed …).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Literal

from leaktrace.sources.base import SourceError
from leaktrace.sources.redaction import redact_text

__all__ = [
    "SAMPLE_BYTES",
    "FetchResult",
    "about_reply",
    "check_content_type",
    "raise_for_status",
    "reply_sample",
]

SAMPLE_BYTES = 512
"""How much of a refused reply is kept as its sample."""
_SAMPLE_CHARS = 1900
"""Escaped, 512 bytes can take 2,048 characters: cut so the size note fits the store's 2,000."""

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


def reply_sample(data: bytes, secrets: Iterable[str] = ()) -> str:
    """The first :data:`SAMPLE_BYTES` bytes of a reply as one line of text: invalid UTF-8
    and control characters escaped (``\\xff``, ``\\n``), secrets redacted, and the full
    size noted when it was cut."""
    head = bytes(data[:SAMPLE_BYTES]).decode("utf-8", "backslashreplace")
    text = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in head
    )
    text = redact_text(text, secrets)[:_SAMPLE_CHARS]
    if len(data) > SAMPLE_BYTES:
        text += f" … ({len(data)} bytes)"
    return text


def _blame(exc: SourceError, result: FetchResult, secrets: Iterable[str]) -> SourceError:
    """``exc`` with the reply's URL and sample, and the literal ``secrets`` masked in its
    reason and sample (a sample or reason made earlier without them, say by a check called
    without the source's secrets, is masked again here)."""
    secrets = tuple(secrets)
    if exc.url is None:
        exc.url = result.url
    if exc.sample is None and result.content:
        exc.sample = reply_sample(result.content, secrets)
    elif exc.sample is not None:
        exc.sample = redact_text(exc.sample, secrets)
    masked = redact_text(exc.reason, secrets)
    if masked != exc.reason:
        exc.reason = masked
        exc.args = (masked,)
    return exc


@contextmanager
def about_reply(result: FetchResult, secrets: Iterable[str] = ()) -> Iterator[None]:
    """Give a :class:`SourceError` raised inside the block the reply's URL and sample."""
    try:
        yield
    except SourceError as exc:
        _blame(exc, result, tuple(secrets))
        raise


def raise_for_status(
    result: FetchResult, *, source: str | None = None, secrets: Iterable[str] = ()
) -> None:
    """Raise the :class:`SourceError` the status calls for (nothing for 2xx and 304)."""
    status = result.status
    if 200 <= status < 300 or status == 304:
        return
    where = f"{result.url}: " if result.url else ""
    if status == 429 or status == 408 or status >= 500:
        wait = f" (retry after {result.retry_after:g} s)" if result.retry_after is not None else ""
        raise _blame(
            SourceError(
                f"{where}HTTP {status}{wait}",
                source=source,
                transient=True,
                retry_after=result.retry_after,
                status=status,
            ),
            result,
            secrets,
        )
    raise _blame(
        SourceError(f"{where}HTTP {status}", source=source, transient=False, status=status),
        result,
        secrets,
    )


def check_content_type(
    result: FetchResult,
    expected: Literal["json", "xml"],
    *,
    source: str | None = None,
    allow_missing: bool = True,
    secrets: Iterable[str] = (),
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
        raise _blame(
            SourceError(
                f"{result.url}: no content type (expected {expected.upper()})",
                source=source,
                transient=False,
                status=result.status,
            ),
            result,
            secrets,
        )
    if expected == "json":
        ok = ctype in _JSON_TYPES or ctype.endswith("+json")
    else:
        ok = ctype in _XML_TYPES or ctype.endswith("+xml")
    if not ok:
        raise _blame(
            SourceError(
                f"{result.url}: unexpected content type {ctype[:100]!r} "
                f"(expected {expected.upper()})",
                source=source,
                transient=False,
                status=result.status,
            ),
            result,
            secrets,
        )
