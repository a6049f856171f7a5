"""Tables of intelligence sharing (issue 12): TAXII collections, who may read and write them,
the STIX objects they hold (every version), the audience of restricted objects, what each
object needs served beside it, TAXII status resources and recorded re-publication permissions.

Migration 0014 creates them. Who may see which row is decided in one place,
:mod:`leaktrace.store.exchange_visibility`.

Times that TAXII compares exactly (``date_added``, an object's ``version``) are stored as
normalised text, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (:func:`leaktrace.store.exchange_time.stamp`):
text of that one form sorts as the times do on every backend, and keeps every microsecond.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from leaktrace.store.schema import Base, UTCDateTime

__all__ = [
    "EXCHANGE_AUDIENCE",
    "EXCHANGE_COLLECTIONS",
    "EXCHANGE_NEEDS",
    "EXCHANGE_OBJECTS",
    "EXCHANGE_PERMISSIONS",
    "EXCHANGE_RIGHTS",
    "EXCHANGE_STATUS",
    "ExchangeAudienceRow",
    "ExchangeCollectionRow",
    "ExchangeNeedRow",
    "ExchangeObjectRow",
    "ExchangePermissionRow",
    "ExchangeRightRow",
    "ExchangeStatusRow",
]


class ExchangeCollectionRow(Base):
    """A TAXII collection. ``id`` is its TAXII id (a UUID); ``title`` and ``alias`` are the
    name the commands use."""

    __tablename__ = "exchange_collections"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    alias: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ExchangeRightRow(Base):
    """An agency's rights on a collection. No row (or both false): the agency may do nothing
    there, and the collection behaves for it as if it did not exist."""

    __tablename__ = "exchange_rights"

    collection_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_collections.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )
    can_read: Mapped[bool] = mapped_column(Boolean, default=False)
    can_write: Mapped[bool] = mapped_column(Boolean, default=False)


class ExchangeObjectRow(Base):
    """One version of one STIX object in one collection, as served (``body``: its JSON).

    ``tlp`` is the effective TLP 2.0 level of the row (the strictest of the object's own
    markings and any stricter level it was published under; None: no TLP marking) and
    ``handling`` its SIENA code (H0-H3) when it carries one. ``owner_agency_id`` is the
    local agency the row belongs to: the agency that published or posted it, or that
    received it from a peer; it always sees the row. ``restricted`` is set when a marking
    could not be understood (fail closed: the owner alone sees the row). ``support`` marks
    marking definitions, extension definitions and identities: they are served only beside
    a visible object of the same owner that needs them (:class:`ExchangeNeedRow`).

    One version of an object may be held once per owner: an agency that sends a version
    another agency holds hidden from it gets its own row (nothing tells it the other
    exists); a reader who may see both is served one (the first added).
    """

    __tablename__ = "exchange_objects"
    __table_args__ = (
        UniqueConstraint("collection_id", "stix_id", "version", "owner_agency_id"),
        Index("ix_exchange_objects_version", "collection_id", "stix_id", "version"),
        Index("ix_exchange_objects_added", "collection_id", "date_added", "stix_id"),
        Index("ix_exchange_objects_type", "collection_id", "stix_type"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_collections.id", ondelete="CASCADE")
    )
    stix_id: Mapped[str] = mapped_column(String(200))
    stix_type: Mapped[str] = mapped_column(String(250))
    spec_version: Mapped[str] = mapped_column(String(16), default="2.1")
    version: Mapped[str] = mapped_column(String(27))
    """``modified``, else ``created``, else ``date_added``: normalised text."""
    date_added: Mapped[str] = mapped_column(String(27))
    """When this server stored the row: normalised text, unique per collection."""
    media_type: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    tlp: Mapped[str | None] = mapped_column(String(16), nullable=True)
    handling: Mapped[str | None] = mapped_column(String(2), nullable=True)
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    granular: Mapped[str | None] = mapped_column(Text, nullable=True)
    """JSON ``{marking_ref: "red" | "amber+strict" | "unknown"}``: the granular markings
    that hide their properties from readers they do not reach (see
    :mod:`leaktrace.exchange.redaction`); None when there is none."""
    support: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="SET NULL"), nullable=True
    )
    origin: Mapped[str] = mapped_column(String(600))
    """How the row came: ``published``, ``posted``, ``pulled <url> <collection>``,
    ``file <name>``, ``republished <collection>``."""
    origin_agency: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The code of the agency that created the object, when its identity says."""


class ExchangeAudienceRow(Base):
    """An agency named (``--to``) for a TLP:RED row: it may see it (besides the owner)."""

    __tablename__ = "exchange_audience"

    object_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_objects.id", ondelete="CASCADE"), primary_key=True
    )
    agency_id: Mapped[int] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True
    )


class ExchangeNeedRow(Base):
    """Object row ``object_id`` needs the support object ``stix_id`` served beside it (its
    markings, their creators, its creator's identity, its extension definitions)."""

    __tablename__ = "exchange_needs"
    __table_args__ = (Index("ix_exchange_needs_stix", "stix_id"),)

    object_id: Mapped[int] = mapped_column(
        ForeignKey("exchange_objects.id", ondelete="CASCADE"), primary_key=True
    )
    stix_id: Mapped[str] = mapped_column(String(200), primary_key=True)


class ExchangeStatusRow(Base):
    """A TAXII status resource: the outcome of one POST of an envelope. Seen only by the
    agency that posted it (and the local operator)."""

    __tablename__ = "exchange_status"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    collection_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_collections.id", ondelete="CASCADE")
    )
    agency_id: Mapped[int | None] = mapped_column(
        ForeignKey("agencies.id", ondelete="CASCADE"), nullable=True
    )
    request_timestamp: Mapped[str] = mapped_column(String(27))
    status: Mapped[str] = mapped_column(String(16))
    total_count: Mapped[int] = mapped_column(Integer)
    details: Mapped[str] = mapped_column(Text)
    """JSON: ``{"successes": [...], "failures": [...], "pendings": [...]}``, each a TAXII
    status-details object."""


class ExchangePermissionRow(Base):
    """The owner's recorded permission to pass on an H2 object (every version of
    ``stix_id``), to ``agency_id``'s users, as recorded by ``recorded_by``."""

    __tablename__ = "exchange_permissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    stix_id: Mapped[str] = mapped_column(String(200), index=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    granted_by: Mapped[str] = mapped_column(String(300))
    """Who at the owning agency gave permission, and how (a reference to the message)."""
    recorded_by: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


EXCHANGE_COLLECTIONS = cast(Table, ExchangeCollectionRow.__table__)
EXCHANGE_RIGHTS = cast(Table, ExchangeRightRow.__table__)
EXCHANGE_OBJECTS = cast(Table, ExchangeObjectRow.__table__)
EXCHANGE_AUDIENCE = cast(Table, ExchangeAudienceRow.__table__)
EXCHANGE_NEEDS = cast(Table, ExchangeNeedRow.__table__)
EXCHANGE_STATUS = cast(Table, ExchangeStatusRow.__table__)
EXCHANGE_PERMISSIONS = cast(Table, ExchangePermissionRow.__table__)
