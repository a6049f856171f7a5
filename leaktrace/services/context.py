"""The application context: what every use case needs, built once per process."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from leaktrace.config import ParserSettings, Settings
from leaktrace.errors import ConfigError
from leaktrace.infra.services import ServiceLists, service_lists
from leaktrace.releases.sites import register_sites
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
    register_parser_sites(settings.parser)
    database = Database(settings.database_target(), migrate=migrate)
    return AppContext(settings=settings, database=database, services=lists)


def register_parser_sites(parser: ParserSettings) -> None:
    """Add the configured site names (``parser.extra_sites``, ``parser.sites_file``) to
    the ones the release-name parser knows. A sites file that cannot be read is a
    :class:`ConfigError` naming it."""
    names = list(parser.extra_sites)
    if parser.sites_file is not None:
        path = parser.sites_file.expanduser()
        try:
            names.extend(path.read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ConfigError(
                f"setting 'parser.sites_file': cannot read {path}: {reason}"
            ) from None
    register_sites(names)
