"""Read a shipments CSV: one row per shipment of discs to a distributor's customer account.

Columns (a header row first; unknown columns are ignored and never stored):

``distributor, account, declared_business, account_country, account_opened, work_id,
format, quantity, shipped_at, street_date`` and, optionally, ``shipment_id``

* ``declared_business``: retailer, rental, library, wholesale, online or other
* ``account_country``: two letters (``UK`` is read as ``GB``), may be empty
* ``account_opened``: ``YYYY-MM-DD`` or empty
* ``format``: dvd, bluray or uhd; ``quantity``: a positive whole number
* ``shipped_at``: an ISO date (taken as 00:00 UTC) or an ISO time with an offset
* ``street_date``: ``YYYY-MM-DD``
* ``shipment_id`` (optional): the distributor's own identifier of the shipment line, at
  most 128 characters, unique per distributor. With it, re-importing a shipment (from any
  file) adds nothing; without it, a shipment is its file (the SHA-256 of its bytes) and
  line. Two identical rows are two shipments either way.

Every row is checked; the reader raises :class:`SupplyError` naming the file, line and
field of the first problem, with up to 20 further problems in ``.more``, so an import
takes the whole file or nothing. Whether each ``work_id`` is in the catalogue is checked
by the importer, against the database.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path

from leaktrace.formats.csvtable import open_csv, read_bytes
from leaktrace.supply.model import BUSINESSES, FORMATS, AccountRecord, ShipmentRecord, SupplyError

__all__ = ["COLUMNS", "MAX_ERRORS", "REQUIRED", "parse_shipments", "read_shipments"]

COLUMNS = (
    "distributor",
    "account",
    "declared_business",
    "account_country",
    "account_opened",
    "work_id",
    "format",
    "quantity",
    "shipped_at",
    "street_date",
    "shipment_id",
)
REQUIRED = (
    "distributor",
    "account",
    "declared_business",
    "work_id",
    "format",
    "quantity",
    "shipped_at",
    "street_date",
)
MAX_ERRORS = 20
MAX_QUANTITY = 1_000_000
_NAME_MAX = 128
_COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
_COUNTRY_ALIASES = {"UK": "GB"}
_FORMAT_ALIASES = {"blu-ray": "bluray", "bd": "bluray", "uhd-bluray": "uhd", "4k": "uhd"}
_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


class _RowError(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def read_shipments(path: Path) -> list[ShipmentRecord]:
    """Read and validate a whole shipments file. Raises SupplyError, never half-reads."""
    return parse_shipments(read_bytes(path, SupplyError), str(path))


def parse_shipments(raw: bytes, name: str) -> list[ShipmentRecord]:
    """Validate the bytes of a shipments file named ``name`` (for error messages)."""
    header, rows = open_csv(raw, name, SupplyError)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SupplyError(
            f"missing column(s): {', '.join(missing)} (expected {','.join(COLUMNS)})",
            file=name,
            line=1,
            field=missing[0],
        )
    records: list[ShipmentRecord] = []
    errors: list[SupplyError] = []
    accounts: dict[tuple[str, str], tuple[AccountRecord, int]] = {}
    ids: dict[tuple[str, str], int] = {}
    for lineno, record in rows:
        try:
            shipment = _shipment(record, lineno)
            if shipment.shipment_id is not None:
                id_key = (shipment.account.distributor, shipment.shipment_id)
                if id_key in ids:
                    raise _RowError(
                        "shipment_id",
                        f"shipment_id {shipment.shipment_id!r} of "
                        f"{shipment.account.distributor!r} is on line {ids[id_key]} too",
                    )
                ids[id_key] = lineno
        except _RowError as exc:
            errors.append(SupplyError(exc.reason, file=name, line=lineno, field=exc.field))
            if len(errors) > MAX_ERRORS:
                break
            continue
        known = accounts.get(shipment.account.key)
        if known is None:
            accounts[shipment.account.key] = (shipment.account, lineno)
        elif known[0] != shipment.account:
            field, old, new = _difference(known[0], shipment.account)
            errors.append(
                SupplyError(
                    f"account {shipment.account.account!r} of {shipment.account.distributor!r} "
                    f"has {field} {new!r} here but {old!r} on line {known[1]}",
                    file=name,
                    line=lineno,
                    field=field,
                )
            )
            if len(errors) > MAX_ERRORS:
                break
            continue
        records.append(shipment)
    if errors:
        first = errors[0]
        first.more = list(errors[1 : MAX_ERRORS + 1])
        raise first
    return records


def _difference(old: AccountRecord, new: AccountRecord) -> tuple[str, str, str]:
    pairs = (
        ("declared_business", old.declared_business, new.declared_business),
        ("account_country", old.country, new.country),
        ("account_opened", old.opened_on, new.opened_on),
    )
    for field, a, b in pairs:
        if a != b:
            return field, "" if a is None else str(a), "" if b is None else str(b)
    return "account", old.account, new.account  # pragma: no cover - keys are equal


def _name(record: dict[str, str], column: str) -> str:
    value = " ".join(record.get(column, "").split())
    if not value:
        raise _RowError(column, f"empty {column}")
    if len(value) > _NAME_MAX:
        raise _RowError(column, f"{column} is {len(value)} characters long (at most {_NAME_MAX})")
    return value


def _choice(record: dict[str, str], column: str, allowed: tuple[str, ...]) -> str:
    value = record.get(column, "").lower()
    value = _FORMAT_ALIASES.get(value, value) if column == "format" else value
    if value not in allowed:
        raise _RowError(column, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _country(record: dict[str, str]) -> str | None:
    value = record.get("account_country", "").upper()
    if not value:
        return None
    value = _COUNTRY_ALIASES.get(value, value)
    if not _COUNTRY_RE.match(value):
        raise _RowError("account_country", f"{value!r} is not a two-letter country code")
    return value


def _date(record: dict[str, str], column: str, *, required: bool) -> date | None:
    value = record.get(column, "")
    if not value:
        if required:
            raise _RowError(column, f"empty {column} (expected YYYY-MM-DD)")
        return None
    try:
        if len(value) != 10:
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise _RowError(column, f"{value!r} is not a date (expected YYYY-MM-DD)") from None
    if not 1900 <= day.year <= 2099:
        raise _RowError(column, f"{value} is outside 1900-2099")
    return day


def _moment(record: dict[str, str]) -> datetime:
    value = record.get("shipped_at", "")
    if not value:
        raise _RowError("shipped_at", "empty shipped_at")
    expected = "expected YYYY-MM-DD or an ISO time with an offset, e.g. 2026-05-12T09:30:00Z"
    if len(value) == 10:
        try:
            moment = datetime.combine(date.fromisoformat(value), time(0, 0), tzinfo=UTC)
        except ValueError:
            raise _RowError("shipped_at", f"{value!r} is not a date ({expected})") from None
    else:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise _RowError("shipped_at", f"{value!r} is not a time ({expected})") from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise _RowError("shipped_at", f"{value!r} has no UTC offset (add Z or +hh:mm)")
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            raise _RowError("shipped_at", f"{value!r} is out of range") from None
    if not _EARLIEST <= moment < _LATEST:
        raise _RowError("shipped_at", f"{value} is outside 1990-2099")
    return moment


def _quantity(record: dict[str, str]) -> int:
    value = record.get("quantity", "")
    try:
        number = int(value)
    except ValueError:
        raise _RowError("quantity", f"{value!r} is not a whole number") from None
    if not 1 <= number <= MAX_QUANTITY:
        raise _RowError("quantity", f"{number} is not a positive quantity (1..{MAX_QUANTITY})")
    return number


def _work_id(record: dict[str, str]) -> str:
    value = record.get("work_id", "")
    if not value:
        raise _RowError("work_id", "empty work_id")
    if len(value) > 64:
        raise _RowError("work_id", f"work_id is {len(value)} characters long (at most 64)")
    return value


def _shipment_id(record: dict[str, str]) -> str | None:
    value = record.get("shipment_id", "").strip()
    if not value:
        return None
    if len(value) > _NAME_MAX:
        raise _RowError(
            "shipment_id", f"shipment_id is {len(value)} characters long (at most {_NAME_MAX})"
        )
    return value


def _shipment(record: dict[str, str], lineno: int) -> ShipmentRecord:
    account = AccountRecord(
        distributor=_name(record, "distributor"),
        account=_name(record, "account"),
        declared_business=_choice(record, "declared_business", BUSINESSES),
        country=_country(record),
        opened_on=_date(record, "account_opened", required=False),
    )
    street = _date(record, "street_date", required=True)
    assert street is not None
    return ShipmentRecord(
        line=lineno,
        account=account,
        work_id=_work_id(record),
        format=_choice(record, "format", FORMATS),
        quantity=_quantity(record),
        shipped_at=_moment(record),
        street_date=street,
        shipment_id=_shipment_id(record),
    )
