"""Records of the disc supply chain: distributor accounts and their shipments.

An account is a *business* account of a distributor's customer. For a sole trader the
account name may name a person, so LeakTrace stores only what the ranking needs: the
distributor, the account identifier, the declared business, the country and the opening
date. Any other column of an import file (contact names, addresses, e-mail, phone) is
ignored and never stored.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from leaktrace.errors import InputError

__all__ = [
    "BUSINESSES",
    "FORMATS",
    "AccountRecord",
    "ShipmentRecord",
    "SupplyError",
    "shipment_fingerprint",
    "shipment_identities",
    "shipment_identity",
]

BUSINESSES = ("retailer", "rental", "library", "wholesale", "online", "other")
FORMATS = ("dvd", "bluray", "uhd")


class SupplyError(InputError):
    """A shipments file or row is malformed, or names a work not in the catalogue."""


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """A customer account as one distributor knows it; ``(distributor, account)`` is the key."""

    distributor: str
    account: str
    declared_business: str
    country: str | None
    opened_on: date | None

    @property
    def key(self) -> tuple[str, str]:
        return (self.distributor, self.account)


@dataclass(frozen=True, slots=True)
class ShipmentRecord:
    """One shipment line: ``quantity`` discs of a work, in a format, to an account.

    Two identical lines are two shipments (a shop may order the same title twice on a
    day): a shipment is identified by the distributor's ``shipment_id`` when the file has
    one, otherwise by the file it came from, its content and which occurrence of that
    content in the file it is (see :meth:`identity`)."""

    line: int
    account: AccountRecord
    work_id: str
    format: str
    quantity: int
    shipped_at: datetime
    street_date: date
    shipment_id: str | None = None

    def identity(self, file_name: str, occurrence: int) -> str:
        """What makes this shipment *this* shipment: the distributor's shipment id, or the
        file's name, the line's content and ``occurrence`` (1 for the first row of the file
        with this content, 2 for the second...: :func:`shipment_identities`). So two
        identical rows are two shipments, and a grown export of the same name adds only its
        new rows, wherever they are in the file (not its old rows moved to other lines)."""
        return shipment_identity(
            self.account.distributor, self.shipment_id, file_name, occurrence, self.fingerprint
        )

    @property
    def fingerprint(self) -> str:
        """SHA-1 of the content (distributor, account, work, format, quantity, time): how
        shipments imported before migration 0006 were identified."""
        return shipment_fingerprint(
            self.account.distributor,
            self.account.account,
            self.work_id,
            self.format,
            self.quantity,
            self.shipped_at,
        )


def shipment_identity(
    distributor: str, shipment_id: str | None, file_name: str, occurrence: int, fingerprint: str
) -> str:
    """SHA-256 (hex) of ``id, distributor, shipment_id`` or of ``row, file name, content
    fingerprint, occurrence`` (the how-manieth row of the file with that content)."""
    if shipment_id:
        text = "\x1f".join(("id", distributor, shipment_id))
    else:
        text = "\x1f".join(("row", file_name, fingerprint, str(occurrence)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def shipment_identities(records: Sequence[ShipmentRecord], file_name: str) -> list[str]:
    """The identity of every row of one file, in order: rows without a ``shipment_id``
    are numbered per content (the first row with some content is occurrence 1, the next
    identical row 2), so the identities do not depend on the rows' lines."""
    seen: Counter[str] = Counter()
    out: list[str] = []
    for r in records:
        seen[r.fingerprint] += 0 if r.shipment_id else 1
        out.append(r.identity(file_name, seen[r.fingerprint]))
    return out


def shipment_fingerprint(
    distributor: str, account: str, work_id: str, fmt: str, quantity: int, shipped_at: datetime
) -> str:
    """SHA-1 of the natural key: the same shipment imported twice has the same fingerprint."""
    moment = shipped_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    text = "\x1f".join((distributor, account, work_id, fmt, str(quantity), moment))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()
