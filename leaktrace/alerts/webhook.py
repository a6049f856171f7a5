"""Webhook sink: POST each alert event as signed JSON.

Request
    ``POST <url>`` with the body ``event.as_json()`` as compact JSON (UTF-8, keys sorted,
    no spaces) and these headers:

    ``Content-Type: application/json``
    ``User-Agent: LeakTrace/<version>``
    ``X-LeakTrace-Event``: the event kind (``leak`` or ``nuke``)
    ``X-LeakTrace-Delivery``: the event's dedupe key, the same on every retry
    ``X-LeakTrace-Timestamp``: when this attempt was signed, in unix seconds
    ``X-LeakTrace-Signature``: ``sha256=<hex>``, the HMAC-SHA256 with the shared secret
    over ``"<timestamp>.<body>"`` (the timestamp's ASCII digits, a full stop, the raw
    body bytes)

Verifying (receivers)
    Recompute the HMAC over the timestamp header, ``"."`` and the raw body exactly as
    received, compare in constant time, and reject timestamps more than a few minutes
    from your clock (replays). :func:`verify_signature` does all three.

Delivery is at least once: a retry carries the same ``X-LeakTrace-Delivery`` (and body)
with a new timestamp and signature. Receivers get exactly once by remembering the
delivery ids they have processed and answering 2xx to a repeat without acting on it.

Responses
    2xx: delivered. 400, 401, 403, 404, 410, 422 (and other 4xx): permanent failure, not
    retried. 408, 425, 429, 5xx, connection errors and timeouts: transient, retried; a
    ``Retry-After`` header (seconds or an HTTP date) is honoured. Redirects are not
    followed, except 307/308 to the same scheme, host and port; anything else is a
    permanent failure naming where it pointed (set ``url`` to the final address).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import ConfigDict, Field, SecretStr, field_validator, model_validator

from leaktrace import __version__
from leaktrace.alerts.base import AlertEvent, DeliveryError, SinkConfig, SinkPlugin
from leaktrace.errors import ConfigError

__all__ = [
    "PLUGIN",
    "WebhookConfig",
    "WebhookSink",
    "encode_body",
    "parse_retry_after",
    "sign",
    "verify_signature",
]

log = logging.getLogger(__name__)

SIGNATURE_PREFIX = "sha256="
PERMANENT_STATUSES = frozenset({400, 401, 403, 404, 410, 422})
TRANSIENT_STATUSES = frozenset({408, 425, 429})
MAX_SAME_ORIGIN_REDIRECTS = 3
_RESERVED_HEADERS = frozenset(
    {
        "content-type",
        "content-length",
        "host",
        "user-agent",
        "x-leaktrace-event",
        "x-leaktrace-delivery",
        "x-leaktrace-timestamp",
        "x-leaktrace-signature",
    }
)


class WebhookConfig(SinkConfig):
    """A webhook sink. Give the shared secret either inline (``secret``) or as the name of
    an environment variable that holds it (``secret_env``), not both."""

    # Validation errors must not echo the input: it holds the secret.
    model_config = ConfigDict(hide_input_in_errors=True)

    kind: Literal["webhook"] = "webhook"
    url: str
    secret: SecretStr | None = None
    secret_env: str | None = None
    timeout: float = Field(default=10.0, gt=0, le=300)
    headers: dict[str, str] = Field(default_factory=dict, repr=False)
    """Extra request headers (may hold tokens, so not shown in repr)."""

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https"):
            raise ValueError("url must start with http:// or https://")
        if not parts.hostname:
            raise ValueError("url has no host")
        try:
            parts.port  # noqa: B018  (raises on a malformed port)
        except ValueError:
            raise ValueError("url has an invalid port") from None
        return value

    @field_validator("secret_env")
    @classmethod
    def _check_env_name(cls, value: str | None) -> str | None:
        if value is not None and (not value or "=" in value or "\0" in value):
            raise ValueError("secret_env must be the name of an environment variable")
        return value

    @field_validator("headers")
    @classmethod
    def _check_headers(cls, value: dict[str, str]) -> dict[str, str]:
        for name, header in value.items():
            if name.lower() in _RESERVED_HEADERS:
                raise ValueError(f"header {name!r} is set by LeakTrace and cannot be overridden")
            if not name or any(c in name for c in " :\r\n") or any(c in header for c in "\r\n"):
                raise ValueError(f"header {name!r} is not a valid HTTP header")
        return value

    @model_validator(mode="after")
    def _one_secret(self) -> WebhookConfig:
        if self.secret is None and self.secret_env is None:
            raise ValueError("give the signing secret as secret or secret_env")
        if self.secret is not None and self.secret_env is not None:
            raise ValueError("give either secret or secret_env, not both")
        if self.secret is not None and not self.secret.get_secret_value():
            raise ValueError("secret is empty")
        return self

    def resolve_secret(self) -> bytes:
        """The signing secret as bytes, read from the environment if so configured.

        Raises :class:`ConfigError` (naming the variable, never its value) when the
        variable is unset or empty.
        """
        if self.secret is not None:
            return self.secret.get_secret_value().encode("utf-8")
        assert self.secret_env is not None  # the validator guarantees one of the two
        value = os.environ.get(self.secret_env)
        if not value:
            state = "is empty" if value is not None else "is not set"
            raise ConfigError(
                f"webhook sink {self.name!r}: environment variable {self.secret_env} {state} "
                "(it should hold the signing secret)"
            )
        return value.encode("utf-8")


def encode_body(event: AlertEvent) -> bytes:
    """The exact bytes sent: compact, key-sorted UTF-8 JSON of ``event.as_json()``."""
    return json.dumps(
        event.as_json(), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def sign(secret: str | bytes, timestamp: str, body: bytes) -> str:
    """The ``X-LeakTrace-Signature`` value for ``body`` sent at ``timestamp``."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    digest = hmac.new(key, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def verify_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    tolerance: float = 300,
    now: float | None = None,
) -> bool:
    """True when ``header`` (``X-LeakTrace-Signature``) signs ``body`` at ``timestamp``
    (``X-LeakTrace-Timestamp``) with ``secret``, and the timestamp is within ``tolerance``
    seconds of ``now`` (default: the current time). Compares in constant time."""
    try:
        ts = int(timestamp.strip())
    except (ValueError, AttributeError):
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        return False
    header = header.strip()
    if not header.startswith(SIGNATURE_PREFIX):
        return False
    expected = sign(secret, str(ts), body).encode("ascii")
    return hmac.compare_digest(expected, header.encode("utf-8", "replace"))


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP date is always GMT; be lenient with odd ones
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = 443 if parts.scheme == "https" else 80
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default


