"""The vocabulary of takedown notices: legal forms, statuses and their order, languages,
why a location is refused, and the document a notice is rendered from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

__all__ = [
    "FINAL_STATUSES",
    "LANGUAGES",
    "NEXT_STATUSES",
    "NoticeDocument",
    "NoticeForm",
    "NoticeLocation",
    "NoticeStatus",
    "NoticeWork",
    "Recipient",
    "Refusal",
    "RefusalReason",
    "Sender",
    "notice_id_of",
    "reference_of",
]


class NoticeForm(StrEnum):
    dmca = "dmca"
    """17 U.S.C. §512(c)(3)(A): a notice to a US service provider's designated agent."""
    dsa = "dsa"
    """Regulation (EU) 2022/2065 (Digital Services Act), Article 16(2)."""


class NoticeStatus(StrEnum):
    """The life of a notice and of each location it lists."""

    drafted = "drafted"
    sent = "sent"
    acknowledged = "acknowledged"
    removed = "removed"
    rejected = "rejected"
    no_response = "no-response"


FINAL_STATUSES = frozenset({NoticeStatus.removed, NoticeStatus.rejected, NoticeStatus.no_response})
NEXT_STATUSES: dict[NoticeStatus, tuple[NoticeStatus, ...]] = {
    NoticeStatus.drafted: (NoticeStatus.sent,),
    NoticeStatus.sent: (
        NoticeStatus.acknowledged,
        NoticeStatus.removed,
        NoticeStatus.rejected,
        NoticeStatus.no_response,
    ),
    NoticeStatus.acknowledged: (
        NoticeStatus.removed,
        NoticeStatus.rejected,
        NoticeStatus.no_response,
    ),
    # a late answer still counts; a location seen again after 'removed' is not removed
    NoticeStatus.no_response: (
        NoticeStatus.acknowledged,
        NoticeStatus.removed,
        NoticeStatus.rejected,
    ),
    NoticeStatus.removed: (NoticeStatus.no_response,),
    NoticeStatus.rejected: (NoticeStatus.removed,),
}
"""The moves ``leaktrace notices mark`` accepts from each status ('sent' is reached only
by sending)."""

LANGUAGES = ("en", "it", "fr")
"""The languages a template ships in (users may add others in ``notices.templates_dir``)."""


class RefusalReason(StrEnum):
    """Why a location is never put in a notice."""

    downloader = "downloader"
    """Its host is an address LeakTrace has seen only as an ordinary peer of a swarm:
    notices name content locations and hosts, never downloaders."""
    private = "private-address"
    """Its host is a private, loopback, link-local, multicast or reserved address."""
    unparsable = "bad-url"
    """It is not an absolute http(s) URL with a host."""


@dataclass(frozen=True, slots=True)
class Refusal:
    url: str
    reason: RefusalReason
    detail: str
    """In words, for the user (never the address of a downloader in clear)."""


@dataclass(frozen=True, slots=True)
class Sender:
    """The identity a notice is sent from (``[notices.sender]``)."""

    name: str
    email: str
    address: str
    phone: str
    signature: str
    principal: str
    """The rights holder."""
    trusted_flagger: str | None = None

    @property
    def is_agent(self) -> bool:
        """The sender acts for the rights holder rather than being it."""
        return self.name.strip().casefold() != self.principal.strip().casefold()


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str | None
    email: str | None
    """None: no contact is known yet; the notice cannot be sent."""
    country: str | None = None
    key: str = ""
    """The host, domain, network or ASN the recipient answers for."""


@dataclass(frozen=True, slots=True)
class NoticeWork:
    """A copyrighted work the notice is about."""

    id: str
    title: str
    year: int | None = None
    kind: str = "movie"
    imdb_id: str | None = None

    @property
    def copyrighted_url(self) -> str | None:
        """A public page that identifies the work (its IMDb page), when known."""
        return f"https://www.imdb.com/title/{self.imdb_id}/" if self.imdb_id else None

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


@dataclass(frozen=True, slots=True)
class NoticeLocation:
    """An exact infringing location and what it is a copy of."""

    url: str
    host: str
    work_id: str | None = None
    release: str | None = None
    """The release name seen there."""
    first_seen: datetime | None = None
    why: str | None = None
    """Why the copy is unlawful, in words (a pre-release copy N days before its window;
    the alert's explanation): DSA Art. 16(2)(a)'s substantiated explanation."""


@dataclass(frozen=True, slots=True)
class NoticeDocument:
    """Everything a notice's text is rendered from."""

    reference: str
    """The notice's reference, quoted by the recipient (``LT-N-000042``)."""
    form: NoticeForm
    language: str
    sender: Sender | None
    """None: no sender configured; the notice is refused naming the missing element."""
    recipient: Recipient
    works: tuple[NoticeWork, ...]
    locations: tuple[NoticeLocation, ...]
    day: date
    previous_reference: str | None = None
    """The notice this one repeats, for a re-notice."""
    extra: dict[str, str] = field(default_factory=dict)


_REFERENCE_PREFIX = "LT-N-"


def reference_of(notice_id: int) -> str:
    """The reference a notice is quoted by: ``LT-N-000042``."""
    return f"{_REFERENCE_PREFIX}{notice_id:06d}"


def notice_id_of(reference: str) -> int | None:
    """The notice id in a reference (``LT-N-000042`` → 42, any case), or None."""
    text = reference.strip().upper()
    if not text.startswith(_REFERENCE_PREFIX):
        return None
    digits = text[len(_REFERENCE_PREFIX) :]
    return int(digits) if digits.isdigit() and 0 < len(digits) <= 12 else None
