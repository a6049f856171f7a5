"""One hardened HTTP fetcher for every HTTP source (predb.ovh, Torznab/Newznab, RSS).

What it guards against, and how:

* **Slow servers.** Connect and per-read timeouts (httpx), and a *total* deadline per
  :meth:`HttpFetcher.fetch` covering redirects, headers and body. The body is streamed and
  the clock checked between chunks; a watchdog timer also shuts the socket down when the
  deadline passes, so a server trickling one byte at a time (even inside the headers) is
  cut off on time.
* **Huge replies.** A size cap (default 8 MB): a larger ``Content-Length`` is refused before
  reading, and the body stops being read as soon as it passes the cap.
* **Redirects.** Followed by hand, at most ``max_redirects`` times, and only to the same
  origin (scheme, host and port) as the URL asked for; anything else is a permanent error.
* **Secrets.** API keys travel in query strings (``apikey=`` for Torznab). Every URL put in
  a message, a log record or a repr goes through :func:`redact_url`, which replaces the
  values of :data:`SECRET_PARAMS` with ``***``; literal secrets registered with the fetcher
  are masked in any text as well. httpx's own ``HTTP Request: GET <url>`` log line is
  redacted by a filter installed on the ``httpx`` logger.

Statuses: 304 gives ``not_modified``; 408, 429 and 5xx raise a transient
:class:`SourceError` with ``retry_after`` from ``Retry-After`` (seconds or an HTTP-date);
other 4xx raise a permanent one carrying the status.
"""

from __future__ import annotations

import logging
import math
import random
import re
import socket
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Literal, Protocol

import httpx
from pydantic import Field, field_validator

from leaktrace.sources.base import SourceConfig, SourceError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "HttpSourceConfig",
    "check_http_url",
    "SECRET_PARAMS",
    "FetchResult",
    "HttpFetcher",
    "backoff_delay",
    "check_content_type",
    "parse_retry_after",
    "raise_for_status",
    "redact_text",
    "redact_url",
]

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
USER_AGENT = "LeakTrace/0.1 (+https://github.com/leaktrace)"

SECRET_PARAMS = frozenset(
    {"apikey", "api_key", "key", "token", "passkey", "authkey", "torrent_pass", "r"}
)
"""Query parameters whose values are secrets. ``authkey``/``torrent_pass`` are the
Gazelle-style download keys; ``r`` is the user's API key in Newznab ``getnzb`` links."""

_SECRET_NAMES = "|".join(sorted(SECRET_PARAMS, key=len, reverse=True))
_SECRET_RE = re.compile(r"(?i)(^|[?&;])(" + _SECRET_NAMES + r")=([^&#;\s\"'<>]*)")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
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

_log = logging.getLogger(__name__)


def redact_url(url: object) -> str:
    """``url`` as text with every secret query value replaced by ``***``.

    Works on any text holding URLs, and on malformed URLs too (it is a plain text
    substitution on ``name=value`` pairs after ``?``, ``&`` or ``;``).
    """
    text = str(url)
    return _SECRET_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}=***", text)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """:func:`redact_url` on ``text``, and each literal secret (4+ characters) masked."""
    out = redact_url(text)
    for secret in secrets:
        if secret and len(secret) >= 4:
            out = out.replace(secret, "***")
    return out


class _RedactFilter(logging.Filter):
    """Redacts secrets from httpx's ``HTTP Request: GET <url> ...`` records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(
                redact_url(a) if isinstance(a, str | httpx.URL) else a for a in args
            )
        if isinstance(record.msg, str):
            record.msg = redact_url(record.msg)
        return True


def _install_log_filter() -> None:
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, _RedactFilter) for f in logger.filters):
        logger.addFilter(_RedactFilter())


_install_log_filter()


class _Random(Protocol):
    def random(self) -> float: ...


def backoff_delay(failures: int, base: float, cap: float, rng: _Random | None = None) -> float:
    """Seconds to wait after ``failures`` consecutive failures: exponential, full jitter.

    Uniform in ``[0, min(cap, base * 2 ** (failures - 1))]``; 0 when there was no failure.
    """
    if failures <= 0 or base <= 0 or cap <= 0:
        return 0.0
    upper = min(cap, base * math.pow(2.0, min(failures - 1, 60)))
    return (rng or random).random() * upper


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date), never negative."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isdigit():
        return float(min(int(text), 7 * 86400))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, min(delta, 7 * 86400.0))


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