def _where(url: str) -> str:
    """``scheme://host[:port]`` only: paths and query strings may carry tokens."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}" + (f":{parts.port}" if parts.port else "")


SNIPPET_BYTES = 2048  # of a receiver's reply, read as sent: never decompressed, never more


def _read_head(response: httpx.Response) -> bytes:
    """The first ``SNIPPET_BYTES`` of the reply as sent; the rest is never read."""
    head = bytearray()
    for chunk in response.iter_raw():
        head += chunk
        if len(head) >= SNIPPET_BYTES:
            break
    return bytes(head[:SNIPPET_BYTES])


def _snippet(response: httpx.Response, head: bytes) -> str:
    coding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if coding not in ("", "identity"):  # compressed: not unpacked just to quote it
        return f" (a {coding}-encoded reply, not shown)"
    text = " ".join(head.decode("utf-8", "replace").split())
    return f": {text[:200]}" if text else ""


class WebhookSink:
    """Delivers events to one webhook URL. Thread-safe; one HTTP connection pool."""

    def __init__(
        self,
        config: WebhookConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.name = config.name
        self.config = config
        self._secret = config.resolve_secret()
        self._clock = clock
        self._client = httpx.Client(
            timeout=config.timeout,
            follow_redirects=False,
            transport=transport,
            headers={"User-Agent": f"LeakTrace/{__version__}", **config.headers},
        )

    def __repr__(self) -> str:
        return f"WebhookSink(name={self.name!r}, url={_where(self.config.url)!r})"

    def _fail(
        self, reason: str, *, transient: bool, retry_after: float | None = None
    ) -> DeliveryError:
        return DeliveryError(
            f"webhook {self.name!r}: {reason}",
            sink=self.name,
            transient=transient,
            retry_after=retry_after,
        )

    def request_headers(self, event: AlertEvent, body: bytes) -> dict[str, str]:
        """The LeakTrace headers for one attempt (signed now)."""
        timestamp = str(int(self._clock()))
        return {
            "Content-Type": "application/json",
            "X-LeakTrace-Event": event.kind,
            "X-LeakTrace-Delivery": event.key,
            "X-LeakTrace-Timestamp": timestamp,
            "X-LeakTrace-Signature": sign(self._secret, timestamp, body),
        }

    def deliver(self, event: AlertEvent) -> None:
        try:
            body = encode_body(event)
        except (TypeError, ValueError) as exc:
            raise self._fail(
                f"event {event.key} is not JSON-serialisable: {exc}", transient=False
            ) from None
        headers = self.request_headers(event, body)
        url = self.config.url
        for _ in range(MAX_SAME_ORIGIN_REDIRECTS + 1):
            response, head = self._post(url, body, headers)
            if not response.is_redirect:
                break
            target = urljoin(url, response.headers.get("Location", ""))
            if response.status_code in (307, 308) and _origin(target) == _origin(url):
                url = target
                continue
            raise self._fail(
                f"{_where(url)} answered {response.status_code} redirecting to "
                f"{_where(target)}; redirects are not followed (set url to the final address)",
                transient=False,
            )
        else:
            raise self._fail(f"too many redirects from {_where(self.config.url)}", transient=False)
        self._check(response, head, url)

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[httpx.Response, bytes]:
        """POST and read at most the head of the reply (a receiver's reply is never trusted:
        httpx would decompress a whole gzip bomb to quote it)."""
        where = _where(url)
        try:
            with self._client.stream(
                "POST", url, content=body, headers={**headers, "Accept-Encoding": "identity"}
            ) as response:
                return response, _read_head(response)
        except httpx.TimeoutException as exc:
            raise self._fail(
                f"POST to {where} timed out after {self.config.timeout:g}s ({type(exc).__name__})",
                transient=True,
            ) from None
        except httpx.TransportError as exc:
            raise self._fail(
                f"POST to {where} failed: {type(exc).__name__}: {exc}", transient=True
            ) from None
        except httpx.HTTPError as exc:  # bad URL and the like: retrying will not help
            raise self._fail(
                f"POST to {where} failed: {type(exc).__name__}: {exc}", transient=False
            ) from None

    def _check(self, response: httpx.Response, head: bytes, url: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            log.debug("webhook %s delivered (%s)", self.name, status)
            return
        reason = (
            f"{_where(url)} answered {status} {response.reason_phrase}{_snippet(response, head)}"
        )
        if status in TRANSIENT_STATUSES or status >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"), now=self._clock())
            raise self._fail(reason, transient=True, retry_after=retry_after)
        if status in PERMANENT_STATUSES or 300 <= status < 500:
            raise self._fail(reason, transient=False)
        raise self._fail(f"{reason} (unexpected status)", transient=True)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> WebhookSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _create(config: Any) -> WebhookSink:
    if not isinstance(config, WebhookConfig):
        config = WebhookConfig.model_validate(config)
    return WebhookSink(config)


PLUGIN = SinkPlugin("webhook", WebhookConfig, _create)
