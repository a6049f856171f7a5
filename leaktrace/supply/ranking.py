"""Rank the customer accounts the leaked discs may have come through.

Reads the physical-window leaks (disc releases before the street date) and the shipments,
builds the evidence, scores it with :mod:`leaktrace.supply.scoring`, adds the behaviour
flags of :mod:`leaktrace.supply.flags`, and writes an explanation a prosecutor can read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from leaktrace.store.supply import (
    AccountRow,
    PhysicalLeakRow,
    StoredShipment,
    load_accounts,
    load_physical_leaks,
    load_shipments,
)
from leaktrace.supply.explain import chance_words, percent, posterior_words, ratio_words
from leaktrace.supply.flags import Flag, Order, account_flags
from leaktrace.supply.scoring import (
    DEFAULT_EPSILON,
    DEFAULT_PRIOR_NONE,
    AccountHistory,
    Evidence,
    LeakEvent,
    Model,
    Receipt,
    Score,
    build_evidence,
    score_accounts,
)

__all__ = [
    "AccountFlags",
    "AccountScore",
    "LeakRef",
    "Ranking",
    "explain_score",
    "flag_accounts",
    "rank_accounts",
]


@dataclass(frozen=True, slots=True)
class LeakRef:
    """A leak considered: the first disc release of a work before its street date."""

    alert_id: int
    release: str
    group: str | None
    work_id: str
    work_title: str
    leaked_at: datetime
    street_date: date
    lead_days: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "release": self.release,
            "group": self.group,
            "work_id": self.work_id,
            "work_title": self.work_title,
            "leaked_at": self.leaked_at.isoformat(),
            "street_date": self.street_date.isoformat(),
            "lead_days": round(self.lead_days, 2),
        }


@dataclass(frozen=True, slots=True)
class AccountFlags:
    account_id: int
    distributor: str
    account: str
    declared_business: str
    country: str | None
    opened_on: date | None
    shipments: int
    flags: tuple[Flag, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "account_id": self.account_id,
            "distributor": self.distributor,
            "account": self.account,
            "declared_business": self.declared_business,
            "country": self.country,
            "opened_on": None if self.opened_on is None else self.opened_on.isoformat(),
            "shipments": self.shipments,
            "flags": [f.as_dict() for f in self.flags],
        }


@dataclass(frozen=True, slots=True)
class AccountScore:
    rank: int
    account_id: int
    distributor: str
    account: str
    declared_business: str
    country: str | None
    opened_on: date | None
    shipments: int
    explained: tuple[LeakRef, ...]
    """Leaks it can explain: it had been shipped the discs before they leaked."""
    unexplained: tuple[LeakRef, ...]
    """Leaks that count for it but it cannot explain."""
    not_counted: int
    """Leaks before its first shipment, or of works its distributor never shipped."""
    p_a: float
    """Mean chance that an uninvolved account like it holds a leaked title that early."""
    order_rate: float
    """Mean chance that it orders the leaked titles before street date (their popularity
    taken into account)."""
    log10_lr: float
    chance: float
    posterior: float
    flags: tuple[Flag, ...]
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "account_id": self.account_id,
            "distributor": self.distributor,
            "account": self.account,
            "declared_business": self.declared_business,
            "country": self.country,
            "opened_on": None if self.opened_on is None else self.opened_on.isoformat(),
            "shipments": self.shipments,
            "leaks_explained": len(self.explained),
            "leaks_counted": len(self.explained) + len(self.unexplained),
            "leaks_not_counted": self.not_counted,
            "explained": [leak.as_dict() for leak in self.explained],
            "unexplained": [leak.as_dict() for leak in self.unexplained],
            "p_a": round(self.p_a, 6),
            "order_rate": round(self.order_rate, 6),
            "log10_lr": round(self.log10_lr, 4),
            "chance": self.chance,
            "posterior": round(self.posterior, 6),
            "flags": [f.as_dict() for f in self.flags],
            "explanation": self.explanation,
        }


@dataclass(frozen=True, slots=True)
class Ranking:
    leaks: tuple[LeakRef, ...]
    """The leaks considered, one per work (its earliest disc release before street date)."""
    uncounted: tuple[LeakRef, ...]
    """Leaks of works nobody in the data received: they count for no account."""
    repeats: int
    """Further physical alerts of the same works (not independent leaks)."""
    accounts: int
    """Accounts that received discs (the alternatives of the posterior)."""
    epsilon: float
    prior_none: float
    model: Model
    none_posterior: float
    scores: tuple[AccountScore, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": {
                "name": self.model,
                "epsilon": self.epsilon,
                "prior_none": self.prior_none,
                "accounts": self.accounts,
                "none_posterior": round(self.none_posterior, 6),
            },
            "leaks": [leak.as_dict() for leak in self.leaks],
            "uncounted_leaks": [leak.as_dict() for leak in self.uncounted],
            "repeat_alerts": self.repeats,
            "accounts": [s.as_dict() for s in self.scores],
        }


def _leak_refs(rows: list[PhysicalLeakRow]) -> tuple[list[LeakRef], int]:
    first: dict[str, PhysicalLeakRow] = {}
    for row in rows:
        seen = first.get(row.work_id)
        if seen is None or row.released_at < seen.released_at:
            first[row.work_id] = row
    refs = [
        LeakRef(
            r.alert_id,
            r.release,
            r.group,
            r.work_id,
            r.work_title,
            r.released_at,
            r.window_date,
            r.lead_days,
        )
        for r in sorted(first.values(), key=lambda r: (r.released_at, r.alert_id))
    ]
    return refs, len(rows) - len(refs)


def _histories(
    accounts: list[AccountRow], shipments: list[StoredShipment]
) -> tuple[list[AccountHistory], dict[int, list[StoredShipment]]]:
    by_account: dict[int, list[StoredShipment]] = defaultdict(list)
    for s in shipments:
        by_account[s.account_id].append(s)
    histories = [
        AccountHistory(
            a.id,
            a.distributor,
            tuple(Receipt(s.work_id, s.shipped_at, s.street_date) for s in by_account[a.id]),
        )
        for a in accounts
        if by_account.get(a.id)
    ]
    return histories, by_account


def _flags(
    accounts: list[AccountRow], by_account: dict[int, list[StoredShipment]], end: datetime | None
) -> dict[int, tuple[Flag, ...]]:
    if end is None:
        return {}
    return {
        a.id: account_flags(
            a.declared_business,
            a.opened_on,
            [Order(s.shipped_at, s.street_date, s.quantity) for s in by_account.get(a.id, [])],
            end,
        )
        for a in accounts
    }


def flag_accounts(conn: Connection) -> list[AccountFlags]:
    """Every account with at least one behaviour flag: most warnings first, then most
    flags (a flag common among ordinary accounts is context, not a warning)."""
    accounts = load_accounts(conn)
    shipments = load_shipments(conn)
    _, by_account = _histories(accounts, shipments)
    end = max((s.shipped_at for s in shipments), default=None)
    flags = _flags(accounts, by_account, end)
    out = [
        AccountFlags(
            a.id,
            a.distributor,
            a.account,
            a.declared_business,
            a.country,
            a.opened_on,
            len(by_account.get(a.id, [])),
            flags[a.id],
        )
        for a in accounts
        if flags.get(a.id)
    ]
    out.sort(
        key=lambda f: (
            -sum(1 for x in f.flags if x.level == "warning"),
            -len(f.flags),
            f.distributor,
            f.account,
        )
    )
    return out


def rank_accounts(
    conn: Connection,
    *,
    epsilon: float = DEFAULT_EPSILON,
    min_leaks: int = 1,
    prior_none: float = DEFAULT_PRIOR_NONE,
    model: Model = "share",
) -> Ranking:
    """Rank the accounts that explain at least ``min_leaks`` of the physical leaks.

    The posterior is over every account that received discs (plus "none of them"),
    whether listed or not."""
    if not 0.0 < epsilon < 1.0:
        raise ValueError(f"epsilon must be between 0 and 1 (exclusive), got {epsilon}")
    if not 0.0 < prior_none < 1.0:
        raise ValueError(f"prior_none must be between 0 and 1 (exclusive), got {prior_none}")
    accounts = load_accounts(conn)
    shipments = load_shipments(conn)
    all_leaks, repeats = _leak_refs(load_physical_leaks(conn))
    histories, by_account = _histories(accounts, shipments)
    received = {s.work_id for s in shipments}
    leaks = [leak for leak in all_leaks if leak.work_id in received]
    uncounted = tuple(leak for leak in all_leaks if leak.work_id not in received)
    events = [LeakEvent(leak.work_id, leak.leaked_at, leak.street_date) for leak in leaks]
    evidence = build_evidence(histories, events)
    scores, none = score_accounts(evidence, epsilon=epsilon, prior_none=prior_none, model=model)
    end = max((s.shipped_at for s in shipments), default=None)
    flags = _flags(accounts, by_account, end)
    info = {a.id: a for a in accounts}
    proof = {e.key: e for e in evidence}
    ranked: list[AccountScore] = []
    for score in scores:
        if score.explained < min_leaks:
            continue
        ranked.append(
            _account_score(
                len(ranked) + 1,
                info[score.key],
                score,
                proof[score.key],
                leaks,
                len(by_account[score.key]),
                flags.get(score.key, ()),
                len(histories),
                epsilon,
                prior_none,
            )
        )
    return Ranking(
        leaks=tuple(leaks),
        uncounted=uncounted,
        repeats=repeats,
        accounts=len(histories),
        epsilon=epsilon,
        prior_none=prior_none,
        model=model,
        none_posterior=none,
        scores=tuple(ranked),
    )


def _account_score(
    rank: int,
    account: AccountRow,
    score: Score,
    evidence: Evidence,
    leaks: list[LeakRef],
    shipments: int,
    flags: tuple[Flag, ...],
    accounts: int,
    epsilon: float,
    prior_none: float,
) -> AccountScore:
    explained = tuple(leaks[t.leak] for t in evidence.trials if t.held)
    unexplained = tuple(leaks[t.leak] for t in evidence.trials if not t.held)
    text = explain_score(account, score, len(evidence.not_counted), accounts, epsilon, prior_none)
    return AccountScore(
        rank=rank,
        account_id=account.id,
        distributor=account.distributor,
        account=account.account,
        declared_business=account.declared_business,
        country=account.country,
        opened_on=account.opened_on,
        shipments=shipments,
        explained=explained,
        unexplained=unexplained,
        not_counted=len(evidence.not_counted),
        p_a=score.base_rate,
        order_rate=score.order_rate,
        log10_lr=score.log10_lr,
        chance=score.chance,
        posterior=score.posterior,
        flags=flags,
        explanation=text,
    )


def explain_score(
    account: AccountRow,
    score: Score,
    not_counted: int,
    accounts: int,
    epsilon: float,
    prior_none: float,
) -> str:
    """The plain-words case for (or against) one account, with every number explained."""
    details = [account.declared_business]
    if account.country:
        details.append(account.country)
    if account.opened_on:
        details.append(f"opened {account.opened_on.isoformat()}")
    details.append(f"distributor {account.distributor}")
    title = "title" if score.counted == 1 else "titles"
    parts = [
        f"Account {account.account} ({', '.join(details)}) had the discs of "
        f"{score.explained} of the {score.counted} {title} ripped from disc and released "
        "before their street date (and that it could have received) before they leaked."
    ]
    missing = score.counted - score.explained
    if score.counted:
        if missing:
            parts.append(
                f"It does not explain {missing} of them: it did not have "
                f"{'that title' if missing == 1 else 'those titles'} before "
                f"{'it' if missing == 1 else 'they'} leaked."
            )
        else:
            parts.append("There is no leaked title it could have received that it did not have.")
    if not_counted:
        parts.append(
            f"{not_counted} further leak{'s do' if not_counted != 1 else ' does'} not count "
            "for it (before its first shipment, or of titles its distributor did not ship)."
        )
    if score.counted:
        parts.append(
            "Popular titles are ordered by more accounts, and leaks are mostly popular "
            "titles, so from every account's orders LeakTrace measures how often an account "
            "like this one orders titles as popular as the leaked ones before their street "
            f"date: about {_share(score.order_rate)}, and how often it would hold them as "
            "long before street date as these leaks came: about "
            f"{_share(score.base_rate)}."
        )
        parts.append(
            f"An uninvolved account like it would hold {score.explained} or more of the "
            f"{score.counted} leaked {title} that early by coincidence with probability "
            f"{chance_words(score.chance)}; that figure already accounts for how popular the "
            "leaked titles are. This chance of a coincidence is not the chance that the "
            f"account is innocent: among {accounts} accounts some hold leaked titles by "
            "coincidence, and the probability below weighs that."
        )
        parts.append(
            f"What we see is {ratio_words(score.log10_lr)} if the leaks came "
            "through this account than if it is not involved (allowing it to be the source "
            f"of any share of the leaks up to {percent(1.0 - epsilon)})."
        )
    parts.append(
        f"Among the {accounts} accounts that received discs, assuming at most one of them "
        f"is the source (or none: prior {percent(prior_none)}) and at least "
        f"{percent(epsilon)} of physical leaks come through other channels, the "
        f"probability that it is the source: {posterior_words(score.posterior)}."
    )
    return " ".join(parts)


def _share(chance: float) -> str:
    return "less than 1%" if chance < 0.005 else f"{chance:.0%}"
