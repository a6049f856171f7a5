"""Open the database: resolve a path or URL, configure SQLite, run migrations.

A SQLite file LeakTrace creates is readable by its owner only (0600; a folder created
for it 0700): it may hold personal data (swarm observations). SQLite gives its -wal,
-shm and -journal files the database file's permissions.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from leaktrace.errors import StoreError
from leaktrace.private_files import FILE_MODE, FOLDER_MODE

__all__ = ["FILE_MODE", "FOLDER_MODE", "Database", "resolve_url"]

MIGRATIONS = Path(__file__).parent / "migrations"


def resolve_url(target: str) -> str:
    """A SQLAlchemy URL for ``target``: a URL as it is, a path as a SQLite file URL."""
    if "://" in target:
        try:
            url = make_url(target)
        except ArgumentError:
            raise StoreError(f"'{_redact(target)}' is not a database URL") from None
        name = url.database or ""
        if url.get_backend_name() == "sqlite" and name not in ("", ":memory:"):
            if not name.startswith("file:") and Path(name).parent.is_dir():
                _create_private(Path(name))
        return target
    path = Path(target).expanduser()
    if path.is_dir():
        raise StoreError(f"database path {path} is a directory, expected a file")
    try:
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    _create_private(path)
    return f"sqlite:///{path.resolve()}"


def _create_private(path: Path) -> None:
    """Create the (empty) database file with mode 0600 if it does not exist yet, before
    SQLite would create it with the umask's mode (usually 0644)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"cannot create {path}: {exc.strerror or exc}") from None
    os.close(descriptor)


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable URL>"


def _pool_options(url: str) -> dict[str, Any]:
    """A server-side database keeps as many connections as uvicorn's thread pool runs
    requests at once (40), instead of opening and closing the overflow beyond SQLAlchemy's
    default 5 + 10 per request (a PostgreSQL connection is a fork and an authentication),
    and checks a pooled connection before use (the server may have restarted)."""
    if make_url(url).get_backend_name() == "sqlite":
        return {}
    return {"pool_size": 20, "max_overflow": 20, "pool_pre_ping": True}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of page cache
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite's foreign keys off on ``connection`` inside (outside any transaction, where
    the pragma takes effect): a migration that builds a table again drops the old one,
    and with them on that would delete or null every row referring to it."""
    if connection.dialect.name != "sqlite":
        yield
        return
    connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    connection.commit()
    try:
        yield
    finally:
        try:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
        except SQLAlchemyError:  # pragma: no cover - never back to the pool without them
            connection.invalidate()
            raise


def _check_foreign_keys(connection: Connection) -> None:
    """Refuse (roll back) a migration that left a row referring to one not there."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
    if broken is not None:
        table, rowid, parent, _ = broken
        raise StoreError(f"migration left {table} row {rowid} referring to a missing {parent} row")


class Database:
    """An open LeakTrace database, migrated to the latest schema.

    ``target`` is a file path (SQLite) or a SQLAlchemy URL. Driver errors on opening
    become :class:`StoreError`.
    """

    def __init__(self, target: str, *, migrate: bool = True) -> None:
        self.url = resolve_url(target)
        self.display = _redact(self.url)
        try:
            self.engine: Engine = create_engine(self.url, **_pool_options(self.url))
        except (ArgumentError, ImportError) as exc:
            raise StoreError(f"cannot use database {self.display}: {exc}") from None
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        if migrate:
            self.migrate()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self, revision: str = "head") -> None:
        """Bring the schema to the newest Alembic revision (or to ``revision``)."""
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        try:
            with self.engine.connect() as connection:
                with _foreign_keys_off(connection):
                    with connection.begin():
                        config.attributes["connection"] = connection
                        command.upgrade(config, revision)
                        _check_foreign_keys(connection)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open or migrate {self.display}: {_first_line(exc)}") from None

    def revision(self) -> str | None:
        """The schema's Alembic revision (None: an empty database)."""
        from alembic.runtime.migration import MigrationContext

        try:
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open {self.display}: {_first_line(exc)}") from None

    @staticmethod
    def head() -> str:
        """The newest revision this LeakTrace knows."""
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        head = ScriptDirectory.from_config(config).get_current_head()
        assert head is not None
        return head

    def is_current(self) -> bool:
        """Whether the schema is at the newest revision (a server refuses it otherwise:
        ``leaktrace db upgrade`` migrates a shared database, once per deployment)."""
        return self.revision() == self.head()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction: committed on success, rolled back on any error."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise StoreError(f"database error on {self.display}: {_first_line(exc)}") from None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise StoreError(f"database error on {self.display}: {_first_line(exc)}") from None

    def tables(self) -> list[str]:
        return sorted(inspect(self.engine).get_table_names())

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_line(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
