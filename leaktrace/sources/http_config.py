"""What every HTTP source's configuration has: a URL and the limits of each fetch."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from pydantic import Field, field_validator

from leaktrace.sources.base import SourceConfig
from leaktrace.sources.http_fetcher import DEFAULT_MAX_BYTES, HttpFetcher

__all__ = ["HttpSourceConfig", "check_http_url"]


def check_http_url(value: str) -> str:
    """An ``http://`` or ``https://`` URL with a host (and a valid port, if any),
    stripped; ``ValueError`` otherwise (a configuration error, never a traceback)."""
    value = value.strip()
    if not value.lower().startswith(("http://", "https://")):
        raise ValueError("url must start with http:// or https://")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError as exc:
        raise ValueError(f"url is not a valid URL ({exc})") from None
    if not parts.hostname:
        raise ValueError("url has no host")
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
