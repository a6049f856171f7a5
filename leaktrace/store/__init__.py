"""Storage: SQLAlchemy 2 + Alembic; SQLite by default, PostgreSQL by URL."""

from leaktrace.store import (
    schema_access,  # noqa: F401  (registers the service tables)
    schema_cases,  # noqa: F401  (registers the case tables)
    schema_exchange,  # noqa: F401  (registers the sharing tables)
    schema_notices,  # noqa: F401  (registers the takedown-notice tables)
    schema_operations,  # noqa: F401  (registers the action-day tables)
)
from leaktrace.store.database import Database, resolve_url
from leaktrace.store.queries import LeakFilter, ReleaseFilter

__all__ = ["Database", "LeakFilter", "ReleaseFilter", "resolve_url"]
