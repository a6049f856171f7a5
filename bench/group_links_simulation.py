"""Do follower links find the groups that copy a leaker, and only them?

Builds the synthetic world of ``leaktrace.attribution.simulation`` (a supply-chain leaker
that is later renamed, two P2P groups that copy its leaks, four web groups racing to the
digital date, three cam groups at the premiere, three retail groups after street date;
80 films over two years) for each seed, runs the link code on it (follower and renamed
links, no database) and counts:

* true links found (4 follower links: leader and renamed leader → each copier; 1 rename);
* false links, by kind and by the parts the two groups play (web → web, follower →
  follower, …).

Four settings are measured on the same worlds:

* ``null model``: the follower test as shipped (order, null model, common leaders);
* ``no catalogue dates``: the same with the catalogue's window dates withheld;
* ``wrong catalogue dates``: the same with 30% of the window dates 1-4 days off (earlier
  or later: a catalogue with another region's dates);
* ``previous rule``: follows and consistency only (what ``group-graph`` did before).

    python bench/group_links_simulation.py --seeds 20
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import describe  # noqa: E402

from leaktrace.attribution import (  # noqa: E402
    GroupData,
    LinkKind,
    LinkSettings,
    compute_links,
    following,
)
from leaktrace.attribution.simulation import LinkWorld, build_world  # noqa: E402

Link = tuple[LinkKind, str, str]


@dataclass
class Tally:
    true_total: int = 0
    true_found: int = 0
    false_total: int = 0
    worst_false: int = 0
    false_by_type: Counter[str] = field(default_factory=Counter)
    missed_by_type: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0


SETTINGS = ("null model", "no catalogue dates", "wrong catalogue dates", "previous rule")


def _wrong(openings: dict[str, datetime], seed: int) -> dict[str, datetime]:
    """30% of the window dates off by 1-4 days, earlier or later."""
    rng = random.Random(seed)
    out = {}
    for key, opened in sorted(openings.items()):
        if rng.random() < 0.3:
            opened += timedelta(days=rng.choice((-1, 1)) * rng.uniform(1, 4))
        out[key] = opened
    return out


def _run(world: LinkWorld, setting: str, seed: int) -> tuple[set[Link], float]:
    """The follower and renamed links found in ``world`` under ``setting``."""
    data = GroupData.build(world.releases)
    if setting == "no catalogue dates":
        data.openings = {}
    elif setting == "wrong catalogue dates":
        data.openings = _wrong(data.openings, seed)
    started = time.perf_counter()
    if setting == "previous rule":
        # enough follows on half the shared titles, nothing else
        tests = following.follower_tests(
            data.copies,
            data.openings,
            alpha=1.0,
            min_order=0.0,
            min_baseline=0,
            common_leaders=False,
        )
        found = {(LinkKind.FOLLOWER, t.leader, t.follower) for t in tests}
        kinds = frozenset({LinkKind.RENAMED})
    else:
        found = set()
        kinds = frozenset({LinkKind.FOLLOWER, LinkKind.RENAMED})
    links = compute_links(data, settings=LinkSettings(kinds=kinds))
    found |= {(k.kind, k.source, k.target) for k in links}
    return found, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--films", type=int, default=80)
    parser.add_argument("--days", type=int, default=720, help="the period the films span")
    parser.add_argument("--quiet", action="store_true", help="totals only")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    print(
        f"{args.seeds} worlds (seeds {args.first_seed}-{args.first_seed + args.seeds - 1}), "
        f"{args.films} films over {args.days} days each\n"
    )
    tallies = {name: Tally() for name in SETTINGS}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        world = build_world(seed, films=args.films, days=args.days)
        line = [f"seed {seed:3d} ({len(world.releases)} releases):"]
        for name in SETTINGS:
            found, seconds = _run(world, name, seed)
            tally = tallies[name]
            hits = found & world.true_links
            false = found - world.true_links
            tally.true_total += len(world.true_links)
            tally.true_found += len(hits)
            tally.false_total += len(false)
            tally.worst_false = max(tally.worst_false, len(false))
            tally.seconds += seconds
            for kind, source, target in world.true_links - found:
                tally.missed_by_type[f"{kind.value} {source} → {target}"] += 1
            for kind, source, target in false:
                tally.false_by_type[
                    f"{kind.value} {world.role(source)} → {world.role(target)}"
                ] += 1
            line.append(f"{name}: {len(hits)}/{len(world.true_links)} true, {len(false)} false")
        if not args.quiet:
            print(" ".join(line[:1]) + " " + "; ".join(line[1:]))
    print()
    header = f"{'setting':<22} {'true found':>12} {'false':>6} {'worst seed':>10} {'s/world':>8}"
    print(header)
    print("-" * len(header))
    for name, t in tallies.items():
        share = t.true_found / t.true_total if t.true_total else 0.0
        print(
            f"{name:<22} {t.true_found:>4}/{t.true_total:<4} {share:>4.0%} {t.false_total:>6} "
            f"{t.worst_false:>10} {t.seconds / args.seeds:>8.3f}"
        )
    for name, t in tallies.items():
        if t.missed_by_type:
            kinds = ", ".join(f"{k} {v}" for k, v in t.missed_by_type.most_common())
            print(f"\ntrue links missed, {name}: {kinds}")
        if t.false_by_type:
            kinds = ", ".join(f"{k} {v}" for k, v in t.false_by_type.most_common())
            print(f"\nfalse links, {name}: {kinds}")


if __name__ == "__main__":
    main()
