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
    assert (first.rows, first.added, first.already_stored) == (rows, rows, 0)
    assert (first.accounts_added, first.accounts_updated) == (13, 0)
    again = import_shipments(market_db, shipments_csv)
    assert (again.added, again.already_stored) == (0, rows)
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


ROW = (
    f"{market.DISTRIBUTOR},VS-900 Shop,retailer,UK,2015-06-01,film-03,dvd,2,2025-01-20,2025-01-28,"
)


def _two_identical_rows(path: Path, ids: tuple[str, str] | None = None) -> Path:
    """Two rows with the same content (with a shipment_id column when ``ids`` are given)."""
    if ids is None:
        lines = [market.SHIPMENT_COLUMNS, ROW, ROW]
    else:
        lines = [market.SHIPMENT_COLUMNS + ",shipment_id", *(f"{ROW},{i}" for i in ids)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_identical_rows_are_two_shipments(market_db: Database, tmp_path: Path) -> None:
    twice = _two_identical_rows(tmp_path / "twice.csv")
    report = import_shipments(market_db, twice)
    assert (report.rows, report.added, report.already_stored) == (2, 2, 0)
    assert counts(market_db) == (1, 2)
    again = import_shipments(market_db, twice)  # the same file again: by file and line
    assert (again.added, again.already_stored) == (0, 2)
    copy = tmp_path / "elsewhere" / "copy.csv"  # the same bytes under another name
    copy.parent.mkdir()
    copy.write_bytes(twice.read_bytes())
    assert import_shipments(market_db, copy).added == 0
    with market_db.reading() as conn:
        lines = sorted(conn.execute(select(SHIPMENTS.c.source_line)).scalars())
    assert lines == [2, 3]
    # next month's export of the same name repeats both lines and adds a third, identical
    grown = tmp_path / "next" / "twice.csv"
    grown.parent.mkdir()
    grown.write_text(twice.read_text(encoding="utf-8") + ROW + "\n", encoding="utf-8")
    report = import_shipments(market_db, grown)
    assert (report.added, report.already_stored) == (1, 2)
    assert counts(market_db) == (1, 3)
    # a corrected line is another shipment (the old one is not silently overwritten)
    fixed = tmp_path / "fixed" / "twice.csv"
    fixed.parent.mkdir()
    fixed.write_text(twice.read_text(encoding="utf-8").replace(",2,", ",3,", 1))
    assert import_shipments(market_db, fixed).added == 1


def test_a_grown_export_adds_only_its_new_rows_wherever_they_are(
    market_db: Database, tmp_path: Path
) -> None:
    """Next month's export of the same name need not keep last month's rows on the same
    lines (an export sorted by account or newest first puts new rows among them): only
    the new rows are added (every moved row was added again, 72 duplicates here)."""
    (tmp_path / "jan").mkdir()
    january = market.write_shipments(tmp_path / "jan" / "shipments.csv")
    head, *body = january.read_text(encoding="utf-8").splitlines()
    half = len(body) // 2
    january.write_text("\n".join([head, *body[:half]]) + "\n", encoding="utf-8")
    assert import_shipments(market_db, january).added == half
    february = tmp_path / "feb" / "shipments.csv"
    february.parent.mkdir()
    february.write_text("\n".join([head, *body[half:], *body[:half]]) + "\n", encoding="utf-8")
    report = import_shipments(market_db, february)
    assert (report.added, report.already_stored) == (len(body) - half, half)
    assert counts(market_db)[1] == len(body)
    # two identical rows last month; this month a new row in front of them and a third
    import_shipments(market_db, _two_identical_rows(tmp_path / "twice.csv"))
    march = tmp_path / "mar" / "twice.csv"
    march.parent.mkdir()
    march.write_text("\n".join([market.SHIPMENT_COLUMNS, body[0], ROW, ROW, ROW]) + "\n")
    report = import_shipments(market_db, march)
    assert (report.added, report.already_stored) == (2, 2)


def test_shipment_ids_identify_shipments_across_files(market_db: Database, tmp_path: Path) -> None:
    first = _two_identical_rows(tmp_path / "a.csv", ("S-1", "S-2"))
    assert import_shipments(market_db, first).added == 2
    # a later export repeats S-2 (on another line, in another file) and adds S-3
    later = tmp_path / "b.csv"
    text = first.read_text(encoding="utf-8").splitlines()
    later.write_text("\n".join([text[0], text[2], text[1].replace("S-1", "S-3")]) + "\n")
    report = import_shipments(market_db, later)
    assert (report.added, report.already_stored) == (1, 1)
    with market_db.reading() as conn:
        ids = sorted(conn.execute(select(SHIPMENTS.c.shipment_id)).scalars())
    assert ids == ["S-1", "S-2", "S-3"]


def test_shipments_stored_before_0006_are_not_imported_again(
    market_db: Database, shipments_csv: Path
) -> None:
    """A database migrated from before 0006 identified shipments by their content (the
    migration copies the fingerprint into the identity): re-importing adds nothing."""
    import_shipments(market_db, shipments_csv)
    with market_db.transaction() as conn:
        conn.execute(
            SHIPMENTS.update().values(
                identity=SHIPMENTS.c.fingerprint, source_line=None, source_sha256=None
            )
        )
    again = import_shipments(market_db, shipments_csv)
    assert again.added == 0
    assert counts(market_db)[1] == len(market.shipment_rows())
