"""Group dossier, groups page and group graph speed on the API benchmark data, this code
against an older revision.

Each measurement runs in a fresh process over the cached SQLite file of
``bench/api_service_data.py`` (2,500 Zipf-sized groups; built if missing), calling the
services as the API does: the first dossier in the process (the smallest benchmark group;
it pays for what every dossier shares: first-to-release figures and links, computed from
every release), then each benchmark group's first (for the smallest, already kept) and
repeated dossier, a dossier of an unknown group (404), the
groups page (50 groups) and the group graph, first and repeated; and the process's peak
memory. ``--old-rev`` extracts that revision's ``leaktrace`` with ``git archive`` and runs
the same measurements with it (only at the sizes of ``--old-sizes``: the old code takes
minutes per request at a million releases).

    python bench/group_dossier_speed.py                                   # 100k and 1M
    python bench/group_dossier_speed.py --releases 100000 --old-rev d3871ee
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5
"""Repeated requests timed per figure (the median is shown); 1 for the old revision."""


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _median(call: Callable[[], object], repeats: int) -> float:
    return statistics.median(_timed(call) for _ in range(repeats))


def child(path: str, groups: list[str], repeats: int) -> dict[str, Any]:
    """The measurements, with whichever ``leaktrace`` is first on the path."""
    from leaktrace.config import load_settings
    from leaktrace.errors import NotFoundError
    from leaktrace.identity.actor import local_operator
    from leaktrace.infra.services import BUILTIN
    from leaktrace.services.context import AppContext
    from leaktrace.services.groups import group_dossier, group_graph, group_page
    from leaktrace.store.database import Database

    ctx = AppContext(
        settings=load_settings(db=path), database=Database(path, migrate=False), services=BUILTIN
    )
    actor = local_operator()
    out: dict[str, Any] = {"groups": {}, "repeats": repeats}
    # the smallest group first: the others' first requests then show a group's own cost
    out["first_dossier_s"] = _timed(lambda: group_dossier(ctx, actor, groups[-1]))
    out["rss_after_first_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    for name in groups:
        first = _timed(lambda: group_dossier(ctx, actor, name))  # noqa: B023
        again = _median(lambda: group_dossier(ctx, actor, name), repeats)  # noqa: B023
        size = group_dossier(ctx, actor, name).releases
        out["groups"][name] = {"releases": size, "first_s": first, "again_s": again}

    def missing() -> None:
        try:
            group_dossier(ctx, actor, "no-such-group-anywhere")
        except NotFoundError:
            return
        raise AssertionError("an unknown group was found")

    out["not_found_s"] = _timed(missing)
    out["groups_page_first_s"] = _timed(lambda: group_page(ctx, limit=50))
    out["groups_page_again_s"] = _median(lambda: group_page(ctx, limit=50), repeats)
    out["graph_first_s"] = _timed(lambda: group_graph(ctx))
    out["graph_again_s"] = _median(lambda: group_graph(ctx), repeats)
    out["links"] = len(group_graph(ctx).links)
    out["max_rss_gb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    return out


def _extract(rev: str, into: Path) -> Path:
    """``leaktrace`` as of ``rev`` under ``into`` (read from git; the work tree untouched)."""
    blob = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "leaktrace"], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(into, filter="data")
    return into


def _run(
    code: Path, path: Path, groups: list[str], timeout: float, repeats: int
) -> dict[str, Any] | str:
    env = {**os.environ, "PYTHONPATH": str(code)}
    cmd = [sys.executable, __file__, "--child", str(path), "--groups", ",".join(groups)]
    cmd += ["--repeats", str(repeats)]
    try:
        done = subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return f"did not finish in {timeout:.0f} s"
    if done.returncode != 0:
        return "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _print(label: str, result: dict[str, Any] | str) -> None:
    if isinstance(result, str):
        print(f"  {label}: {result}")
        return
    print(
        f"  {label}: first dossier in the process {result['first_dossier_s']:.2f} s "
        f"(peak RSS {result['rss_after_first_gb']:.2f} GB)"
    )
    for name, g in result["groups"].items():
        print(
            f"    dossier {name} ({g['releases']:,} releases): first {g['first_s'] * 1000:,.0f} ms,"
            f" again {g['again_s'] * 1000:,.1f} ms (median of {result['repeats']})"
        )
    print(f"    unknown group (404): {result['not_found_s'] * 1000:,.1f} ms")
    print(
        f"    groups page (50): first {result['groups_page_first_s'] * 1000:,.0f} ms, again "
        f"{result['groups_page_again_s'] * 1000:,.1f} ms"
    )
    print(
        f"    group graph ({result['links']} links): first {result['graph_first_s'] * 1000:,.0f}"
        f" ms, again {result['graph_again_s'] * 1000:,.1f} ms"
    )
    print(f"    peak RSS {result['max_rss_gb']:.2f} GB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--old-rev", help="also measure leaktrace as of this git revision")
    parser.add_argument(
        "--old-sizes", type=int, nargs="*", default=[100_000], help="sizes to run --old-rev at"
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="(s) per measurement")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--groups", help=argparse.SUPPRESS)
    parser.add_argument("--repeats", type=int, default=REPEATS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.groups.split(","), args.repeats)))
        return
    sys.path.insert(0, str(ROOT / "bench"))
    sys.path.insert(0, str(ROOT))
    from api_service_data import cached_sqlite
    from machine import describe

    print(f"group dossier speed — {describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        old = _extract(args.old_rev, Path(tmp)) if args.old_rev else None
        for releases in args.releases:
            path, built = cached_sqlite(releases)
            groups = list(built.dossier_groups)
            print(f"{releases:,} releases, {built.groups:,} groups ({path.name}):")
            _print("this code", _run(ROOT, path, groups, args.timeout, REPEATS))
            if old is not None and releases in args.old_sizes:
                _print(f"at {args.old_rev}", _run(old, path, groups, args.timeout, 1))


if __name__ == "__main__":
    main()
