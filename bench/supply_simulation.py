"""How well does the supply-chain ranking find the account leaked discs came through?

Simulates a disc market many times (seeded) and scores it with the pure functions of
``leaktrace.supply.scoring`` (no database):

* 3 distributors; 220 titles over about 20 months, each carried by 1-3 of them;
* per distributor about 100 customer accounts of realistic sizes: national chains that
  get nearly every title 4-9 days early, sub-wholesalers 7-14 days early, online stores,
  regional stores, many small video shops (5-40% of titles, 1-6 days early), rental
  accounts (around street date) and libraries (after it); 10% of accounts open during the
  period;
* 1 (or 2-3) leaking accounts that look like small retailers: opened in the first months,
  ordering 15-30% of the titles a few days early;
* each observed physical leak is, independently: a title from a leaking account's stock
  ripped 0.25-2 days after it arrived (before street date); with probability ``--noise``
  a leak through another channel of a title in the data; with probability ``--foreign``
  a leak of a title no account in the data received (another distributor, another group).

For 1, 3, 5, 10 and 20 observed leaks (the first N of a run's 20), it reports top-1 and
top-3 accuracy (a true source ranked first / in the first three) and the false accusation
rate: the share of runs where an innocent account is ranked first with posterior >= 0.5
(and >= 0.9). Both the default model ("share": the share of leaks through the account is
integrated out) and the simple fixed model are scored on the same markets.

    python bench/supply_simulation.py --runs 200
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

from leaktrace.supply.scoring import (  # noqa: E402
    AccountHistory,
    Evidence,
    LeakEvent,
    Model,
    Receipt,
    build_evidence,
    score_accounts,
)

LEAK_COUNTS = (1, 3, 5, 10, 20)
MODELS: tuple[Model, ...] = ("share", "fixed")
START = datetime(2024, 1, 1, tzinfo=UTC)
TITLES = 220
PERIOD_DAYS = 600
DISTRIBUTORS = ("D1", "D2", "D3")


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    per_distributor: int
    share: tuple[float, float]
    early: tuple[float, float]  # days before street date (negative: after)


KINDS = (
    Kind("national chain", 3, (0.95, 1.0), (4, 9)),
    Kind("sub-wholesaler", 2, (0.85, 0.98), (7, 14)),
    Kind("online store", 3, (0.7, 0.95), (3, 8)),
    Kind("regional store", 8, (0.5, 0.85), (2, 7)),
    Kind("video shop", 66, (0.05, 0.4), (1, 6)),
    Kind("rental", 10, (0.3, 0.7), (-1, 3)),
    Kind("library", 8, (0.1, 0.3), (-20, -1)),
)


@dataclass(slots=True)
class Market:
    histories: list[AccountHistory]
    sources: set[int]
    leaks: list[LeakEvent]
    receipts: dict[int, dict[str, Receipt]] = field(default_factory=dict)


def _day(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


def make_market(
    rng: random.Random, n_sources: int, noise: float, foreign: float, leaks: int
) -> Market:
    titles: list[tuple[str, date, tuple[str, ...]]] = []
    for t in range(TITLES):
        street = (START + timedelta(days=30 + PERIOD_DAYS * t / TITLES)).date()
        carried = tuple(rng.sample(DISTRIBUTORS, rng.choice((1, 2, 3, 3))))
        titles.append((f"t{t}", street, carried))
    keys = list(range(len(DISTRIBUTORS) * sum(k.per_distributor for k in KINDS) + n_sources))
    rng.shuffle(keys)  # ties and ids must not favour the planted accounts
    next_key = iter(keys)
    histories: list[AccountHistory] = []
    receipts: dict[int, dict[str, Receipt]] = {}

    def account(distributor: str, share: float, early: tuple[float, float], opens: date) -> int:
        key = next(next_key)
        got: dict[str, Receipt] = {}
        for work_id, street, carried in titles:
            if distributor not in carried or street < opens or rng.random() >= share:
                continue
            street_at = datetime(street.year, street.month, street.day, tzinfo=UTC)
            got[work_id] = Receipt(work_id, street_at - _day(rng, *early), street)
        receipts[key] = got
        histories.append(AccountHistory(key, distributor, tuple(got.values())))
        return key

    for distributor in DISTRIBUTORS:
        for kind in KINDS:
            for _ in range(kind.per_distributor):
                opens = START.date()
                if rng.random() < 0.1:
                    opens += timedelta(days=rng.randint(60, PERIOD_DAYS - 60))
                account(distributor, rng.uniform(*kind.share), kind.early, opens)
    sources = {
        account(
            rng.choice(DISTRIBUTORS),
            rng.uniform(0.15, 0.3),
            (2, 7),
            START.date() + timedelta(days=rng.randint(0, 150)),
        )
        for _ in range(n_sources)
    }
    carried_titles = [(w, s) for w, s, _ in titles]
    used: set[str] = set()
    stream: list[LeakEvent] = []
    foreign_n = 0
    while len(stream) < leaks:
        roll = rng.random()
        if roll < foreign:
            foreign_n += 1
            street = (START + timedelta(days=rng.uniform(30, 30 + PERIOD_DAYS))).date()
            at = datetime(street.year, street.month, street.day, tzinfo=UTC)
            stream.append(LeakEvent(f"foreign{foreign_n}", at - _day(rng, 0.5, 5), street))
            continue
        if roll < foreign + noise:
            work_id, street = rng.choice(carried_titles)
            if work_id in used:
                continue
            at = datetime(street.year, street.month, street.day, tzinfo=UTC)
            stream.append(LeakEvent(work_id, at - _day(rng, 0.5, 5), street))
            used.add(work_id)
            continue
        stock = [r for r in receipts[rng.choice(sorted(sources))].values() if r.work_id not in used]
        if not stock:
            continue
        got = rng.choice(stock)
        street_at = datetime(
            got.street_date.year, got.street_date.month, got.street_date.day, tzinfo=UTC
        )
        room = (street_at - got.shipped_at).total_seconds() / 86400
        delay = min(rng.uniform(0.25, 2.0), room * rng.uniform(0.3, 0.9))
        stream.append(
            LeakEvent(got.work_id, got.shipped_at + timedelta(days=delay), got.street_date)
        )
        used.add(got.work_id)
    return Market(histories, sources, stream, receipts)


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
    false50: int = 0
    false90: int = 0
    source_posterior: float = 0.0

    def add(self, ranked: list[int], posteriors: dict[int, float], sources: set[int]) -> None:
        self.runs += 1
        self.top1 += ranked[0] in sources
        self.top3 += any(k in sources for k in ranked[:3])
        innocent_first = ranked[0] not in sources
        self.false50 += innocent_first and posteriors[ranked[0]] >= 0.5
        self.false90 += innocent_first and posteriors[ranked[0]] >= 0.9
        self.source_posterior += max(posteriors[k] for k in sources)


def simulate(
    runs: int, seed: int, sources: tuple[int, int], noise: float, foreign: float, epsilon: float
) -> dict[tuple[Model, int], Tally]:
    tallies = {(m, n): Tally() for m in MODELS for n in LEAK_COUNTS}
    for run in range(runs):
        rng = random.Random(seed * 1_000_003 + run)
        market = make_market(rng, rng.randint(*sources), noise, foreign, max(LEAK_COUNTS))
        evidence = build_evidence(market.histories, market.leaks)
        for n in LEAK_COUNTS:
            part = _prefix(evidence, n)
            for model in MODELS:
                scores, _ = score_accounts(part, epsilon=epsilon, model=model)
                tallies[(model, n)].add(
                    [s.key for s in scores], {s.key: s.posterior for s in scores}, market.sources
                )
    return tallies


def _pct(part: int | float, whole: int) -> str:
    return f"{100.0 * part / whole:5.1f}%" if whole else "    -"


def report(title: str, tallies: dict[tuple[Model, int], Tally]) -> None:
    print(f"\n{title}")
    print(
        "| model | leaks | runs | top-1 | top-3 | innocent first, post >= 0.5 "
        "| innocent first, post >= 0.9 | mean posterior of a source |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for model in MODELS:
        for n in LEAK_COUNTS:
            t = tallies[(model, n)]
            print(
                f"| {model} | {n} | {t.runs} | {_pct(t.top1, t.runs)} | {_pct(t.top3, t.runs)} "
                f"| {_pct(t.false50, t.runs)} | {_pct(t.false90, t.runs)} "
                f"| {t.source_posterior / t.runs if t.runs else 0.0:.3f} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200, help="simulated markets per setting")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--epsilon", type=float, default=0.1, help="epsilon of the scoring")
    parser.add_argument("--noise", type=float, default=0.1, help="share of other-channel leaks")
    parser.add_argument(
        "--foreign", type=float, default=0.1, help="share of leaks of titles not in the data"
    )
    parser.add_argument(
        "--multi", action="store_true", help="also run markets with 2-3 leaking accounts"
    )
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print(
        f"{args.runs} markets per setting, seed {args.seed}; true other-channel share "
        f"{args.noise:.0%}, foreign-title leaks {args.foreign:.0%}; scoring epsilon "
        f"{args.epsilon:.0%}; {len(DISTRIBUTORS)} distributors, {TITLES} titles, "
        f"{len(DISTRIBUTORS) * sum(k.per_distributor for k in KINDS)} ordinary accounts"
    )
    started = time.perf_counter()
    settings = [("one leaking account", (1, 1))]
    if args.multi:
        settings.append(("two or three leaking accounts (a hit is any of them)", (2, 3)))
    for title, sources in settings:
        tallies = simulate(args.runs, args.seed, sources, args.noise, args.foreign, args.epsilon)
        report(title, tallies)
    print(f"\n{time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
