"""alerts: indexes for keyset pagination of the leaks listing

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_released_at_id", ["released_at", "id"], unique=False)
        batch_op.create_index("ix_alerts_lead_days_id", ["lead_days", "id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_lead_days_id")
        batch_op.drop_index("ix_alerts_released_at_id")
