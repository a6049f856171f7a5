"""Migration 0006 on a database with shipments stored the old way (by content)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect, text

from leaktrace.store.database import MIGRATIONS


def _to(url: str, revision: str, *, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)
    engine.dispose()


def test_old_shipments_keep_their_content_identity(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _to(url, "0005")
    engine = create_engine(url)
    now = datetime(2025, 1, 1, tzinfo=UTC).isoformat()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO works (id, kind, title, updated_at) VALUES ('w1', 'movie', 'W', :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO supply_accounts (id, distributor, account, declared_business, "
                "updated_at) VALUES (1, 'D', 'A', 'retailer', :now)"
            ),
            {"now": now},
        )
        for n, fingerprint in enumerate(("a" * 40, "b" * 40), start=1):
            conn.execute(
                text(
                    "INSERT INTO shipments (id, fingerprint, account_id, work_id, format, "
                    "quantity, shipped_at, street_date) VALUES "
                    "(:id, :fp, 1, 'w1', 'dvd', 1, :now, :day)"
                ),
                {"id": n, "fp": fingerprint, "now": now, "day": date(2025, 1, 7).isoformat()},
            )
    engine.dispose()
    _to(url, "0006")
    engine = create_engine(url)
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT identity, fingerprint, source_line FROM shipments"))
        assert sorted(rows) == [("a" * 40, "a" * 40, None), ("b" * 40, "b" * 40, None)]
        # identical content is allowed now (two shipments), the same identity is not
        conn.execute(
            text(
                "INSERT INTO shipments (identity, fingerprint, account_id, work_id, format, "
                "quantity, shipped_at, street_date) VALUES "
                "(:identity, :fp, 1, 'w1', 'dvd', 1, :now, '2025-01-07')"
            ),
            {"identity": "c" * 64, "fp": "a" * 40, "now": now},
        )
    unique = inspect(engine).get_unique_constraints("shipments")
    assert [u["column_names"] for u in unique] == [["identity"]]
    engine.dispose()
    _to(url, "0005", down=True)  # back: one shipment per content, as before
    engine = create_engine(url)
    with engine.begin() as conn:
        fingerprints = sorted(conn.execute(text("SELECT fingerprint FROM shipments")).scalars())
    assert fingerprints == ["a" * 40, "b" * 40]
    engine.dispose()
