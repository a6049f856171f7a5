from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from leaktrace.store.database import Database
from leaktrace.store.schema import SHIPMENTS, SUPPLY_ACCOUNTS
from leaktrace.supply import SupplyError, import_shipments
from tests.supply import market


def counts(db: Database) -> tuple[int, int]:
    with db.reading() as conn:
        accounts = conn.execute(select(func.count()).select_from(SUPPLY_ACCOUNTS)).scalar_one()
        shipments = conn.execute(select(func.count()).select_from(SHIPMENTS)).scalar_one()
    return accounts, shipments


def test_import_then_reimport_adds_nothing(market_db: Database, shipments_csv: Path) -> None:
    rows = len(market.shipment_rows())
    first = import_shipments(market_db, shipments_csv)
    assert (first.rows, first.added, first.duplicates) == (rows, rows, 0)
    assert (first.accounts_added, first.accounts_updated) == (13, 0)
    again = import_shipments(market_db, shipments_csv)
    assert (again.added, again.duplicates) == (0, rows)
    assert (again.accounts_added, again.accounts_unchanged) == (0, 13)
    assert counts(market_db) == (13, rows)
    assert again.as_dict()["accounts"]["unchanged"] == 13


def test_only_what_the_ranking_needs_is_stored(market_db: Database, shipments_csv: Path) -> None:
    import_shipments(market_db, shipments_csv)
    with market_db.reading() as conn:
        row = conn.execute(
            select(SUPPLY_ACCOUNTS).where(SUPPLY_ACCOUNTS.c.account == market.LEAKER)
        ).one()
    assert row.country == "GB" and row.declared_business == "retailer"
    assert "Jane Doe" not in repr(row)


def test_accounts_are_updated_in_place(
    market_db: Database, shipments_csv: Path, tmp_path: Path
) -> None:
    import_shipments(market_db, shipments_csv)
    changed = tmp_path / "changed.csv"
    changed.write_text(
        market.SHIPMENT_COLUMNS + "\n" + f"{market.DISTRIBUTOR},{market.LEAKER},online,FR,"
        "2024-12-01,film-05,dvd,1,2025-02-01,2025-02-11,\n",
        encoding="utf-8",
    )
    report = import_shipments(market_db, changed)
    assert (report.accounts_added, report.accounts_updated, report.added) == (0, 1, 1)
    with market_db.reading() as conn:
        row = conn.execute(
            select(SUPPLY_ACCOUNTS).where(SUPPLY_ACCOUNTS.c.account == market.LEAKER)
        ).one()
    assert (row.declared_business, row.country) == ("online", "FR")


def test_unknown_work_fails_and_leaves_nothing(
    market_db: Database, shipments_csv: Path, tmp_path: Path
) -> None:
    text = shipments_csv.read_text(encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace("film-07,", "film-99,", 1), encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if ",film-07," in row)
    with pytest.raises(SupplyError) as caught:
        import_shipments(market_db, bad)
    assert (caught.value.line, caught.value.field) == (line, "work_id")
    assert "film-99" in caught.value.reason and "catalogue" in caught.value.reason
    assert counts(market_db) == (0, 0)


def test_a_bad_row_at_the_end_leaves_nothing(market_db: Database, shipments_csv: Path) -> None:
    with shipments_csv.open("a", encoding="utf-8") as handle:
        handle.write("D,A,retailer,,,film-01,dvd,-4,2025-01-02,2025-01-07,\n")
    with pytest.raises(SupplyError) as caught:
        import_shipments(market_db, shipments_csv)
    assert caught.value.field == "quantity"
    assert caught.value.line == len(market.shipment_rows()) + 2
    assert counts(market_db) == (0, 0)
