"""How well does the supply-chain ranking find the account leaked discs came through, and
how often does it accuse an innocent one?

Simulates a disc market many times (seeded) and scores it with the pure functions of
``leaktrace.supply.scoring`` (no database), the code ``leaktrace supply rank`` runs:

* 3 distributors; 220 titles over about 20 months, each carried by 1-3 of them, each with
  a popularity ``w`` (log-normal, sigma 1);
* per distributor 100 customer accounts of realistic sizes: national chains that get
  nearly every title 4-9 days early, sub-wholesalers 7-14 days early, online stores,
  regional stores, 66 small video shops (5-40% of titles, 1-6 days early), rental
  accounts (around street date) and libraries (after it); 10% of accounts open during the
  period, the others years before; shops also restock titles weeks after street date;
* **popularity** (``none``, ``moderate``, ``strong``: exponent ``s`` = 0, 1, 2): an account
  orders title *t* with chance ``min(1, share * w_t^(s*k) / mean(w^(s*k)))``, where ``k``
  is how much its kind follows popularity (0.3 for chains, 0.7-1.3 for small shops, drawn
  per shop) -- not the logistic form LeakTrace fits; leaks favour popular titles the same
  way (chance of a title proportional to ``w^s``);
* the **source**: ``new retailer`` (the Sparks pattern: opened in the first months,
  15-30% of titles 2-7 days early, 2-3 discs an order, no restocks), ``established shop``
  (opened years before, orders, timing, quantities and restocks of an ordinary video
  shop), ``none`` (no leaking account in the data: every leak came another way), or
  ``several`` (2-3 new retailers, with ``--multi``);
* each observed physical leak is, independently: a title from a leaking account's stock
  ripped 0.25-2 days after it arrived (before street date); with probability ``--noise``
  (always, without a source) a leak through another channel of a title in the data, 0.5-5
  days before street date; with probability ``--foreign`` a leak of a title no account in
  the data received.

For 1, 3, 5, 10, 12 and 20 observed leaks (the first N of a run's 20) it reports top-1 and
top-3 (a true source ranked first / in the first three), the runs in which **any**
innocent account reaches a posterior of 0.5 (the strict false-accusation rate), the
share of innocent accounts that do (per account), and the runs with an innocent account
first at 0.9 or more. ``title`` is the base rate LeakTrace uses (account and title,
:mod:`leaktrace.supply.popularity`); ``account`` is the former one (an account's share of
all titles), scored on the same markets for comparison.

It also measures how often each behaviour flag fires on ordinary accounts and on leaking
accounts, and with ``--write-flag-rates`` writes those rates to
``leaktrace/supply/flag_rates.py`` (the figures ``leaktrace supply rank`` prints next to
each flag).

``--oracle`` instead compares top-1 at 10 and 20 leaks with LeakTrace's fitted chances and
with the simulation's *true* chances (what knowing exactly how every account orders would
give): how much of the ranking's limits is the model's, how much the evidence's.

    python bench/supply_simulation.py --runs 200
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

from leaktrace.supply.flags import FLAG_CODES, Order, account_flags  # noqa: E402
from leaktrace.supply.scoring import (  # noqa: E402
    DEFAULT_PRIOR_NONE,
    AccountHistory,
    BaseRate,
    Evidence,
    LeakEvent,
    Receipt,
    build_evidence,
    lead_days,
    log_lr,
    score_accounts,
)

LEAK_COUNTS = (1, 3, 5, 10, 12, 20)
BASES: tuple[BaseRate, ...] = ("title", "account")
START = datetime(2024, 1, 1, tzinfo=UTC)
TITLES = 220
PERIOD_DAYS = 600
END = START + timedelta(days=PERIOD_DAYS + 60)
DISTRIBUTORS = ("D1", "D2", "D3")
POPULARITY = {"none": 0.0, "moderate": 1.0, "strong": 2.0}
SOURCES = ("new retailer", "established shop", "none")
FLAG_RATES = ROOT / "leaktrace" / "supply" / "flag_rates.py"


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    per_distributor: int
    share: tuple[float, float]
    early: tuple[float, float]  # days before street date (negative: after)
    business: str
    quantity: tuple[int, int]
    follows: tuple[float, float]  # how much it follows popularity (k)
    restocks: bool = True


KINDS = (
    Kind("national chain", 3, (0.95, 1.0), (4, 9), "retailer", (400, 2500), (0.3, 0.3)),
    Kind("sub-wholesaler", 2, (0.85, 0.98), (7, 14), "wholesale", (200, 1500), (0.3, 0.3)),
    Kind("online store", 3, (0.7, 0.95), (3, 8), "online", (50, 600), (0.5, 0.5)),
    Kind("regional store", 8, (0.5, 0.85), (2, 7), "retailer", (30, 200), (0.8, 0.8)),
    Kind("video shop", 66, (0.05, 0.4), (1, 6), "retailer", (2, 25), (0.7, 1.3)),
    Kind("rental", 10, (0.3, 0.7), (-1, 3), "rental", (5, 60), (0.8, 0.8)),
    Kind("library", 8, (0.1, 0.3), (-20, -1), "library", (1, 4), (0.5, 0.5), restocks=False),
)
NEW_RETAILER = Kind("new retailer", 0, (0.15, 0.3), (2, 7), "retailer", (2, 3), (0.7, 1.3), False)
ESTABLISHED = Kind("established shop", 0, (0.15, 0.4), (1, 6), "retailer", (2, 25), (0.7, 1.3))


@dataclass(frozen=True, slots=True)
class Title:
    work_id: str
    street: date
    carried: tuple[str, ...]
    weight: float

    @property
    def log_weight(self) -> float:
        return math.log(self.weight)

    @property
    def street_at(self) -> datetime:
        return _midnight(self.street)


@dataclass(slots=True)
class Market:
    histories: list[AccountHistory]
    sources: set[int]
    leaks: list[LeakEvent]
    flags: dict[int, set[str]] = field(default_factory=dict)
    truth: dict[int, tuple[dict[str, float], tuple[float, float]]] = field(default_factory=dict)
    """Per account: its true chance of ordering each title it could, and its lead range
    (for checking what knowing the true chances would give)."""


def _day(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _pick(rng: random.Random, titles: Sequence[Title], s: float) -> Title:
    return rng.choices(titles, weights=[t.weight**s for t in titles])[0]


def make_market(
    rng: random.Random, source: str, s: float, noise: float, foreign: float, leaks: int
) -> Market:
    titles = [
        Title(
            f"t{t}",
            (START + timedelta(days=30 + PERIOD_DAYS * t / TITLES)).date(),
            tuple(rng.sample(DISTRIBUTORS, rng.choice((1, 2, 3, 3)))),
            math.exp(rng.gauss(0.0, 1.0)),
        )
        for t in range(TITLES)
    ]
    n_sources = {"new retailer": 1, "established shop": 1, "none": 0}.get(source)
    if n_sources is None:
        n_sources = rng.randint(2, 3)
    keys = list(range(len(DISTRIBUTORS) * sum(k.per_distributor for k in KINDS) + n_sources))
    rng.shuffle(keys)  # ties and ids must not favour the planted accounts
    next_key = iter(keys)
    market = Market([], set(), [])
    stocks: dict[int, list[tuple[Title, datetime]]] = {}

    def account(distributor: str, kind: Kind, opened: date, first: date) -> int:
        key = next(next_key)
        share = rng.uniform(*kind.share)
        k = s * rng.uniform(*kind.follows)
        pulls = [math.exp(k * t.log_weight) for t in titles]
        scale = share * len(titles) / sum(pulls)
        receipts: list[Receipt] = []
        orders: list[Order] = []
        stock: list[tuple[Title, datetime]] = []
        chances: dict[str, float] = {}
        market.truth[key] = (chances, kind.early)
        for t, pull in zip(titles, pulls, strict=True):
            if distributor not in t.carried or t.street < first:
                continue
            chance = min(1.0, scale * pull)
            chances[t.work_id] = chance
            if rng.random() < chance:
                at = t.street_at - timedelta(days=rng.uniform(*kind.early))
                receipts.append(Receipt(t.work_id, at, t.street))
                orders.append(Order(at, t.street, rng.randint(*kind.quantity)))
                stock.append((t, at))
            if kind.restocks and rng.random() < 0.7 * chance:
                at = t.street_at + timedelta(days=rng.uniform(20, 240))
                if at < END:
                    receipts.append(Receipt(t.work_id, at, t.street))
                    orders.append(Order(at, t.street, max(1, rng.randint(*kind.quantity) // 3)))
        market.histories.append(AccountHistory(key, distributor, tuple(receipts)))
        stocks[key] = stock
        if orders:
            data_end = END - timedelta(days=1)
            found = account_flags(kind.business, opened, orders, data_end)
            market.flags[key] = {f.code for f in found}
        return key

    for distributor in DISTRIBUTORS:
        for kind in KINDS:
            for _ in range(kind.per_distributor):
                if rng.random() < 0.1:
                    opened = START.date() + timedelta(days=rng.randint(60, PERIOD_DAYS - 60))
                    first = opened
                else:
                    opened = START.date() - timedelta(days=rng.randint(400, 5500))
                    first = START.date()
                account(distributor, kind, opened, first)
    for _ in range(n_sources):
        if source == "established shop":
            opened = START.date() - timedelta(days=rng.randint(700, 4000))
            key = account(rng.choice(DISTRIBUTORS), ESTABLISHED, opened, START.date())
        else:
            opened = START.date() + timedelta(days=rng.randint(0, 150))
            key = account(rng.choice(DISTRIBUTORS), NEW_RETAILER, opened, opened)
        market.sources.add(key)
    in_data = [t for t in titles if any(d in t.carried for d in DISTRIBUTORS)]
    used: set[str] = set()
    foreign_n = 0
    share_other = noise if market.sources else 1.0 - foreign
    while len(market.leaks) < leaks:
        roll = rng.random()
        if roll < foreign:
            foreign_n += 1
            street = (START + timedelta(days=rng.uniform(30, 30 + PERIOD_DAYS))).date()
            at = _midnight(street) - _day(rng, 0.5, 5)
            market.leaks.append(LeakEvent(f"foreign{foreign_n}", at, street))
            continue
        if roll < foreign + share_other:
            t = _pick(rng, [t for t in in_data if t.work_id not in used], s)
            at = _midnight(t.street) - _day(rng, 0.5, 5)
            market.leaks.append(LeakEvent(t.work_id, at, t.street))
            used.add(t.work_id)
            continue
        stock = [x for x in stocks[rng.choice(sorted(market.sources))] if x[0].work_id not in used]
        if not stock:
            continue
        t, arrived = stock[0] if len(stock) == 1 else _pick_stock(rng, stock, s)
        room = (_midnight(t.street) - arrived).total_seconds() / 86400
        delay = min(rng.uniform(0.25, 2.0), room * rng.uniform(0.3, 0.9))
        market.leaks.append(LeakEvent(t.work_id, arrived + timedelta(days=delay), t.street))
        used.add(t.work_id)
    return market


def _pick_stock(
    rng: random.Random, stock: list[tuple[Title, datetime]], s: float
) -> tuple[Title, datetime]:
    return rng.choices(stock, weights=[t.weight**s for t, _ in stock])[0]


def _prefix(evidence: Sequence[Evidence], leaks: int) -> list[Evidence]:
    return [
        Evidence(e.key, e.available, tuple(t for t in e.trials if t.leak < leaks), ())
        for e in evidence
    ]


@dataclass(slots=True)
class Tally:
    runs: int = 0
    top1: int = 0
    top3: int = 0
    any50: int = 0
    """Runs in which at least one innocent account has a posterior >= 0.5."""
    accounts50: int = 0
    innocents: int = 0
    first90: int = 0
    source_posterior: float = 0.0
    worst: float = 0.0
    """The highest posterior of an innocent account in any run."""

    def add(self, ranked: list[int], posteriors: dict[int, float], sources: set[int]) -> None:
        self.runs += 1
        innocent = [posteriors[k] for k in ranked if k not in sources]
        self.innocents += len(innocent)
        high = sum(1 for p in innocent if p >= 0.5)
        self.accounts50 += high
        self.any50 += high > 0
        self.worst = max(self.worst, max(innocent, default=0.0))
        if ranked[0] not in sources and posteriors[ranked[0]] >= 0.9:
            self.first90 += 1
        if sources:
            self.top1 += ranked[0] in sources
            self.top3 += any(k in sources for k in ranked[:3])
            self.source_posterior += max(posteriors[k] for k in sources)


@dataclass(slots=True)
class FlagTally:
    innocent: Counter[str] = field(default_factory=Counter)
    innocents: int = 0
    source: Counter[str] = field(default_factory=Counter)
    sources: int = 0

    def add(self, market: Market) -> None:
        for key, codes in market.flags.items():
            if key in market.sources:
                self.sources += 1
                self.source.update(codes)
            else:
                self.innocents += 1
                self.innocent.update(codes)


def simulate(
    runs: int,
    seed: int,
    source: str,
    s: float,
    noise: float,
    foreign: float,
    epsilon: float,
    prior_none: float,
) -> tuple[dict[tuple[BaseRate, int], Tally], FlagTally]:
    tallies = {(b, n): Tally() for b in BASES for n in LEAK_COUNTS}
    flags = FlagTally()
    for run in range(runs):
        rng = random.Random(seed * 1_000_003 + run)
        market = make_market(rng, source, s, noise, foreign, max(LEAK_COUNTS))
        flags.add(market)
        for base in BASES:
            evidence = build_evidence(market.histories, market.leaks, base=base)
            for n in LEAK_COUNTS:
                scores, _ = score_accounts(
                    _prefix(evidence, n), epsilon=epsilon, prior_none=prior_none
                )
                tallies[(base, n)].add(
                    [s.key for s in scores], {s.key: s.posterior for s in scores}, market.sources
                )
    return tallies, flags


def _oracle_trials(market: Market, evidence: Evidence, leaks: int) -> list[tuple[bool, float]]:
    """The trials of one account with the *true* chances of the simulation: its true chance
    of ordering the title times the true chance that its discs arrive that early."""
    chances, (low, high) = market.truth[evidence.key]
    out = []
    for t in evidence.trials:
        if t.leak >= leaks:
            continue
        leak = market.leaks[t.leak]
        in_time = (high - lead_days(leak.street_date, leak.leaked_at)) / (high - low)
        chance = chances.get(leak.work_id, 0.0) * min(1.0, max(0.0, in_time))
        out.append((t.held, min(max(chance, 1e-6), 1.0 - 1e-6)))
    return out


def oracle(runs: int, seed: int, source: str, s: float, epsilon: float) -> None:
    """Top-1 at 10 and 20 leaks: LeakTrace's fitted chances against the true ones."""
    top1 = {("title", 10): 0, ("title", 20): 0, ("true", 10): 0, ("true", 20): 0}
    for run in range(runs):
        rng = random.Random(seed * 1_000_003 + run)
        market = make_market(rng, source, s, 0.1, 0.1, max(LEAK_COUNTS))
        evidence = build_evidence(market.histories, market.leaks)
        for n in (10, 20):
            fitted = {
                e.key: log_lr([(t.held, t.chance) for t in e.trials if t.leak < n], epsilon)
                for e in evidence
            }
            true = {e.key: log_lr(_oracle_trials(market, e, n), epsilon) for e in evidence}
            for name, logs in (("title", fitted), ("true", true)):
                top1[(name, n)] += max(logs, key=lambda k: (logs[k], -k)) in market.sources
    print(
        f"| {source} | {s:g} | {runs} | {_pct(top1[('title', 10)], runs)} "
        f"| {_pct(top1[('true', 10)], runs)} | {_pct(top1[('title', 20)], runs)} "
        f"| {_pct(top1[('true', 20)], runs)} |"
    )


