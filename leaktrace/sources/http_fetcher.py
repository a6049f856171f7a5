"""The hardened HTTP fetcher every HTTP source uses (predb.ovh, Torznab/Newznab, RSS).

* **Slow servers.** Connect and per-read timeouts (httpx), and a *total* deadline per
  :meth:`HttpFetcher.fetch` covering redirects, headers and body. The body is streamed and
  the clock checked between chunks; a
  :class:`~leaktrace.sources.deadline_watchdog.DeadlineWatchdog` also shuts the socket down
  when the deadline passes.
* **Huge replies and compression bombs.** A size cap (default :data:`DEFAULT_MAX_BYTES`)
  on the bytes as sent *and* on every layer of their ``Content-Encoding``: the raw bytes
  are read with ``iter_raw`` and decoded by :class:`~leaktrace.sources.http_decoding.BoundedBody`
  (never by httpx, whose decoders inflate a whole chunk at once), which stops the moment
  a layer passes the cap. A larger ``Content-Length`` is refused after reading only the
  sample. The error carries the URL and a sample of the reply.
* **Redirects.** Followed by hand, at most ``max_redirects`` times, and only to the same
  origin (scheme, host and port) as the URL asked for; anything else is a permanent error.
* **Conditional requests.** ``etag``/``last_modified`` are sent as ``If-None-Match``/
  ``If-Modified-Since``; a 304 gives a :class:`FetchResult` with ``not_modified``.
* **Secrets.** Every URL in a message is redacted, and the fetcher's literal secrets masked
  (see :mod:`leaktrace.sources.redaction`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from typing import Literal

import httpx

from leaktrace.sources.base import SourceError
from leaktrace.sources.deadline_watchdog import DeadlineWatchdog
from leaktrace.sources.http_decoding import BadEncoding, BodyTooLarge, BoundedBody, codings_of
from leaktrace.sources.http_reply import (
    SAMPLE_BYTES,
    FetchResult,
    check_content_type,
    raise_for_status,
    reply_sample,
)
from leaktrace.sources.redaction import redact_text, redact_url
from leaktrace.sources.retry_delays import parse_retry_after

__all__ = ["DEFAULT_MAX_BYTES", "USER_AGENT", "HttpFetcher", "origin_of"]

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
USER_AGENT = "LeakTrace/0.1 (+https://github.com/leaktrace)"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})


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
        url: str | None = None,
        sample: bytes | None = None,
    ) -> SourceError:
        return SourceError(
            self.redact(reason),
            source=self.source,
            transient=transient,
            status=status,
            retry_after=retry_after,
            url=url,
            sample=reply_sample(sample, self._secrets) if sample else None,
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
        raise_for_status(result, source=self.source, secrets=self._secrets)
        if expect is not None and not result.not_modified:
            check_content_type(result, expect, source=self.source, secrets=self._secrets)
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
        origin = origin_of(current)
        headers: dict[str, str] = {}
        if accept:
            headers["Accept"] = accept
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        deadline = started + self.total_timeout
        watchdog = DeadlineWatchdog(self.total_timeout)
        try:
            for _hop in range(self.max_redirects + 1):
                result = self._one(current, headers, deadline, started, watchdog)
                if isinstance(result, FetchResult):
                    return result
                target = result
                if origin_of(target) != origin:
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
        watchdog: DeadlineWatchdog,
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
                raise self._error(timed_out, url=shown) from None
            raise self._error(f"{shown}: timed out ({type(exc).__name__})", url=shown) from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise self._error(f"{shown}: {exc}", transient=False, url=shown) from None
        except (httpx.HTTPError, OSError) as exc:  # refused, reset, a malformed or huge head …
            if watchdog.fired:
                raise self._error(timed_out, url=shown) from None
            raise self._error(f"{shown}: {type(exc).__name__}: {exc}", url=shown) from None
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
            body = b""
            if status != 304:
                body = self._read_body(response, shown, deadline, watchdog, timed_out)
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
                content=body,
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

    def _read_body(
        self,
        response: httpx.Response,
        shown: str,
        deadline: float,
        watchdog: DeadlineWatchdog,
        timed_out: str,
    ) -> bytes:
        """The decoded body, capped at ``max_bytes`` as sent and on every encoding layer."""
        status = response.status_code
        try:
            codings = codings_of(response.headers.get_list("content-encoding"))
        except BadEncoding as exc:
            raise self._error(
                f"{shown}: {exc.reason}",
                transient=False,
                status=status,
                url=shown,
                sample=_raw_head(response),
            ) from None
        declared = _declared_length(response)
        too_long = declared is not None and declared > self.max_bytes
        decoded = BoundedBody(codings, self.max_bytes)
        try:
            for chunk in response.iter_raw():
                decoded.feed(chunk)
                if too_long and len(decoded.body) >= SAMPLE_BYTES:
                    break  # enough for the sample
                if time.monotonic() >= deadline:
                    raise self._error(timed_out, url=shown)
            if too_long:
                raise self._error(
                    f"{shown}: oversize reply: response larger than {self.max_bytes} bytes "
                    f"(Content-Length {declared})",
                    transient=False,
                    status=status,
                    url=shown,
                    sample=bytes(decoded.body[:SAMPLE_BYTES]),
                )
            return decoded.finish()
        except BodyTooLarge as exc:
            raise self._error(
                f"{shown}: oversize reply: response larger than {self.max_bytes} bytes {exc.where}",
                transient=False,
                status=status,
                url=shown,
                sample=bytes(decoded.body[:SAMPLE_BYTES]),
            ) from None
        except BadEncoding as exc:  # corrupt data: what decoded, else the bytes as sent
            raise self._error(
                f"{shown}: {exc.reason}",
                transient=False,
                status=status,
                url=shown,
                sample=bytes(decoded.body[:SAMPLE_BYTES] or decoded.raw_head[:SAMPLE_BYTES]),
            ) from None
        except httpx.TimeoutException as exc:
            if watchdog.fired:
                raise self._error(timed_out, url=shown) from None
            raise self._error(
                f"{shown}: timed out reading ({type(exc).__name__})", url=shown
            ) from None
        except (httpx.HTTPError, OSError) as exc:
            if watchdog.fired or time.monotonic() >= deadline:
                raise self._error(timed_out, url=shown) from None
            raise self._error(
                f"{shown}: reading failed: {type(exc).__name__}: {exc}",
                url=shown,
                sample=bytes(decoded.body[:SAMPLE_BYTES]),
            ) from None


def _raw_head(response: httpx.Response) -> bytes:
    """At most :data:`SAMPLE_BYTES` of a refused reply as sent (not decoded), for its
    sample; nothing if reading fails (the watchdog still bounds the time)."""
    head = bytearray()
    try:
        for chunk in response.iter_raw():
            head += chunk
            if len(head) >= SAMPLE_BYTES:
                break
    except (httpx.HTTPError, OSError):
        pass
    return bytes(head[:SAMPLE_BYTES])


def _declared_length(response: httpx.Response) -> int | None:
    length = (response.headers.get("content-length") or "").strip()
    return int(length) if length.isdigit() and len(length) < 20 else None


def origin_of(url: httpx.URL) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``: redirects are followed only within one origin."""
    port = url.port or (443 if url.scheme == "https" else 80)
    return (url.scheme.lower(), (url.host or "").lower(), port)
