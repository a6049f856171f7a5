from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.errors import InputError
from leaktrace.supply import ShipmentRecord, SupplyError, parse_shipments, read_shipments
from leaktrace.supply.model import shipment_identities

HEADER = (
    "distributor,account,declared_business,account_country,account_opened,work_id,format,"
    "quantity,shipped_at,street_date\n"
)
GOOD = "Silverline,SW-1 Shop,retailer,uk,2024-11-18,film-01,BluRay,3,2025-01-02,2025-01-07\n"


def parse(body: str, header: str = HEADER) -> list[ShipmentRecord]:
    return parse_shipments((header + body).encode(), "s.csv")


def test_a_good_row() -> None:
    [row] = parse(GOOD)
    assert row.line == 2
    assert row.account.key == ("Silverline", "SW-1 Shop")
    assert row.account.country == "GB"  # UK is GB
    assert row.account.opened_on == date(2024, 11, 18)
    assert row.format == "bluray" and row.quantity == 3
    assert row.shipped_at == datetime(2025, 1, 2, tzinfo=UTC)  # a date is 00:00 UTC
    assert row.street_date == date(2025, 1, 7)
    assert len(row.fingerprint) == 40


def test_times_with_offsets_and_unknown_columns() -> None:
    header = HEADER.rstrip("\n") + ",contact_email\n"
    body = "D,A,online,,,w,uhd,1,2025-01-02T09:30:00+02:00,2025-01-07,x@example.org\n"
    [row] = parse(body, header)
    assert row.shipped_at == datetime(2025, 1, 2, 7, 30, tzinfo=UTC)
    assert row.account.country is None and row.account.opened_on is None
    assert not hasattr(row, "contact_email")


def test_same_shipment_same_fingerprint_across_offsets() -> None:
    a = parse("D,A,retailer,,,w,dvd,1,2025-01-02T09:30:00+02:00,2025-01-07\n")[0]
    b = parse("D,A,retailer,,,w,dvd,1,2025-01-02T07:30:00Z,2025-01-07\n")[0]
    c = parse("D,A,retailer,,,w,dvd,2,2025-01-02T07:30:00Z,2025-01-07\n")[0]
    assert a.fingerprint == b.fingerprint != c.fingerprint


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (",A,retailer,,,w,dvd,1,2025-01-02,2025-01-07", "distributor"),
        ("D,,retailer,,,w,dvd,1,2025-01-02,2025-01-07", "account"),
        ("D,A,pirate,,,w,dvd,1,2025-01-02,2025-01-07", "declared_business"),
        ("D,A,retailer,GBR,,w,dvd,1,2025-01-02,2025-01-07", "account_country"),
        ("D,A,retailer,,2025-02-30,w,dvd,1,2025-01-02,2025-01-07", "account_opened"),
        ("D,A,retailer,,,,dvd,1,2025-01-02,2025-01-07", "work_id"),
        ("D,A,retailer,,,w,vhs,1,2025-01-02,2025-01-07", "format"),
        ("D,A,retailer,,,w,dvd,0,2025-01-02,2025-01-07", "quantity"),
        ("D,A,retailer,,,w,dvd,two,2025-01-02,2025-01-07", "quantity"),
        ("D,A,retailer,,,w,dvd,1,2025-01-02T09:00:00,2025-01-07", "shipped_at"),
        ("D,A,retailer,,,w,dvd,1,yesterday,2025-01-07", "shipped_at"),
        ("D,A,retailer,,,w,dvd,1,2025-01-02,", "street_date"),
        ("D,A,retailer,,,w,dvd,1,2025-01-02,07/01/2025", "street_date"),
    ],
)
def test_bad_rows_name_line_and_field(row: str, field: str) -> None:
    with pytest.raises(SupplyError) as caught:
        parse(GOOD + row + "\n")
    assert caught.value.file == "s.csv"
    assert caught.value.line == 3
    assert caught.value.field == field
    assert isinstance(caught.value, InputError)


