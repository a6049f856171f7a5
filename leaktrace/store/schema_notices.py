"""Tables of takedown notices (issue 15): the recipients' abuse contacts, the notices,
the locations each lists, and every status change of a notice or a location.

Migration 0017 creates them. A notice is owned by the agency that drafted it
(``agency_id``; None for the command line's operator): to any other agency it does not
exist. Sending a notice writes one outbox row (``alert_events``, ``kind = 'notice'``,
``topic = 'notice:<id>'``) and one delivery for the notices' mail sink, so the outbox's
retries and dead letters carry it; :mod:`leaktrace.services.notice_sending` settles the
notice once the delivery is done.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from leaktrace.store.schema import Base, UTCDateTime

__all__ = [
    "NOTICES",
    "NOTICE_CHANGES",
    "NOTICE_CONTACTS",
    "NOTICE_LOCATIONS",
    "NoticeChangeRow",
    "NoticeContactRow",
    "NoticeLocationRow",
    "NoticeRow",
]


class NoticeContactRow(Base):
    """Where notices for a host go: its abuse contact.

    ``match`` is what the contact answers for, normalised: a domain (and its
    sub-domains), an IP address, a network (CIDR) or an autonomous system (``AS64500``:
    the provider of every host enriched with that ASN); ``match_kind`` says which."""

    __tablename__ = "notice_contacts"
    __table_args__ = (UniqueConstraint("match"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    match: Mapped[str] = mapped_column(String(255))
    match_kind: Mapped[str] = mapped_column(String(8))
    """``domain``, ``ip``, ``cidr`` or ``asn``."""
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    country: Mapped[str | None] = mapped_column(String(2))
    form: Mapped[str | None] = mapped_column(String(8))
    """The legal form this recipient takes (``dmca`` / ``dsa``), when the user said."""
    origin: Mapped[str] = mapped_column(String(1024))
    """``file:<path>`` (contacts import), ``hosts:<path>`` (a host list's abuse columns)
    or ``hand`` (entered by hand)."""
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NoticeRow(Base):
    """One notice to one recipient, listing every location of that recipient."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_agency_status", "agency_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    """The drafting agency (None: the command line's operator)."""
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    form: Mapped[str] = mapped_column(String(8))
    """``dmca`` or ``dsa``."""
    language: Mapped[str] = mapped_column(String(8))
    """``en``, ``it``, ``fr`` ..."""
    recipient_key: Mapped[str] = mapped_column(String(255))
    """What the locations were grouped by: the contact's ``match``, or the host itself
    when no contact is known yet."""
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("notice_contacts.id", ondelete="SET NULL")
    )
    recipient_name: Mapped[str | None] = mapped_column(String(200))
    recipient_email: Mapped[str | None] = mapped_column(String(320))
    """None: the recipient needs a contact before the notice can be sent."""
    recipient_country: Mapped[str | None] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), index=True)
    """``drafted``, ``sent``, ``acknowledged``, ``removed``, ``rejected``, ``no-response``."""
    template: Mapped[str] = mapped_column(String(64))
    """The template it was rendered from (``dmca.en.txt``)."""
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    """The rendered text, as reviewed and as sent."""
    sender: Mapped[str] = mapped_column(Text)
    """The sender identity it was rendered with (JSON of ``[notices.sender]``)."""
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    """The notice this one repeats (a re-notice)."""
    delivery: Mapped[str | None] = mapped_column(String(16))
    """While sending: ``queued``, ``retrying`` or ``failed`` (dead letter); None before
    sending and once sent."""
    delivery_error: Mapped[str | None] = mapped_column(Text)
    evidence_item_id: Mapped[int | None] = mapped_column(Integer)
    """The case item holding the sent message (``.eml``), when the notice has a case."""
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class NoticeLocationRow(Base):
    """One infringing location (an exact URL) a notice lists, and what became of it."""

    __tablename__ = "notice_locations"
    __table_args__ = (
        UniqueConstraint("notice_id", "url"),
        Index("ix_notice_locations_url", "url"),
        Index("ix_notice_locations_host", "host"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    host: Mapped[str] = mapped_column(String(255))
    """The URL's host, normalised (a domain or an IP address)."""
    host_id: Mapped[int | None] = mapped_column(ForeignKey("hosts.id", ondelete="SET NULL"))
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id", ondelete="SET NULL"))
    work_id: Mapped[str | None] = mapped_column(ForeignKey("works.id", ondelete="SET NULL"))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"))
    release_name: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(String(16))
    status_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    seen_again_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """The first sighting of the URL after the notice was sent: it was not removed."""


class NoticeChangeRow(Base):
    """A status change of a notice (``location_id`` None) or of one of its locations:
    who or what made it (``via``: ``hand``, ``reply``, ``sighting``, ``send``, ``auto``)."""

    __tablename__ = "notice_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("notice_locations.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by: Mapped[str] = mapped_column(String(320))
    via: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(Text)


NOTICE_CONTACTS = cast(Table, NoticeContactRow.__table__)
NOTICES = cast(Table, NoticeRow.__table__)
NOTICE_LOCATIONS = cast(Table, NoticeLocationRow.__table__)
NOTICE_CHANGES = cast(Table, NoticeChangeRow.__table__)