def _pct(part: int | float, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "    -"


def report(title: str, tallies: dict[tuple[BaseRate, int], Tally], has_source: bool) -> None:
    print(f"\n{title}")
    print(
        "| base rate | leaks | runs | top-1 | top-3 | runs with an innocent >= 0.5 "
        "| innocent accounts >= 0.5 | innocent first >= 0.9 | highest innocent "
        "| mean posterior of a source |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for base in BASES:
        for n in LEAK_COUNTS:
            t = tallies[(base, n)]
            top1 = _pct(t.top1, t.runs) if has_source else "    -"
            top3 = _pct(t.top3, t.runs) if has_source else "    -"
            mean = f"{t.source_posterior / t.runs:.3f}" if has_source and t.runs else "-"
            per_account = f"{100.0 * t.accounts50 / t.innocents:.3f}%" if t.innocents else "-"
            print(
                f"| {base} | {n} | {t.runs} | {top1} | {top3} | {_pct(t.any50, t.runs)} "
                f"| {per_account} | {_pct(t.first90, t.runs)} | {t.worst:.3f} | {mean} |"
            )


def report_flags(flags: dict[str, FlagTally]) -> dict[str, tuple[float, float, float]]:
    innocent = FlagTally()
    for tally in flags.values():
        innocent.innocents += tally.innocents
        innocent.innocent.update(tally.innocent)
    new = flags.get("new retailer", FlagTally())
    old = flags.get("established shop", FlagTally())
    print("\nbehaviour flags: share of accounts they fire on (all settings pooled)")
    print("| flag | ordinary accounts | new-retailer sources | established-shop sources |")
    print("|---|---:|---:|---:|")
    rates: dict[str, tuple[float, float, float]] = {}
    for code in FLAG_CODES:
        r = (
            innocent.innocent[code] / innocent.innocents if innocent.innocents else 0.0,
            new.source[code] / new.sources if new.sources else 0.0,
            old.source[code] / old.sources if old.sources else 0.0,
        )
        rates[code] = r
        print(
            f"| {code} | {100 * r[0]:.1f}% of {innocent.innocents} | {100 * r[1]:.1f}% of "
            f"{new.sources} | {100 * r[2]:.1f}% of {old.sources} |"
        )
    return rates


def write_flag_rates(
    path: Path, rates: dict[str, tuple[float, float, float]], runs: int, seed: int
) -> None:
    lines = [
        '"""How often each behaviour flag fires, measured on simulated markets.',
        "",
        "Generated by ``bench/supply_simulation.py --write-flag-rates`` "
        f"({runs} markets per setting, seed {seed},",
        f"{datetime.now(UTC).date().isoformat()}); do not edit by hand. Per flag: the share of "
        "ordinary (innocent)",
        "accounts it fires on, and the share of leaking accounts of the Sparks pattern (a "
        "new retailer)",
        "and of an established shop that leaks. See BENCHMARKS.md for the market simulated.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        '__all__ = ["FLAG_RATES", "FLAG_RATES_SOURCE"]',
        "",
        f'FLAG_RATES_SOURCE = "simulated markets (bench/supply_simulation.py, {runs} runs '
        f'per setting)"',
        "FLAG_RATES: dict[str, tuple[float, float, float]] = {",
    ]
    for code, (innocent, new, old) in rates.items():
        lines.append(f'    "{code}": ({innocent:.4f}, {new:.4f}, {old:.4f}),')
    lines.append("}")
    lines.append(
        '"""code -> (ordinary accounts, new-retailer sources, established-shop sources)"""'
    )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nflag rates written to {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="simulated markets per setting")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epsilon", type=float, default=0.1, help="epsilon of the scoring")
    parser.add_argument(
        "--prior-none", type=float, default=DEFAULT_PRIOR_NONE, help="prior of 'none'"
    )
    parser.add_argument("--noise", type=float, default=0.1, help="share of other-channel leaks")
    parser.add_argument(
        "--foreign", type=float, default=0.1, help="share of leaks of titles not in the data"
    )
    parser.add_argument(
        "--popularity",
        choices=sorted(POPULARITY),
        action="append",
        help="popularity strength(s) to simulate (default: all three)",
    )
    parser.add_argument(
        "--source",
        choices=(*SOURCES, "several"),
        action="append",
        help="source kind(s) (default: the first three)",
    )
    parser.add_argument(
        "--multi", action="store_true", help="also run markets with 2-3 leaking accounts"
    )
    parser.add_argument(
        "--oracle",
        action="store_true",
        help="only compare top-1 with the fitted chances and with the simulation's true ones",
    )
    parser.add_argument(
        "--write-flag-rates",
        action="store_true",
        help=f"write the measured flag rates to {FLAG_RATES.relative_to(ROOT)}",
    )
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print(
        f"{args.runs} markets per setting, seed {args.seed}; true other-channel share "
        f"{args.noise:.0%} (100% without a source), foreign-title leaks {args.foreign:.0%}; "
        f"scoring epsilon {args.epsilon:.0%}, prior of 'none' {args.prior_none:.0%}; "
        f"{len(DISTRIBUTORS)} distributors, {TITLES} titles, "
        f"{len(DISTRIBUTORS) * sum(k.per_distributor for k in KINDS)} ordinary accounts"
    )
    started = time.perf_counter()
    if args.oracle:
        print(
            "\n| source | popularity s | runs | top-1 at 10, fitted | top-1 at 10, true chances "
            "| top-1 at 20, fitted | top-1 at 20, true chances |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|")
        for strength in args.popularity or ("none", "moderate", "strong"):
            for source in args.source or ("new retailer", "established shop"):
                oracle(args.runs, args.seed, source, POPULARITY[strength], args.epsilon)
        print(f"\n{time.perf_counter() - started:.1f}s")
        return
    sources = list(args.source or SOURCES)
    if args.multi and "several" not in sources:
        sources.append("several")
    flags: dict[str, FlagTally] = {}
    for strength in args.popularity or ("none", "moderate", "strong"):
        for source in sources:
            tallies, flagged = simulate(
                args.runs,
                args.seed,
                source,
                POPULARITY[strength],
                args.noise,
                args.foreign,
                args.epsilon,
                args.prior_none,
            )
            merged = flags.setdefault(source, FlagTally())
            merged.innocents += flagged.innocents
            merged.innocent.update(flagged.innocent)
            merged.sources += flagged.sources
            merged.source.update(flagged.source)
            title = f"popularity {strength}, source: {source}"
            report(title, tallies, source != "none")
            sys.stdout.flush()
    rates = report_flags(flags)
    if args.write_flag_rates:
        write_flag_rates(FLAG_RATES, rates, args.runs, args.seed)
    print(f"\n{time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
