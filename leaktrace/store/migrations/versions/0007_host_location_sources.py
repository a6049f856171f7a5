"""hosts: each location source's answer kept apart (analyst, GeoIP files, certificate, DNS)

Revision ID: 0007
Revises: 0006

Adds ``host_locations`` (one row per host and source: its country, ASN, organisation and
when it was asked) and ``host_evidence.detail`` (what a reference is, in words). Each
host's stored country moves into ``host_locations`` with the source it came from: a host
never looked up got it from an import (``analyst``); otherwise ``enrichment_source`` says
which GeoIP files, and whether through a domain's address (``dns``). A country that an
earlier ``hosts enrich`` overwrote is gone from the database: importing the analyst's file
again brings it back (imports are idempotent).
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BEFORE = "recorded before LeakTrace kept each source apart (migration 0007)"


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _answer(row: Any, now: datetime) -> dict[str, Any]:
    enriched = _aware(row.enriched_at)
    source = row.enrichment_source or ""
    # an enrichment that answered nothing (a reserved address, a name that did not resolve)
    # wiped the country: one that is there now came from a later import, the analyst's
    answered_nothing = source.startswith("not looked up") or source.endswith("did not resolve")
    if enriched is None or answered_nothing:
        kind, name, detail = "analyst", row.information_source or "import", _BEFORE
        at = _aware(row.last_seen) or _aware(row.first_seen) or now
    elif source.startswith("DNS ") and "; " in source:
        via, name = source.split("; ", 1)
        kind, detail, at = "dns", via, enriched
    else:
        kind, name, detail, at = "geoip", source or "GeoIP", _BEFORE, enriched
    return {
        "host_id": row.id,
        "source_kind": kind,
        "source_name": name[:256],
        "position": 0,
        "country": row.country,
        "asn": row.asn if kind != "analyst" else None,
        "organisation": row.organisation if kind != "analyst" else None,
        "detail": detail[:512],
        "observed_at": at.replace(tzinfo=None) if op.get_bind().dialect.name == "sqlite" else at,
    }


def upgrade() -> None:
    """Upgrade schema."""
    locations = op.create_table(
        "host_locations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("source_kind", sa.String(length=16), nullable=False),
        sa.Column("source_name", sa.String(length=256), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("asn", sa.Integer(), nullable=True),
        sa.Column("organisation", sa.String(length=256), nullable=True),
        sa.Column("detail", sa.String(length=512), nullable=True),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"],
            ["hosts.id"],
            name=op.f("fk_host_locations_host_id_hosts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_host_locations")),
        sa.UniqueConstraint(
            "host_id", "source_kind", "source_name", name=op.f("uq_host_locations_host_id")
        ),
    )
    with op.batch_alter_table("host_locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_host_locations_host_id"), ["host_id"], unique=False)
    with op.batch_alter_table("host_evidence", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detail", sa.String(length=512), nullable=True))

    hosts = sa.table(
        "hosts",
        sa.column("id", sa.Integer()),
        sa.column("country", sa.String()),
        sa.column("asn", sa.Integer()),
        sa.column("organisation", sa.String()),
        sa.column("information_source", sa.String()),
        sa.column("enriched_at", sa.DateTime(timezone=True)),
        sa.column("enrichment_source", sa.String()),
        sa.column("first_seen", sa.DateTime(timezone=True)),
        sa.column("last_seen", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    rows = op.get_bind().execute(sa.select(hosts).where(hosts.c.country.is_not(None))).all()
    if rows:
        op.bulk_insert(locations, [_answer(row, now) for row in rows])


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("host_evidence", schema=None) as batch_op:
        batch_op.drop_column("detail")
    with op.batch_alter_table("host_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_host_locations_host_id"))
    op.drop_table("host_locations")
