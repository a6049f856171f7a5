from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from leaktrace.geo import GeoLookup, open_lookup
from leaktrace.store.database import Database
from leaktrace.store.schema import RELEASES, SIGHTINGS, WORKS
from tests.swarm.mmdb import write_mmdb

KEY = b"test-swarm-key-0123456789abcdef-0123456789"
HASH_A = "a" * 40
HASH_B = "b" * 40
HASH_LEAK = "c" * 40
FIELDS = ["time", "infohash", "ip", "port", "client", "seeder", "completed", "tag"]


@pytest.fixture(autouse=True)
def _no_swarm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEAKTRACE_SWARM_KEY", raising=False)
    monkeypatch.delenv("LEAKTRACE_SWARM_KEY_FILE", raising=False)
    monkeypatch.delenv("LEAKTRACE_SWARM_RETENTION_DAYS", raising=False)


@pytest.fixture
def asn_db(tmp_path: Path) -> Path:
    return write_mmdb(
        tmp_path / "asn.mmdb",
        {
            "198.51.100.0/24": {"autonomous_system_number": 64500},
            "203.0.113.0/24": {"autonomous_system_number": 64501},
            "81.2.69.0/24": {"autonomous_system_number": 20712},
        },
    )


@pytest.fixture
def geo(asn_db: Path) -> Iterator[GeoLookup]:
    with open_lookup(asn_db=asn_db) as lookup:
        yield lookup


WriteSwarm = Callable[..., Path]


@pytest.fixture
def write_swarm(tmp_path: Path) -> WriteSwarm:
    """Write rows (dicts, or raw lines) as CSV (with header) or JSON Lines."""
    counter = iter(range(1_000_000))

    def write(rows: list[Any], kind: str = "csv", name: str | None = None) -> Path:
        path = tmp_path / (name or f"swarm{next(counter)}.{kind}")
        if kind == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(FIELDS)
            for row in rows:
                if isinstance(row, str):
                    buffer.write(row + "\n")
                else:
                    writer.writerow(["" if row.get(f) is None else row.get(f) for f in FIELDS])
            path.write_text(buffer.getvalue(), encoding="utf-8")
        else:
            lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return write


def seed_catalog(db: Database) -> None:
    """Two works; torrents HASH_A (in window) and HASH_LEAK (a pre-release leak)."""
    now = datetime(2024, 1, 1, tzinfo=UTC)
    with db.transaction() as conn:
        conn.execute(
            insert(WORKS),
            [
                {
                    "id": "film-a",
                    "kind": "movie",
                    "title": "Film A",
                    "year": 2024,
                    "updated_at": now,
                },
                {
                    "id": "film-b",
                    "kind": "movie",
                    "title": "Film B",
                    "year": 2024,
                    "updated_at": now,
                },
            ],
        )
        conn.execute(
            insert(RELEASES),
            [
                {
                    "id": 1,
                    "name": "Film.A.2024.1080p.WEB-DL.x264-GRP",
                    "kind": "movie",
                    "work_id": "film-a",
                    "status": "in-window",
                    "released_at": now,
                },
                {
                    "id": 2,
                    "name": "Film.B.2024.1080p.BluRay.x264-GRP",
                    "kind": "movie",
                    "work_id": "film-b",
                    "status": "leak",
                    "released_at": now,
                },
            ],
        )
        conn.execute(
            insert(SIGHTINGS),
            [
                {
                    "release_id": 1,
                    "fingerprint": "1" * 40,
                    "seen_at": now,
                    "origin": "test",
                    "infohash": HASH_A,
                },
                {
                    "release_id": 2,
                    "fingerprint": "2" * 40,
                    "seen_at": now,
                    "origin": "test",
                    "infohash": HASH_LEAK,
                },
            ],
        )


def row(
    ip: str,
    infohash: str = HASH_A,
    time: str = "2024-03-01T12:00:00Z",
    port: int | None = 51413,
    client: str | None = "-qB4630-",
    seeder: bool = False,
    completed: bool = False,
    tag: str | None = None,
) -> dict[str, Any]:
    return {
        "time": time,
        "infohash": infohash,
        "ip": ip,
        "port": port,
        "client": client,
        "seeder": seeder,
        "completed": completed,
        "tag": tag,
    }
