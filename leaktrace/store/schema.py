"""Database tables (SQLAlchemy 2 declarative). Alembic migrations mirror these."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, cast

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ALERTS",
    "ALERT_EVENTS",
    "DEAD_LETTERS",
    "DELIVERIES",
    "HOSTS",
    "HOST_EVIDENCE",
    "HOST_LOCATIONS",
    "INGEST_RUNS",
    "NFOS",
    "NUKES",
    "QUARANTINE",
    "RELEASES",
    "SHIPMENTS",
    "SIGHTINGS",
    "SINK_STATE",
    "SOURCE_STATE",
    "SUPPLY_ACCOUNTS",
    "SWARM_KEY",
    "SWARM_OBSERVATIONS",
    "WORKS",
    "WORK_ALIASES",
    "AlertEventRow",
    "AlertRow",
    "Base",
    "DeadLetterRow",
    "DeliveryRow",
    "HostEvidenceRow",
    "HostLocationRow",
    "HostRow",
    "IngestRun",
    "NfoRow",
    "NukeRow",
    "QuarantineRow",
    "ReleaseRow",
    "ShipmentRow",
    "SightingRow",
    "SinkStateRow",
    "SourceStateRow",
    "SupplyAccountRow",
    "SwarmKeyRow",
    "SwarmObservationRow",
    "UTCDateTime",
    "WorkAliasRow",
    "WorkRow",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone: we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use an aware UTC time")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class WorkRow(Base):
    __tablename__ = "works"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    year: Mapped[int | None] = mapped_column(Integer)
    season: Mapped[int | None] = mapped_column(Integer)
    country: Mapped[str | None] = mapped_column(String(2))
    theatrical: Mapped[date | None] = mapped_column(Date)
    digital: Mapped[date | None] = mapped_column(Date)
    physical: Mapped[date | None] = mapped_column(Date)
    broadcast: Mapped[date | None] = mapped_column(Date)
    imdb_id: Mapped[str | None] = mapped_column(String(12), index=True)
    tmdb_id: Mapped[int | None] = mapped_column(BigInteger)
    imported_from: Mapped[str | None] = mapped_column(String(1024))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkAliasRow(Base):
    __tablename__ = "work_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(300))


class IngestRun(Base):
    __tablename__ = "ingest_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    files: Mapped[str] = mapped_column(Text)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    new_releases: Mapped[int] = mapped_column(Integer, default=0)
    new_sightings: Mapped[int] = mapped_column(Integer, default=0)


class ReleaseRow(Base):
    __tablename__ = "releases"
    __table_args__ = (
        # the releases listing filtered by outcome, newest first (keyset on released_at, id)
        Index("ix_releases_status_released_at", "status", "released_at", "id"),
        # an index, not a table constraint: a large ingest into a smaller SQLite database
        # drops it and builds it at its end (store.releases.deferred_indexes)
        Index("uq_releases_name", "name", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(512))
    title: Mapped[str | None] = mapped_column(String(512))
    year: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    season: Mapped[int | None] = mapped_column(Integer)
    episode: Mapped[int | None] = mapped_column(Integer)
    resolution: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(16))
    codec: Mapped[str | None] = mapped_column(String(16))
    languages: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[str | None] = mapped_column(String(256))
    group_name: Mapped[str | None] = mapped_column(String(128))
    group_key: Mapped[str | None] = mapped_column(String(128), index=True)
    service: Mapped[str | None] = mapped_column(String(16))
    website: Mapped[str | None] = mapped_column(String(128))
    """The site or uploader the release name carries (``www.site.example - ...``)."""
    work_id: Mapped[str | None] = mapped_column(
        ForeignKey("works.id", ondelete="SET NULL"), index=True
    )
    match_score: Mapped[float] = mapped_column(Float, default=0.0)
    match_reason: Mapped[str] = mapped_column(String(512), default="")
    status: Mapped[str] = mapped_column(String(16), default="unknown")
    imdb_id: Mapped[str | None] = mapped_column(String(12))
    nuke_status: Mapped[str | None] = mapped_column(String(16))
    nuke_reason: Mapped[str | None] = mapped_column(String(256))
    nuke_net: Mapped[str | None] = mapped_column(String(64))
    nuked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    sightings: Mapped[int] = mapped_column(Integer, default=1)
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))


class SightingRow(Base):
    __tablename__ = "sightings"
    __table_args__ = (
        Index("uq_sightings_fingerprint", "fingerprint", unique=True),  # as uq_releases_name
        Index(
            "ix_sightings_infohash",
            "infohash",
            sqlite_where=text("infohash IS NOT NULL"),
            postgresql_where=text("infohash IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), index=True
    )
    fingerprint: Mapped[str] = mapped_column(String(40))
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    origin: Mapped[str] = mapped_column(String(32))
    site: Mapped[str | None] = mapped_column(String(256))
    url: Mapped[str | None] = mapped_column(String(2048))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    group_name: Mapped[str | None] = mapped_column(String(128))
    extra: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_runs.id"))
    source: Mapped[str | None] = mapped_column(String(64))
    infohash: Mapped[str | None] = mapped_column(String(40))
    infohash_v2: Mapped[str | None] = mapped_column(String(64))
    seeders: Mapped[int | None] = mapped_column(Integer)
    leechers: Mapped[int | None] = mapped_column(Integer)
    grabs: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(64))


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("release_id"),
        Index("ix_alerts_work_window", "work_id", "window"),
        # keyset pagination of the leaks listing (newest first, or by lead)
        Index("ix_alerts_released_at_id", "released_at", "id"),
        Index("ix_alerts_lead_days_id", "lead_days", "id"),
        Index("ix_alerts_created_at", "created_at"),
        # leaks by severity: one severity at a time, by (lead_days, id)
        Index("ix_alerts_severity_lead", "severity", "lead_days", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(64))
    window: Mapped[str] = mapped_column(String(16))
    window_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))
    released_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lead_days: Mapped[float] = mapped_column(Float)
    severity: Mapped[str] = mapped_column(String(16), index=True)
    explanation: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NukeRow(Base):
    """Every nuke, unnuke, modnuke, delpre and undelpre a pre-database announced."""

    __tablename__ = "nukes"
    __table_args__ = (UniqueConstraint("fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(40))
    release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(512), index=True)
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(256))
    net: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str | None] = mapped_column(String(64))


class SourceStateRow(Base):
    """Each watched source's checkpoint and health."""

    __tablename__ = "source_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    checkpoint: Mapped[str | None] = mapped_column(Text)
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    items_seen: Mapped[int] = mapped_column(BigInteger, default=0)
    items_quarantined: Mapped[int] = mapped_column(BigInteger, default=0)
    newest_item_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class QuarantineRow(Base):
    """A bad item or response kept aside with its reason, for an analyst to look at."""

    __tablename__ = "quarantine"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(64), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(2048))
    sample: Mapped[str | None] = mapped_column(Text)


