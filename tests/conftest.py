"""Shared fixtures: a temporary database, the test catalogue, feed writers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from leaktrace.config import Settings, load_settings
from leaktrace.store.database import Database
from tests.pg_server import postgres_database, postgres_url  # noqa: F401  (fixtures)

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own configuration or database."""
    for key in (
        "LEAKTRACE_DB",
        "LEAKTRACE_CONFIG",
        "LEAKTRACE_MATCH_THRESHOLD",
        "LEAKTRACE_BATCH_SIZE",
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
