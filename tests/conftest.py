"""Shared fixtures: a temporary database, the test catalogue, feed writers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from leaktrace.config import Settings, load_settings
from leaktrace.store.database import Database
from tests.pg_server import postgres_database, postgres_url  # noqa: F401  (fixtures)

FIXTURES = Path(__file__).parent / "fixtures"

# Property tests run beside others on every core (-n auto): a busy machine makes drawing
# examples slow, which says nothing about the code under test.
hypothesis_settings.register_profile(
    "leaktrace", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("leaktrace")


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own configuration or database."""
    for key in (
        "LEAKTRACE_DB",
        "LEAKTRACE_CONFIG",
        "LEAKTRACE_MATCH_THRESHOLD",
        "LEAKTRACE_BATCH_SIZE",
        "LEAKTRACE_PARALLEL_JUDGING",
        "LEAKTRACE_MAX_NAME_LENGTH",
        "LEAKTRACE_SWARM_KEY",
        "LEAKTRACE_SWARM_KEY_FILE",
        "LEAKTRACE_SWARM_RETENTION_DAYS",
        "LEAKTRACE_SERVER__SECURE_COOKIES",
        "LEAKTRACE_SERVER__SESSION_HOURS",
        "LEAKTRACE_EVIDENCE__KEY_FILE",
        "LEAKTRACE_EVIDENCE__ORIGIN",
        "LEAKTRACE_EVIDENCE__TSA_URL",
        "LEAKTRACE_EVIDENCE__TSA_CERTIFICATE",
        "LEAKTRACE_EVIDENCE__MAX_FILE_BYTES",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def _new_sqlite_file(database: Database) -> Path | None:
    """The file of ``database`` if it is a SQLite file that nothing has written yet (size
    0, no WAL) and no connection has opened; else None."""
    url = make_url(database.url)
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return None
    pool = database.engine.pool
    if not isinstance(pool, QueuePool) or pool.checkedin() or pool.checkedout():
        return None
    path = Path(name)
    if not path.is_file() or path.stat().st_size or Path(f"{name}-wal").exists():
        return None
    return path


@pytest.fixture(scope="session", autouse=True)
def _new_sqlite_databases_from_a_migrated_template(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Migrating a new SQLite file runs every Alembic revision (~0.1 s; hundreds of tests
    make one): the migrations run ONCE per test run, on a template, and ``migrate()`` on a
    new, empty, unopened SQLite file first writes the template's bytes into it (keeping the
    file's own 0600 mode), then runs as usual (at head: nothing to do). Databases that
    exist, PostgreSQL, migrations to an earlier revision and explicit Alembic runs are
    untouched."""
    template = tmp_path_factory.mktemp("schema-template") / "template.db"
    Database(str(template)).close()  # the real migrations, from an empty file
    schema = template.read_bytes()
    migrate = Database.migrate

    def migrate_from_template(self: Database, revision: str = "head") -> None:
        path = _new_sqlite_file(self) if revision == "head" else None
        if path is not None:
            with path.open("r+b") as handle:
                handle.write(schema)
        migrate(self, revision)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Database, "migrate", migrate_from_template)
        yield


@pytest.fixture
def catalog_csv() -> Path:
    return FIXTURES / "catalog.csv"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "lt.db"


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return load_settings(db=str(db_path))


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_target())
    yield database
    database.close()


@pytest.fixture
def write_feed(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (dicts, or raw str/bytes lines) to a JSON Lines file."""
    counter = iter(range(1_000_000))

    def write(rows: list[Any], name: str | None = None) -> Path:
        path = tmp_path / (name or f"feed{next(counter)}.jsonl")
        with path.open("wb") as handle:
            for row in rows:
                if isinstance(row, bytes):
                    handle.write(row + b"\n")
                elif isinstance(row, str):
                    handle.write(row.encode() + b"\n")
                else:
                    handle.write(json.dumps(row).encode() + b"\n")
        return path

    return write
