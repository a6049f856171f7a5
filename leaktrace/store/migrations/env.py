"""Alembic environment: run with a connection handed over by leaktrace.store."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from leaktrace.store.schema import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` command line, for writing new revisions
        url = config.get_main_option("sqlalchemy.url") or "sqlite:///alembic-dev.db"
        with create_engine(url).begin() as conn:
            context.configure(
                connection=conn, target_metadata=target_metadata, render_as_batch=True
            )
            context.run_migrations()
        return
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    context.run_migrations()


run()
