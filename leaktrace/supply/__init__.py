"""Supply-chain attribution: through which distributor customer account leaked discs left.

Detection says *what* leaked (alerts of the physical window, rule
``disc-before-street-date``); this package says through *which* account. Import the
distributors' shipment records (:func:`import_shipments`), then rank the accounts
(:func:`rank_accounts`). The chance that an uninvolved account holds a leaked title early
comes from the account *and* the title (:mod:`leaktrace.supply.popularity`: small shops
stock mostly blockbusters, and blockbusters are what leaks). The model and its
assumptions are described in :mod:`leaktrace.supply.scoring` and in ``README.md`` next to
this file.

Accounts are business accounts, but a sole trader's account may name a person: LeakTrace
stores only the distributor, account identifier, declared business, country and opening
date, and ignores every other column of an import.
"""

from leaktrace.supply.csv_import import parse_shipments, read_shipments
from leaktrace.supply.flags import Flag, account_flags
from leaktrace.supply.importer import SupplyImportReport, import_shipments
from leaktrace.supply.model import AccountRecord, ShipmentRecord, SupplyError
from leaktrace.supply.ranking import (
    AccountFlags,
    AccountScore,
    LeakRef,
    Ranking,
    flag_accounts,
    rank_accounts,
)

__all__ = [
    "AccountFlags",
    "AccountRecord",
    "AccountScore",
    "Flag",
    "LeakRef",
    "Ranking",
    "ShipmentRecord",
    "SupplyError",
    "SupplyImportReport",
    "account_flags",
    "flag_accounts",
    "import_shipments",
    "parse_shipments",
    "rank_accounts",
    "read_shipments",
]
