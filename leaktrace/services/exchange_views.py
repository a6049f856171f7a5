"""Read models of sharing (issue 12): collections and their rights, a publication, an
export, a recorded permission. One JSON form each (``--format json``, the API)."""

from __future__ import annotations

from datetime import datetime

from leaktrace.services.views import View

__all__ = [
    "ExchangeExportView",
    "PermissionView",
    "PublicationView",
    "SharingCollectionView",
]


class SharingCollectionView(View):
    """A TAXII collection and the agencies that may read and write it (codes; an empty list
    means nobody), as the sharing commands administer it. Not the TAXII 2.1 resource of a
    collection (:class:`leaktrace.services.taxii_views.CollectionView`)."""

    id: str
    title: str
    alias: str
    description: str | None
    created_at: datetime
    readers: list[str]
    writers: list[str]


class PublicationView(View):
    """What ``exchange publish`` put into a collection."""

    collection: str
    collection_id: str
    agency: str
    """The publishing agency's code: it owns the new rows and always sees them."""
    source: str
    """What was published: ``case 3``, ``group SPARKS``, ``targets NL``, ``all leaks``,
    ``object <id> from <collection>``."""
    tlp: str
    handling: str | None
    audience: list[str]
    """RED only: the agencies (codes) it was published to, besides the publisher."""
    objects: int
    """Objects in the publication (support objects included)."""
    added: int
    """Versions new to the collection (the others were there already)."""
    stix_ids: list[str]
    published_at: datetime
    notes: list[str]
    """What the publisher should know (RED without --to: only the publisher sees it)."""


class ExchangeExportView(View):
    """What ``exchange export`` wrote."""

    path: str
    format: str
    source: str
    tlp: str | None
    handling: str | None
    agency: str | None
    objects: int
    """STIX objects (bundle) or MISP attributes (event)."""
    exported_at: datetime


class PermissionView(View):
    """An owner's recorded permission to pass an H2 object on."""

    stix_id: str
    agency: str
    granted_by: str
    recorded_by: str
    recorded_at: datetime
