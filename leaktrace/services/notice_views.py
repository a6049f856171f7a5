"""Read models of takedown notices: a notice (summary and whole), its locations and
history, the outcome of drafting, sending, tracking and re-noticing, contacts, and the
figures of ``leaktrace notices stats``.

Each is the JSON of ``leaktrace notices ... --format json`` and of the API. Times are
ISO 8601 UTC strings (``2026-12-06T07:30:00Z``).
"""

from __future__ import annotations

from typing import Any

from leaktrace.services.views import View

__all__ = [
    "ContactImportView",
    "ContactView",
    "DraftResultView",
    "ExportResultView",
    "ExportSkipView",
    "NeedsContactView",
    "NoticeChangeView",
    "NoticeLocationView",
    "NoticeStatsView",
    "NoticeSummaryView",
    "NoticeView",
    "OtherFormView",
    "RefusedLocationView",
    "RenoticeResultView",
    "RepeatOffenderView",
    "SendFailureView",
    "SendResultView",
    "SkippedLocationView",
    "TakedownFigureView",
    "TrackResultView",
]


class ContactView(View):
    id: int
    match: str
    """The domain, IP address, network (CIDR) or ASN (``AS64500``) it answers for."""
    match_kind: str
    name: str
    email: str
    country: str | None
    form: str | None
    origin: str
    updated_at: str


class ContactImportView(View):
    file: str
    added: int
    updated: int
    unchanged: int
    total: int
    """Contacts known after the import."""


class NoticeLocationView(View):
    id: int
    url: str
    host: str
    work_id: str | None
    work: str | None
    """The work's title and year."""
    release: str | None
    status: str
    status_at: str
    removed_at: str | None
    seen_again_at: str | None


class NoticeChangeView(View):
    at: str
    status: str
    location: str | None
    """The location's URL; None for a change of the notice itself."""
    by: str
    via: str
    """``hand``, ``reply``, ``sighting``, ``send`` or ``auto``."""
    detail: str | None


class NoticeSummaryView(View):
    id: int
    reference: str
    """``LT-N-000042``: quoted in the subject and by recipients."""
    form: str
    language: str
    status: str
    recipient_key: str
    recipient_name: str | None
    recipient_email: str | None
    recipient_country: str | None
    needs_contact: bool
    """No e-mail known for the recipient: it cannot be sent until one is given."""
    locations: int
    removed: int
    works: list[str]
    """Titles (with years) of the works it names."""
    case_id: int | None
    agency: str | None
    created_at: str
    sent_at: str | None
    delivery: str | None
    """While sending: ``queued``, ``retrying`` or ``failed``."""
    previous_id: int | None


class NoticeView(NoticeSummaryView):
    subject: str
    body: str
    template: str
    message_id: str | None
    sender: dict[str, Any]
    delivery_error: str | None
    evidence_item_id: int | None
    next_statuses: list[str]
    location_list: list[NoticeLocationView]
    changes: list[NoticeChangeView]


class RefusedLocationView(View):
    url: str
    reason: str
    """``downloader``, ``private-address`` or ``bad-url``."""
    detail: str


class NeedsContactView(View):
    recipient_key: str
    notice_id: int
    locations: int


class SkippedLocationView(View):
    url: str
    notice_id: int
    """The open notice that already lists it."""


class OtherFormView(View):
    """A recipient whose contact takes another legal form than the one drafted: its
    locations are not drafted (draft them again with that form)."""

    recipient_key: str
    recipient_name: str
    form: str
    """The form its contact takes (the contacts' ``form``): ``dmca`` or ``dsa``."""
    urls: list[str]


class DraftResultView(View):
    notices: list[NoticeSummaryView]
    refused: list[RefusedLocationView]
    needs_contact: list[NeedsContactView]
    skipped: list[SkippedLocationView]
    other_form: list[OtherFormView] = []


class SendFailureView(View):
    id: int
    reason: str


class SendResultView(View):
    sent: list[int]
    queued: list[int]
    """Tried and failed for now: retried later (``delivery`` = ``retrying``)."""
    failed: list[SendFailureView]
    """Refused before sending (no contact, incomplete) or given up (dead letter)."""


class ExportSkipView(View):
    """A notice ``export --all`` left out (e.g. an .eml of a draft without a contact)."""

    id: int
    reference: str
    reason: str


class ExportResultView(View):
    format: str
    files: list[str]
    skipped: list[ExportSkipView] = []


class TrackResultView(View):
    replies_read: int
    replies_matched: int
    unmatched: list[str]
    """Reply files that name no notice (left in the folder)."""
    changes: int
    seen_again: int
    """Locations found in LeakTrace's own sightings after their notice was sent."""
    no_response: int
    """Notices marked ``no-response`` because ``no_response_days`` passed."""


class RenoticeResultView(View):
    notices: list[NoticeSummaryView]
    """The new notices (drafted) that repeat older ones."""


class TakedownFigureView(View):
    key: str
    """The provider (recipient) or the country."""
    notices: int
    locations: int
    removed: int
    removed_share: float
    """0-1."""
    median_hours: float | None
    """Time from sending to removal, over removed locations."""
    p90_hours: float | None


class RepeatOffenderView(View):
    host: str
    recipient: str | None
    notices: int
    locations: int
    seen_again: int


class NoticeStatsView(View):
    notices: int
    sent: int
    locations: int
    removed: int
    removed_share: float
    median_hours: float | None
    p90_hours: float | None
    by_status: dict[str, int]
    by_provider: list[TakedownFigureView]
    by_country: list[TakedownFigureView]
    repeat_offenders: list[RepeatOffenderView]
