"""releases.name and sightings.fingerprint: unique indexes instead of table constraints

The same uniqueness, held by a named unique index (``uq_releases_name``,
``uq_sightings_fingerprint``) instead of a constraint in the table's definition: SQLite
cannot drop a constraint's index, and a large ingest into a smaller database drops these
two with the other secondary indexes and builds them once at its end
(``leaktrace.store.releases.deferred_indexes``). On SQLite each table is built again
without the constraint (its rows, ids and other indexes kept; foreign keys are off while
migrations run, see ``Database.migrate``); PostgreSQL drops the constraint and creates the
index.

Revision ID: 0018
Revises: 0017

"""

import re
from collections.abc import Sequence

from alembic import op
from sqlalchemy import text

# revision identifiers, used by Alembic.
revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNIQUE = (
    ("releases", "uq_releases_name", "name"),
    ("sightings", "uq_sightings_fingerprint", "fingerprint"),
)


def _rebuild_sqlite(table: str, definition: str) -> None:
    """Build ``table`` again as ``definition`` (its CREATE TABLE, under a temporary name)
    with every row, then its indexes (the 12-step way of SQLite's ALTER TABLE docs)."""
    bind = op.get_bind()
    indexes = [
        sql
        for (sql,) in bind.execute(
            text(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = :t "
                "AND sql IS NOT NULL"
            ),
            {"t": table},
        )
    ]
    temporary = f"_new_{table}"
    bind.exec_driver_sql(_head(table).sub(f"CREATE TABLE {temporary} (", definition, count=1))
    bind.exec_driver_sql(f"INSERT INTO {temporary} SELECT * FROM {table}")
    bind.exec_driver_sql(f"DROP TABLE {table}")
    bind.exec_driver_sql(f"ALTER TABLE {temporary} RENAME TO {table}")
    for sql in indexes:
        bind.exec_driver_sql(sql)


def _head(table: str) -> re.Pattern[str]:
    """The start of ``table``'s CREATE TABLE (quoted once SQLite has renamed it)."""
    return re.compile(rf'^CREATE TABLE "?{table}"? \(')


def _definition(table: str) -> str:
    bind = op.get_bind()
    sql = bind.execute(
        text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {"t": table}
    ).scalar_one()
    if not _head(table).match(sql):  # pragma: no cover - made by 0001
        raise RuntimeError(f"{table}: unexpected table definition")
    return str(sql)


def upgrade() -> None:
    """Upgrade schema."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, name, column in UNIQUE:
        if sqlite:
            constraint = re.compile(rf",\s*CONSTRAINT {name} UNIQUE \({column}\)")
            definition, found = constraint.subn("", _definition(table))
            if found != 1:  # pragma: no cover - made by 0001
                raise RuntimeError(f"{table}: constraint {name} not found")
            _rebuild_sqlite(table, definition)
        else:
            op.drop_constraint(name, table, type_="unique")
        op.create_index(name, table, [column], unique=True)


def downgrade() -> None:
    """Downgrade schema."""
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table, name, column in UNIQUE:
        op.drop_index(name, table_name=table)
        if sqlite:
            body = re.sub(r"\s*\)\s*$", "", _definition(table))  # less the closing bracket
            _rebuild_sqlite(table, f"{body}, \n\tCONSTRAINT {name} UNIQUE ({column})\n)")
        else:
            op.create_unique_constraint(name, table, [column])
