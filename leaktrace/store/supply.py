"""Every SQL statement of the supply-chain attribution: accounts, shipments, disc leaks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection, RowMapping

from leaktrace.store.portable import chunked, insert_ignore
from leaktrace.store.schema import ALERTS, RELEASES, SHIPMENTS, SUPPLY_ACCOUNTS, WORKS

__all__ = [
    "AccountRow",
    "AccountUpsert",
    "AccountValues",
    "PhysicalLeakRow",
    "ShipmentValues",
    "StoredShipment",
    "existing_work_ids",
    "insert_shipments",
    "legacy_fingerprints",
    "load_accounts",
    "load_physical_leaks",
    "load_shipments",
    "upsert_accounts",
]

_AC = SUPPLY_ACCOUNTS
_SH = SHIPMENTS
_AL = ALERTS
_R = RELEASES
_W = WORKS
PHYSICAL = "physical"


@dataclass(frozen=True, slots=True)
class AccountValues:
    distributor: str
    account: str
    declared_business: str
    country: str | None
    opened_on: date | None


@dataclass(frozen=True, slots=True)
class AccountUpsert:
    ids: dict[tuple[str, str], int]
    added: int
    updated: int
    unchanged: int


@dataclass(frozen=True, slots=True)
class ShipmentValues:
    identity: str
    fingerprint: str
    shipment_id: str | None
    source_sha256: str
    source_line: int
    account: tuple[str, str]
    work_id: str
    format: str
    quantity: int
    shipped_at: datetime
    street_date: date


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    distributor: str
    account: str
    declared_business: str
    country: str | None
    opened_on: date | None


@dataclass(frozen=True, slots=True)
class StoredShipment:
    account_id: int
    work_id: str
    format: str
    quantity: int
    shipped_at: datetime
    street_date: date


@dataclass(frozen=True, slots=True)
class PhysicalLeakRow:
    alert_id: int
    release: str
    group: str | None
    work_id: str
    work_title: str
    rule: str
    released_at: datetime
    window_date: date
    lead_days: float


def existing_work_ids(conn: Connection, ids: Iterable[str]) -> set[str]:
    """Those of ``ids`` that are works in the catalogue."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for part in chunked(wanted):
        found.update(conn.execute(select(_W.c.id).where(_W.c.id.in_(part))).scalars())
    return found


def upsert_accounts(conn: Connection, accounts: Sequence[AccountValues]) -> AccountUpsert:
    """Insert new accounts, update the declared business, country and opening date of known
    ones (by distributor and account), and give every account's id."""
    now = datetime.now(UTC)
    known: dict[tuple[str, str], AccountRow] = {}
    distributors = sorted({a.distributor for a in accounts})
    for part in chunked(distributors):
        for row in conn.execute(select(_AC).where(_AC.c.distributor.in_(part))).mappings():
            known[(row["distributor"], row["account"])] = _account(row)
    added = updated = unchanged = 0
    inserts = []
    fresh: set[tuple[str, str]] = set()
    for a in accounts:
        old = known.get((a.distributor, a.account))
        values = {
            "declared_business": a.declared_business,
            "country": a.country,
            "opened_on": a.opened_on,
            "updated_at": now,
        }
        if old is None:
            inserts.append({"distributor": a.distributor, "account": a.account, **values})
            fresh.add((a.distributor, a.account))
            added += 1
        elif (old.declared_business, old.country, old.opened_on) != (
            a.declared_business,
            a.country,
            a.opened_on,
        ):
            conn.execute(update(_AC).where(_AC.c.id == old.id).values(**values))
            updated += 1
        else:
            unchanged += 1
    if inserts:
        conn.execute(_AC.insert(), inserts)
    ids = {key: row.id for key, row in known.items()}
    if inserts:
        for names in chunked(sorted({d for d, _ in fresh})):
            query = select(_AC.c.id, _AC.c.distributor, _AC.c.account).where(
                _AC.c.distributor.in_(names)
            )
            for rid, distributor, account in conn.execute(query):
                if (distributor, account) in fresh:
                    ids[(distributor, account)] = rid
    return AccountUpsert(ids, added, updated, unchanged)


def insert_shipments(
    conn: Connection,
    shipments: Sequence[ShipmentValues],
    ids: dict[tuple[str, str], int],
    source: str,
) -> int:
    """Insert shipments not stored yet (by identity); the number actually added."""
    rows = [
        {
            "identity": s.identity,
            "fingerprint": s.fingerprint,
            "shipment_id": s.shipment_id,
            "source_sha256": s.source_sha256,
            "source_line": s.source_line,
            "account_id": ids[s.account],
            "work_id": s.work_id,
            "format": s.format,
            "quantity": s.quantity,
            "shipped_at": s.shipped_at,
            "street_date": s.street_date,
            "imported_from": source[:1024],
        }
        for s in shipments
    ]
    added = 0
    for batch in chunked(rows, 500):
        added += len(insert_ignore(conn, _SH, batch, ("identity",), ("id",)))
    return added


def legacy_fingerprints(conn: Connection, fingerprints: Iterable[str]) -> set[str]:
    """Those of ``fingerprints`` (content) that a shipment stored before migration 0006
    has: such a shipment was identified by its content, so its identity is its
    fingerprint."""
    wanted = sorted(set(fingerprints))
    found: set[str] = set()
    for part in chunked(wanted):
        query = select(_SH.c.fingerprint).where(
            _SH.c.fingerprint.in_(part), _SH.c.identity == _SH.c.fingerprint
        )
        found.update(conn.execute(query).scalars())
    return found


def file_imported(conn: Connection, sha256: str) -> bool:
    """Whether shipments from a file with these bytes (SHA-256) are stored already."""
    query = select(_SH.c.id).where(_SH.c.source_sha256 == sha256).limit(1)
    return conn.execute(query).first() is not None


def load_accounts(conn: Connection) -> list[AccountRow]:
    return [_account(row) for row in conn.execute(select(_AC).order_by(_AC.c.id)).mappings()]


def load_shipments(conn: Connection) -> list[StoredShipment]:
    query = select(
        _SH.c.account_id,
        _SH.c.work_id,
        _SH.c.format,
        _SH.c.quantity,
        _SH.c.shipped_at,
        _SH.c.street_date,
    ).order_by(_SH.c.id)
    return [StoredShipment(*row) for row in conn.execute(query)]


def load_physical_leaks(conn: Connection) -> list[PhysicalLeakRow]:
    """Every alert of the physical window (disc releases before the street date)."""
    query = (
        select(
            _AL.c.id,
            _R.c.name,
            _R.c.group_name,
            _AL.c.work_id,
            _W.c.title,
            _AL.c.rule,
            _AL.c.released_at,
            _AL.c.window_date,
            _AL.c.lead_days,
        )
        .select_from(_AL.join(_R, _R.c.id == _AL.c.release_id).join(_W, _W.c.id == _AL.c.work_id))
        .where(_AL.c.window == PHYSICAL)
        .order_by(_AL.c.released_at, _AL.c.id)
    )
    return [PhysicalLeakRow(*row) for row in conn.execute(query)]


def _account(data: RowMapping) -> AccountRow:
    return AccountRow(
        id=data["id"],
        distributor=data["distributor"],
        account=data["account"],
        declared_business=data["declared_business"],
        country=data["country"],
        opened_on=data["opened_on"],
    )
