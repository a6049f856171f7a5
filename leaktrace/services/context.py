"""The application context: what every use case needs, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from leaktrace.config import Settings
from leaktrace.infra.services import ServiceLists, service_lists
from leaktrace.store.database import Database

if TYPE_CHECKING:
    from leaktrace.analytics.engines import Engine

__all__ = ["AppContext", "build_context"]


@dataclass
class AppContext:
    """Settings, the database, the shared-service lists and the analytics engine factory.

    The CLI builds one per command, the web app one per process (``app.state.context``).
    """

    settings: Settings
    database: Database
    services: ServiceLists
    _engines: dict[str, Engine] = field(default_factory=dict, repr=False)

    def engine(self, name: str = "duckdb", *, master: str = "local[*]") -> Engine:
        """The analytics engine ``name`` (started on first use, then reused)."""
        from leaktrace.analytics.engines import open_engine

        if name not in self._engines:
            self._engines[name] = open_engine(name, master=master)
        return self._engines[name]

    def close(self) -> None:
        """Close the engines started through :meth:`engine` (a Spark session stops, an
        embedded DuckDB's temporary folders go) and the database."""
        engines, self._engines = list(self._engines.values()), {}
        for engine in engines:
            engine.close()
        self.database.close()

    def __enter__(self) -> AppContext:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_context(settings: Settings, *, migrate: bool = True) -> AppContext:
    """The context for ``settings``.

    ``migrate`` brings the schema to the newest revision first (the CLI's zero-config
    SQLite path); a server passes False and refuses a database that ``leaktrace db
    upgrade`` has not brought up to date.
    """
    lists = service_lists(settings)  # a bad extra_* entry fails before any file is made
    database = Database(settings.database_target(), migrate=migrate)
    return AppContext(settings=settings, database=database, services=lists)
