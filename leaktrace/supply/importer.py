"""Import a shipments file: validate it whole, then write it in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from leaktrace.store.database import Database
from leaktrace.store.supply import (
    AccountValues,
    ShipmentValues,
    existing_work_ids,
    insert_shipments,
    upsert_accounts,
)
from leaktrace.supply.csv_import import MAX_ERRORS, read_shipments
from leaktrace.supply.model import AccountRecord, ShipmentRecord, SupplyError

__all__ = ["SupplyImportReport", "import_shipments"]


@dataclass(frozen=True, slots=True)
class SupplyImportReport:
    file: str
    rows: int
    added: int
    """Shipments stored by this import."""
    duplicates: int
    """Rows already stored (or repeated in the file): re-importing adds nothing."""
    accounts_added: int
    accounts_updated: int
    accounts_unchanged: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "added": self.added,
            "duplicates": self.duplicates,
            "accounts": {
                "added": self.accounts_added,
                "updated": self.accounts_updated,
                "unchanged": self.accounts_unchanged,
            },
        }


def import_shipments(db: Database, path: Path) -> SupplyImportReport:
    """Read and check ``path`` (every row, every work id against the catalogue), then
    upsert its accounts and add its new shipments in one transaction. Any problem raises
    :class:`SupplyError` and leaves the database as it was."""
    records = read_shipments(path)
    with db.transaction() as conn:
        known = existing_work_ids(conn, (r.work_id for r in records))
        _check_works(records, known, str(path))
        accounts: dict[tuple[str, str], AccountRecord] = {}
        for r in records:
            accounts.setdefault(r.account.key, r.account)
        upserted = upsert_accounts(
            conn,
            [
                AccountValues(a.distributor, a.account, a.declared_business, a.country, a.opened_on)
                for a in accounts.values()
            ],
        )
        unique: dict[str, ShipmentValues] = {}
        for r in records:
            unique.setdefault(r.fingerprint, _values(r))
        added = insert_shipments(conn, list(unique.values()), upserted.ids, str(path))
    return SupplyImportReport(
        file=str(path),
        rows=len(records),
        added=added,
        duplicates=len(records) - added,
        accounts_added=upserted.added,
        accounts_updated=upserted.updated,
        accounts_unchanged=upserted.unchanged,
    )


def _check_works(records: list[ShipmentRecord], known: set[str], name: str) -> None:
    errors = [
        SupplyError(
            f"work {r.work_id!r} is not in the catalogue (import it first)",
            file=name,
            line=r.line,
            field="work_id",
        )
        for r in records
        if r.work_id not in known
    ]
    if errors:
        first = errors[0]
        first.more = list(errors[1 : MAX_ERRORS + 1])
        raise first


def _values(r: ShipmentRecord) -> ShipmentValues:
    return ShipmentValues(
        fingerprint=r.fingerprint,
        account=r.account.key,
        work_id=r.work_id,
        format=r.format,
        quantity=r.quantity,
        shipped_at=r.shipped_at,
        street_date=r.street_date,
    )
