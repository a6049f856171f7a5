"""One hardened HTTP fetcher for every HTTP source (predb.ovh, Torznab/Newznab, RSS).

What it guards against, and how:

* **Slow servers.** Connect and per-read timeouts (httpx), and a *total* deadline per
  :meth:`HttpFetcher.fetch` covering redirects, headers and body. The body is streamed and
  the clock checked between chunks; a watchdog timer also shuts the socket down when the
  deadline passes, so a server trickling one byte at a time (even inside the headers) is
  cut off on time.
* **Huge replies and compression bombs.** A size cap (default 8 MB) on the bytes as sent
  and on every layer of their ``Content-Encoding`` (gzip and deflate, decoded by
  :mod:`~leaktrace.sources.http_decoding` in bounded steps, never by httpx); reading stops
  the moment a layer passes the cap, so a 2 KB ``gzip, gzip`` bomb costs about the cap in
  memory, not gigabytes.
* **Refused replies are traceable.** Every :class:`SourceError` about a reply carries its
  URL (redacted) and a sample of its start (:func:`reply_sample`), which the watcher stores
  in the quarantine entry.
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

This module is the public entry point; the work is done in
:mod:`~leaktrace.sources.http_fetcher` (the fetcher), :mod:`~leaktrace.sources.http_config`
(the configuration every HTTP source shares), :mod:`~leaktrace.sources.http_reply` (the
reply and its checks), :mod:`~leaktrace.sources.deadline_watchdog` (the total deadline),
:mod:`~leaktrace.sources.redaction` (secrets) and :mod:`~leaktrace.sources.retry_delays`
(backoff and ``Retry-After``).
"""

from __future__ import annotations

from leaktrace.sources.http_config import HttpSourceConfig, check_http_url
from leaktrace.sources.http_fetcher import DEFAULT_MAX_BYTES, USER_AGENT, HttpFetcher
from leaktrace.sources.http_reply import (
    FetchResult,
    about_reply,
    check_content_type,
    raise_for_status,
    reply_sample,
)
from leaktrace.sources.redaction import SECRET_PARAMS, redact_text, redact_url
from leaktrace.sources.retry_delays import backoff_delay, parse_retry_after

__all__ = [
    "DEFAULT_MAX_BYTES",
    "HttpSourceConfig",
    "check_http_url",
    "SECRET_PARAMS",
    "USER_AGENT",
    "FetchResult",
    "HttpFetcher",
    "about_reply",
    "backoff_delay",
    "check_content_type",
    "parse_retry_after",
    "raise_for_status",
    "redact_text",
    "redact_url",
    "reply_sample",
]