class _Watchdog:
    """Shuts the request's socket down when the total deadline passes."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._streams: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event.endswith(("connect_tcp.complete", "start_tls.complete")):
            stream = info.get("return_value")
            if stream is None:
                return
            with self._lock:
                self._streams.append(stream)
                fired = self.fired
            if fired:
                _shutdown(stream)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            streams = list(self._streams)
        for stream in reversed(streams):
            _shutdown(stream)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(stream: Any) -> None:
    try:
        sock = stream.get_extra_info("socket")
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except (OSError, AttributeError, ValueError):
        pass


class HttpFetcher:
    """A small, hardened ``httpx.Client`` wrapper (sync, one connection per request).

    ``secrets`` are literal values (API keys) masked in every message this fetcher makes.
    """

    def __init__(
        self,
        *,
        source: str | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float = 30.0,
        total_timeout: float = 60.0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_redirects: int = 5,
        user_agent: str = USER_AGENT,
        secrets: Iterable[str] = (),
        verify: bool = True,
    ) -> None:
        self.source = source
        self.total_timeout = float(total_timeout)
        self.max_bytes = int(max_bytes)
        self.max_redirects = int(max_redirects)
        self._secrets = tuple(s for s in secrets if s)
        self._client = httpx.Client(
            timeout=httpx.Timeout(
                connect=connect_timeout, read=read_timeout, write=read_timeout, pool=connect_timeout
            ),
            follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept-Encoding": "identity"},
            limits=httpx.Limits(max_keepalive_connections=0),
            verify=verify,
        )

    def __repr__(self) -> str:
        return (
            f"HttpFetcher(source={self.source!r}, total_timeout={self.total_timeout:g}, "
            f"max_bytes={self.max_bytes})"
        )

    def __enter__(self) -> HttpFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def redact(self, text: str) -> str:
        return redact_text(text, self._secrets)

    def _error(
        self,
        reason: str,
        *,
        transient: bool = True,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> SourceError:
        return SourceError(
            self.redact(reason),
            source=self.source,
            transient=transient,
            status=status,
            retry_after=retry_after,
        )

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int | float | None] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        expect: Literal["json", "xml"] | None = None,
    ) -> FetchResult:
        """:meth:`fetch`, then :func:`raise_for_status` and :func:`check_content_type`."""
        result = self.fetch(
            url, params=params, etag=etag, last_modified=last_modified, accept=accept
        )
        raise_for_status(result, source=self.source)
        if expect is not None and not result.not_modified:
            check_content_type(result, expect, source=self.source)
        return result

    def fetch(
        self,
        url: str,
        *,
        params: Mapping[str, str | int | float | None] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url`` and read the whole (capped) body, whatever the status.

        Raises :class:`SourceError` for network failures, timeouts, the size cap and
        refused redirects; the status itself is left to :func:`raise_for_status`.
        """
        try:
            current = httpx.URL(url)
            if params:
                current = current.copy_merge_params(
                    {k: str(v) for k, v in params.items() if v is not None}
                )
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            raise self._error(f"invalid URL {redact_url(url)!r}: {exc}", transient=False) from None
        if current.scheme not in ("http", "https") or not current.host:
            raise self._error(f"not an http(s) URL: {redact_url(url)!r}", transient=False)
        origin = _origin(current)
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        deadline = started + self.total_timeout
        watchdog = _Watchdog(self.total_timeout)
        try:
            for _hop in range(self.max_redirects + 1):
                result = self._one(current, headers, deadline, started, watchdog)
                if isinstance(result, FetchResult):
                    return result
                target = result
                if _origin(target) != origin:
                    raise self._error(
                        f"{redact_url(current)}: redirect to another host refused "
                        f"({redact_url(target)})",
                        transient=False,
                    )
                current = target
            raise self._error(
                f"{redact_url(url)}: more than {self.max_redirects} redirects", transient=False
            )
        finally:
            watchdog.cancel()

    def _one(
        self,
        url: httpx.URL,
        headers: Mapping[str, str],
        deadline: float,
        started: float,
        watchdog: _Watchdog,
    ) -> FetchResult | httpx.URL:
        shown = redact_url(url)
        timed_out = f"{shown}: no complete reply within {self.total_timeout:g} s (total deadline)"
        if time.monotonic() >= deadline:
            raise self._error(timed_out)
        try:
            request = self._client.build_request(
                "GET", url, headers=headers, extensions={"trace": watchdog.trace}
            )
            response = self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            if watchdog.fired:
                raise self._error(timed_out) from None
            raise self._error(f"{shown}: timed out ({type(exc).__name__})") from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise self._error(f"{shown}: {exc}", transient=False) from None
        except (httpx.HTTPError, OSError) as exc:
            if watchdog.fired:
                raise self._error(timed_out) from None
            raise self._error(f"{shown}: {type(exc).__name__}: {exc}") from None
        try:
            status = response.status_code
            if status in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise self._error(
                        f"{shown}: HTTP {status} without Location", transient=False, status=status
                    )
                try:
                    return url.join(location)
                except (httpx.InvalidURL, ValueError) as exc:
                    raise self._error(
                        f"{shown}: bad redirect Location: {exc}", transient=False, status=status
                    ) from None
            length = response.headers.get("content-length")
            if length and length.strip().isdigit() and int(length) > self.max_bytes:
                raise self._error(
                    f"{shown}: response larger than {self.max_bytes} bytes "
                    f"(Content-Length {int(length)})",
                    transient=False,
                    status=status,
                )
            body = bytearray()
            if status != 304:
                try:
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > self.max_bytes:
                            raise self._error(
                                f"{shown}: response larger than {self.max_bytes} bytes",
                                transient=False,
                                status=status,
                            )
                        if time.monotonic() >= deadline:
                            raise self._error(timed_out)
                except httpx.TimeoutException as exc:
                    if watchdog.fired:
                        raise self._error(timed_out) from None
                    raise self._error(
                        f"{shown}: timed out reading ({type(exc).__name__})"
                    ) from None
                except (httpx.HTTPError, OSError) as exc:
                    if watchdog.fired or time.monotonic() >= deadline:
                        raise self._error(timed_out) from None
                    raise self._error(
                        f"{shown}: reading failed: {type(exc).__name__}: {exc}"
                    ) from None
            if watchdog.fired:
                raise self._error(timed_out)
            ctype_header = response.headers.get("content-type") or ""
            media, _, rest = ctype_header.partition(";")
            charset = None
            for part in rest.split(";"):
                key, _, value = part.partition("=")
                if key.strip().lower() == "charset":
                    charset = value.strip().strip('"').lower() or None
            return FetchResult(
                url=shown,
                status=status,
                content=bytes(body),
                content_type=media.strip().lower() or None,
                charset=charset,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                not_modified=status == 304,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
                elapsed=time.monotonic() - started,
                headers={
                    k.lower(): v
                    for k, v in response.headers.items()
                    if k.lower() in ("content-type", "etag", "last-modified", "retry-after", "date")
                },
            )
        finally:
            response.close()


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    port = url.port or (443 if url.scheme == "https" else 80)
    return (url.scheme.lower(), (url.host or "").lower(), port)


def check_http_url(value: str) -> str:
    """An ``http://`` or ``https://`` URL, stripped; ``ValueError`` otherwise."""
    value = value.strip()
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("url must start with http:// or https://")
    return value


class HttpSourceConfig(SourceConfig):
    """What every HTTP source's configuration has: a URL and the limits of each fetch."""

    url: str
    connect_timeout: float = Field(default=10.0, gt=0, le=300)
    read_timeout: float = Field(default=30.0, gt=0, le=600)
    total_timeout: float = Field(default=60.0, gt=0, le=3600)
    max_bytes: int = Field(default=DEFAULT_MAX_BYTES, ge=1024, le=512 * 1024 * 1024)

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_http_url(value)

    def fetcher(self, secrets: Iterable[str] = ()) -> HttpFetcher:
        """A hardened fetcher with this source's limits."""
        return HttpFetcher(
            source=self.name,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            total_timeout=self.total_timeout,
            max_bytes=self.max_bytes,
            secrets=tuple(secrets),
        )
