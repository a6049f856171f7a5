"""hosts.reverse_dns: the PTR name of a server's address, when looked up

Revision ID: 0005
Revises: 0004


"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reverse_dns", sa.String(length=253), nullable=True))


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("hosts", schema=None) as batch_op:
        batch_op.drop_column("reverse_dns")
