"""Import a shipments file: validate it whole, then write it in one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.formats.csvtable import read_bytes
from leaktrace.store.database import Database
from leaktrace.store.supply import (
    AccountValues,
    ShipmentValues,
    existing_work_ids,
    file_imported,
    insert_shipments,
    legacy_fingerprints,
    upsert_accounts,
)
from leaktrace.supply.csv_import import MAX_ERRORS, parse_shipments
from leaktrace.supply.model import (
    AccountRecord,
    ShipmentRecord,
    SupplyError,
    shipment_identities,
)

__all__ = [
    "ShipmentsFile",
    "SupplyImportReport",
    "import_shipments",
    "read_shipments_file",
    "store_shipments",
]


@dataclass(frozen=True, slots=True)
class SupplyImportReport:
    file: str
    rows: int
    added: int
    """Shipments stored by this import."""
    already_stored: int
    """Rows whose shipment is stored already (same shipment_id, or same file name, content
    and occurrence of that content): re-importing adds nothing. Identical rows on different
    lines are different shipments."""
    accounts_added: int
    accounts_updated: int
    accounts_unchanged: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "rows": self.rows,
            "added": self.added,
            "already_stored": self.already_stored,
            "accounts": {
                "added": self.accounts_added,
                "updated": self.accounts_updated,
                "unchanged": self.accounts_unchanged,
            },
        }


def import_shipments(db: Database, path: Path) -> SupplyImportReport:
    """Read and check ``path`` (every row, every work id against the catalogue), then
    upsert its accounts and add its new shipments in one transaction. Any problem raises
    :class:`SupplyError` and leaves the database as it was.

    A shipment is identified by its ``shipment_id`` when the file has one, otherwise by the
    file's name, the row's content and which row of the file with that content it is (the
    first, the second...); a file whose bytes (SHA-256) were imported before, under any
    name, adds nothing. So importing the same file again adds nothing, a grown export of the
    same name adds only its new rows (wherever they are), and two identical rows are two
    shipments."""
    shipments = read_shipments_file(path)
    with db.transaction() as conn:
        return store_shipments(conn, shipments)


@dataclass(frozen=True, slots=True)
class ShipmentsFile:
    """A shipments file read and parsed (not yet checked against the catalogue)."""

    path: Path
    records: list[ShipmentRecord]
    digest: str
    """SHA-256 of its bytes."""


def read_shipments_file(path: Path) -> ShipmentsFile:
    """Read and parse ``path`` (every row checked; :class:`SupplyError` on a bad one)."""
    raw = read_bytes(path, SupplyError)
    return ShipmentsFile(path, parse_shipments(raw, str(path)), hashlib.sha256(raw).hexdigest())


def store_shipments(conn: Connection, shipments: ShipmentsFile) -> SupplyImportReport:
    """Check the file's work ids against the catalogue, upsert its accounts and add its
    new shipments, in the caller's transaction (see :func:`import_shipments`)."""
    path, records, digest = shipments.path, shipments.records, shipments.digest
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
    legacy = legacy_fingerprints(conn, (r.fingerprint for r in records))
    seen_file = file_imported(conn, digest)
    fresh = [
        _values(r, identity, digest)
        for r, identity in zip(records, shipment_identities(records, path.name), strict=True)
        if r.fingerprint not in legacy and not seen_file
    ]
    added = insert_shipments(conn, fresh, upserted.ids, str(path))
    return SupplyImportReport(
        file=str(path),
        rows=len(records),
        added=added,
        already_stored=len(records) - added,
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


def _values(r: ShipmentRecord, identity: str, digest: str) -> ShipmentValues:
    return ShipmentValues(
        identity=identity,
        fingerprint=r.fingerprint,
        shipment_id=r.shipment_id,
        source_sha256=digest,
        source_line=r.line,
        account=r.account.key,
        work_id=r.work_id,
        format=r.format,
        quantity=r.quantity,
        shipped_at=r.shipped_at,
        street_date=r.street_date,
    )