class AlertEventRow(Base):
    """The outbox: events written in the same transaction as the data behind them.

    ``kind`` is ``leak`` or ``nuke`` (alerts, delivered to sinks), ``operation`` (an
    action day's live events, read by its boards through ``topic`` =
    ``operation:<id>``; never delivered to sinks) or ``notice`` (a takedown notice's
    mail, ``topic`` = ``notice:<id>``: delivered only by the notices' own sink)."""

    __tablename__ = "alert_events"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_alert_events_topic_id", "topic", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    release_id: Mapped[int | None] = mapped_column(ForeignKey("releases.id", ondelete="SET NULL"))
    severity: Mapped[str] = mapped_column(String(16))
    window: Mapped[str] = mapped_column(String(16))
    work_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    topic: Mapped[str | None] = mapped_column(String(64))


class SinkStateRow(Base):
    """How far each configured sink has scanned the outbox."""

    __tablename__ = "sink_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DeliveryRow(Base):
    """One event to one sink: pending until delivered, or moved to the dead letters."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "sink"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"))
    sink: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeadLetterRow(Base):
    """Deliveries that kept failing: kept with the last error for a person to act on."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("alert_events.id", ondelete="CASCADE"))
    sink: Mapped[str] = mapped_column(String(64), index=True)
    attempts: Mapped[int] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NfoRow(Base):
    """An NFO file's text, tied to the release (and group) it announced."""

    __tablename__ = "nfos"
    __table_args__ = (UniqueConstraint("release_id", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    release_id: Mapped[int] = mapped_column(
        ForeignKey("releases.id", ondelete="CASCADE"), index=True
    )
    group_key: Mapped[str | None] = mapped_column(String(128), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SupplyAccountRow(Base):
    """A customer account of a disc distributor (a business, as the distributor knows it)."""

    __tablename__ = "supply_accounts"
    __table_args__ = (UniqueConstraint("distributor", "account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    distributor: Mapped[str] = mapped_column(String(128))
    account: Mapped[str] = mapped_column(String(128))
    declared_business: Mapped[str] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    opened_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ShipmentRow(Base):
    """Discs of a work shipped to an account before (or after) their street date."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("identity"),
        Index("ix_shipments_work_shipped", "work_id", "shipped_at"),
        Index("ix_shipments_fingerprint", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    identity: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the distributor's shipment id, or of the import file's bytes and line: two
    identical rows are two shipments. Shipments stored before migration 0006 keep their
    content fingerprint here."""
    fingerprint: Mapped[str] = mapped_column(String(40))
    """SHA-1 of the content (not unique): how shipments were identified before 0006."""
    shipment_id: Mapped[str | None] = mapped_column(String(128))
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    source_line: Mapped[int | None] = mapped_column(Integer)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("supply_accounts.id", ondelete="CASCADE"), index=True
    )
    work_id: Mapped[str] = mapped_column(ForeignKey("works.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    shipped_at: Mapped[datetime] = mapped_column(UTCDateTime())
    street_date: Mapped[date] = mapped_column(Date)
    imported_from: Mapped[str | None] = mapped_column(String(1024))


class HostRow(Base):
    """A server or domain tied to releases: tracker, web seed, site, seedbox, server …"""

    __tablename__ = "hosts"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(8))
    """``ip`` or ``domain``."""
    value: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime())
    information_source: Mapped[str | None] = mapped_column(String(256))
    country: Mapped[str | None] = mapped_column(String(2), index=True)
    asn: Mapped[int | None] = mapped_column(Integer)
    organisation: Mapped[str | None] = mapped_column(String(256))
    enriched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    enrichment_source: Mapped[str | None] = mapped_column(String(256))
    notes: Mapped[str | None] = mapped_column(Text)
    reverse_dns: Mapped[str | None] = mapped_column(String(253))
    """The PTR name of the address as of the last ``hosts enrich --reverse-dns`` that got an
    answer (off by default; a later enrichment without it keeps this name)."""


class HostEvidenceRow(Base):
    """Why a host is tied to a release or group: where and when it was seen."""

    __tablename__ = "host_evidence"
    __table_args__ = (UniqueConstraint("host_id", "kind", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"), index=True)
    release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL"), index=True
    )
    group_key: Mapped[str | None] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))
    reference: Mapped[str] = mapped_column(String(512))
    seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    detail: Mapped[str | None] = mapped_column(String(512))
    """What the referenced record is, in words (a torrent's info-hash and tracker, an
    import's file and line …): readable without the database, and kept when retention
    deletes the record itself."""


class HostLocationRow(Base):
    """One source's answer to where a host is: an analyst's import, one GeoIP file, a
    domain's address (DNS), a certificate. The host's ``country`` is chosen from these by
    :data:`leaktrace.infra.model.SOURCE_PRECEDENCE`."""

    __tablename__ = "host_locations"
    __table_args__ = (UniqueConstraint("host_id", "source_kind", "source_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("hosts.id", ondelete="CASCADE"), index=True)
    source_kind: Mapped[str] = mapped_column(String(16))
    """``analyst``, ``geoip``, ``dns`` or ``certificate``."""
    source_name: Mapped[str] = mapped_column(String(256))
    """The import file, the GeoIP file (name, type, build date), the certificate …"""
    position: Mapped[int] = mapped_column(Integer, default=0)
    """Order of the GeoIP files within one look-up (0: the first given)."""
    country: Mapped[str | None] = mapped_column(String(2))
    """``None``: the source was asked and does not know."""
    asn: Mapped[int | None] = mapped_column(Integer)
    organisation: Mapped[str | None] = mapped_column(String(256))
    detail: Mapped[str | None] = mapped_column(String(512))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SwarmObservationRow(Base):
    """One peer seen in a torrent swarm. Ordinary downloaders are personal data: they are
    kept only as a keyed hash with country and ASN; addresses in clear only for hosts
    tagged as infrastructure (seedboxes, initial seeders, servers)."""

    __tablename__ = "swarm_observations"
    __table_args__ = (
        UniqueConstraint("fingerprint"),
        Index("ix_swarm_infohash_time", "infohash", "observed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fingerprint: Mapped[str] = mapped_column(String(40))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    infohash: Mapped[str] = mapped_column(String(40))
    release_id: Mapped[int | None] = mapped_column(
        ForeignKey("releases.id", ondelete="SET NULL"), index=True
    )
    work_id: Mapped[str | None] = mapped_column(String(64), index=True)
    peer_key: Mapped[str] = mapped_column(String(64))
    """Keyed hash (HMAC-SHA256) of the peer address: counts distinct peers, reveals none."""
    peer_ip: Mapped[str | None] = mapped_column(String(45))
    """Only for infrastructure; NULL for every ordinary downloader."""
    port: Mapped[int | None] = mapped_column(Integer)
    client: Mapped[str | None] = mapped_column(String(64))
    seeder: Mapped[bool] = mapped_column(Boolean)
    completed: Mapped[bool] = mapped_column(Boolean)
    country: Mapped[str | None] = mapped_column(String(2))
    asn: Mapped[int | None] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))
    imported_from: Mapped[str | None] = mapped_column(String(1024))


class SwarmKeyRow(Base):
    """Which swarm key this database's peers are hashed with, as a check value (an HMAC of
    a fixed label under the key, never the key): stored on the first import, so an import
    under another key is refused instead of counting every peer twice. One row."""

    __tablename__ = "swarm_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    key_check: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime())


WORKS = cast(Table, WorkRow.__table__)
WORK_ALIASES = cast(Table, WorkAliasRow.__table__)
INGEST_RUNS = cast(Table, IngestRun.__table__)
RELEASES = cast(Table, ReleaseRow.__table__)
SIGHTINGS = cast(Table, SightingRow.__table__)
ALERTS = cast(Table, AlertRow.__table__)
NUKES = cast(Table, NukeRow.__table__)
SOURCE_STATE = cast(Table, SourceStateRow.__table__)
QUARANTINE = cast(Table, QuarantineRow.__table__)
ALERT_EVENTS = cast(Table, AlertEventRow.__table__)
SINK_STATE = cast(Table, SinkStateRow.__table__)
DELIVERIES = cast(Table, DeliveryRow.__table__)
DEAD_LETTERS = cast(Table, DeadLetterRow.__table__)
NFOS = cast(Table, NfoRow.__table__)
SUPPLY_ACCOUNTS = cast(Table, SupplyAccountRow.__table__)
SHIPMENTS = cast(Table, ShipmentRow.__table__)
HOSTS = cast(Table, HostRow.__table__)
HOST_EVIDENCE = cast(Table, HostEvidenceRow.__table__)
HOST_LOCATIONS = cast(Table, HostLocationRow.__table__)
SWARM_OBSERVATIONS = cast(Table, SwarmObservationRow.__table__)
SWARM_KEY = cast(Table, SwarmKeyRow.__table__)
