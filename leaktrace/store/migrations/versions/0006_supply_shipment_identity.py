"""shipments: identity by shipment_id or by file, content and occurrence, not by content alone

Two identical rows of a shipments file are two shipments. A shipment is now identified
by ``identity``: the SHA-256 of the distributor's ``shipment_id``, or of the import file's
name, the row's content and which copy of that content in the file it is (see
``leaktrace.supply.model.shipment_identity``). Shipments stored before keep their content
fingerprint as their identity (so re-importing a file imported before adds nothing);
``fingerprint`` stays, no longer unique. Downgrading keeps one shipment of every set with
the same content.

Revision ID: 0006
Revises: 0005


"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("identity", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("shipment_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("source_sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("source_line", sa.Integer(), nullable=True))
    op.execute("UPDATE shipments SET identity = fingerprint")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.alter_column("identity", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint(batch_op.f("uq_shipments_fingerprint"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_shipments_identity"), ["identity"])
        batch_op.create_index("ix_shipments_fingerprint", ["fingerprint"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.execute(
        "DELETE FROM shipments WHERE id NOT IN (SELECT MIN(id) FROM shipments GROUP BY fingerprint)"
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_shipments_fingerprint")
        batch_op.drop_constraint(batch_op.f("uq_shipments_identity"), type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_shipments_fingerprint"), ["fingerprint"])
        batch_op.drop_column("source_line")
        batch_op.drop_column("source_sha256")
        batch_op.drop_column("shipment_id")
        batch_op.drop_column("identity")
