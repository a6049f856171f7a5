"""What a poll of a source can fail with, and how a bad item is kept aside.

They live here, below :mod:`leaktrace.sources`, because the parsers of the sources' formats
raise and produce them too; :mod:`leaktrace.sources.base` re-exports both.
"""

from __future__ import annotations

from dataclasses import dataclass

from leaktrace.errors import LeakTraceError

__all__ = ["Quarantined", "SourceError"]


class SourceError(LeakTraceError):
    """A whole poll failed. ``transient`` errors are retried with back-off.

    When a reply was the problem (oversize, unsafe XML, wrong content type, not JSON …),
    ``url`` is where it came from (secrets redacted) and ``sample`` the start of it (at
    most :data:`~leaktrace.sources.http_reply.SAMPLE_BYTES` bytes, escaped and redacted);
    the watcher stores both with the quarantine entry.
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str | None = None,
        transient: bool = True,
        retry_after: float | None = None,
        status: int | None = None,
        url: str | None = None,
        sample: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.source = source
        self.transient = transient
        self.retry_after = retry_after
        self.status = status
        self.url = url
        self.sample = sample


@dataclass(frozen=True, slots=True)
class Quarantined:
    """One bad item or response, kept aside with why and where (never silently dropped)."""

    reason: str
    location: str | None = None
    sample: str | None = None
    """At most the first 2,000 characters of the offending input, for an analyst to read."""
