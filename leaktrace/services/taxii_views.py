"""Read models of the TAXII 2.1 server (issue 12): each is one TAXII resource.

``to_json()`` is the resource exactly as the OASIS TAXII 2.1 specification shapes it:
optional properties without a value are left out (never ``null``), and the date headers a
page carries (``X-TAXII-Date-Added-First`` / ``-Last``) are fields of the view but not of
its JSON.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from leaktrace.services.views import View

__all__ = [
    "TAXII_MEDIA_TYPE",
    "ApiRootView",
    "CollectionView",
    "CollectionsView",
    "DiscoveryView",
    "EnvelopeView",
    "ManifestRecordView",
    "ManifestView",
    "StatusDetailView",
    "StatusView",
    "TaxiiResource",
    "VersionsView",
]

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"


class TaxiiResource(View):
    """A TAXII resource: its JSON leaves out optional properties that have no value (at
    every level of the resource, never inside a STIX object), and empty optional lists."""

    def to_json(self) -> dict[str, Any]:
        dumped = self.model_dump(mode="json", exclude_none=True)
        return {key: value for key, value in dumped.items() if value != []}


class DiscoveryView(TaxiiResource):
    title: str
    description: str | None = None
    default: str | None = None
    api_roots: list[str] = []


class ApiRootView(TaxiiResource):
    title: str
    description: str | None = None
    versions: list[str]
    max_content_length: int


class CollectionView(TaxiiResource):
    id: str
    title: str
    description: str | None = None
    alias: str | None = None
    can_read: bool
    can_write: bool
    media_types: list[str] = []


class CollectionsView(TaxiiResource):
    collections: list[CollectionView] = []


class _Paged(TaxiiResource):
    """A page: ``more`` always, ``next`` when more follow, and the page's first and last
    ``date_added`` for the ``X-TAXII-Date-Added-*`` headers (not part of the JSON)."""

    more: bool = False
    next: str | None = None
    date_added_first: str | None = Field(default=None, exclude=True)
    date_added_last: str | None = Field(default=None, exclude=True)

    def headers(self) -> dict[str, str]:
        """The ``X-TAXII-Date-Added-First`` / ``-Last`` headers of this page (none when the
        page is empty)."""
        if self.date_added_first is None or self.date_added_last is None:
            return {}
        return {
            "X-TAXII-Date-Added-First": self.date_added_first,
            "X-TAXII-Date-Added-Last": self.date_added_last,
        }


class EnvelopeView(_Paged):
    objects: list[dict[str, Any]] = []


class ManifestRecordView(TaxiiResource):
    id: str
    date_added: str
    version: str
    media_type: str


class ManifestView(_Paged):
    objects: list[ManifestRecordView] = []


class VersionsView(_Paged):
    versions: list[str] = []


class StatusDetailView(TaxiiResource):
    id: str
    version: str
    message: str | None = None


class StatusView(TaxiiResource):
    id: str
    status: str
    request_timestamp: str | None = None
    total_count: int
    success_count: int
    successes: list[StatusDetailView] = []
    failure_count: int
    failures: list[StatusDetailView] = []
    pending_count: int
    pendings: list[StatusDetailView] = []