def test_all_problems_are_collected() -> None:
    body = GOOD + "D,A,retailer,,,w,dvd,0,2025-01-02,2025-01-07\n" * 30
    with pytest.raises(SupplyError) as caught:
        parse(body)
    assert caught.value.line == 3
    assert len(caught.value.more) == 20
    assert caught.value.more[0].line == 4


def test_conflicting_account_details_are_an_error() -> None:
    body = GOOD + GOOD.replace("retailer", "rental").replace("film-01", "film-02")
    with pytest.raises(SupplyError) as caught:
        parse(body)
    assert caught.value.field == "declared_business"
    assert "on line 2" in caught.value.reason


def test_file_level_problems(tmp_path: Path) -> None:
    with pytest.raises(SupplyError, match="empty file"):
        parse_shipments(b"", "s.csv")
    with pytest.raises(SupplyError) as caught:
        parse_shipments(b"distributor,account\nD,A\n", "s.csv")
    assert caught.value.field == "declared_business" and caught.value.line == 1
    with pytest.raises(SupplyError, match="UTF-8") as bad:
        parse_shipments(HEADER.encode() + b"\xff\n", "s.csv")
    assert bad.value.line == 2
    with pytest.raises(SupplyError, match="cannot read"):
        read_shipments(tmp_path / "missing.csv")
    with pytest.raises(SupplyError, match="cells"):
        parse(GOOD.rstrip("\n") + ",extra\n")


def test_blank_lines_are_skipped() -> None:
    assert len(parse("\n" + GOOD + "\n,,,\n")) == 1


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=500))
def test_any_bytes_give_shipments_or_a_supply_error(body: bytes) -> None:
    for raw in (body, HEADER.encode() + body):
        try:
            rows = parse_shipments(raw, "s.csv")
        except SupplyError as exc:
            assert exc.file == "s.csv"
            continue
        assert all(isinstance(r, ShipmentRecord) for r in rows)


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["retailer", "dvd", "uhd", "3", "2025-01-02", "2025-01-02T00:00:00Z", "UK"]),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELL, min_size=1, max_size=11), max_size=6))
def test_any_cells_give_shipments_or_a_supply_error(rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    try:
        parsed = parse_shipments((HEADER + buffer.getvalue()).encode(), "s.csv")
    except SupplyError as exc:
        assert exc.line is not None and exc.line >= 1
        return
    for r in parsed:
        assert r.quantity >= 1 and r.shipped_at.tzinfo is not None


def test_shipment_ids() -> None:
    header = HEADER.rstrip("\n") + ",shipment_id\n"
    rows = parse(GOOD.rstrip("\n") + ",S-1\n" + GOOD.rstrip("\n") + ",\n", header)
    assert [r.shipment_id for r in rows] == ["S-1", None]
    assert rows[0].fingerprint == rows[1].fingerprint  # same content ...
    assert len(set(shipment_identities(rows, "a.csv"))) == 2  # ... two shipments
    twice = parse(GOOD * 2)
    first, second = shipment_identities(twice, "a.csv")
    assert first != second  # the first and the second row with this content
    assert shipment_identities(twice, "b.csv")[0] != first  # another file
    plain = GOOD.rstrip("\n") + ",\n"
    thrice = parse(GOOD.rstrip("\n") + ",S-9\n" + plain * 2, header)  # an id is not counted
    assert shipment_identities(thrice, "a.csv")[1:] == [first, second]
    with pytest.raises(SupplyError) as caught:
        parse(GOOD.rstrip("\n") + ",S-1\n" + GOOD.rstrip("\n") + ",S-1\n", header)
    assert (caught.value.line, caught.value.field) == (3, "shipment_id")
    assert "on line 2 too" in caught.value.reason
    with pytest.raises(SupplyError) as long:
        parse(GOOD.rstrip("\n") + "," + "x" * 129 + "\n", header)
    assert long.value.field == "shipment_id"
