"""Web API latency and throughput: `leaktrace serve` over 1,000,000 releases.

For each backend (SQLite file, PostgreSQL started here on 127.0.0.1), the database of
``api_service_data.py`` is copied (the cached build stays pristine) and brought to the
newest schema with ``leaktrace db upgrade``; an agency, a user and an API token are made
with ``leaktrace agency add`` / ``user add`` / ``token create``; ``leaktrace serve`` runs as
a real process. An async httpx load generator then measures p50/p95/p99 latency of

* the leaks list, filtered and paginated: a mix of filters, each followed through its
  ``next_cursor`` pages (up to 4 pages of 50), and
* a group dossier (``/api/v1/groups/{name}``, groups of several sizes),

at 1, 10 and 50 concurrent clients (one server worker), and the leaks list's requests per
second with 1 and 2 workers.

    python bench/api_latency.py                        # 1M releases, both backends
    python bench/api_latency.py --backend sqlite --duration 10
    python bench/api_latency.py --quick                # small smoke run (seconds)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from api_harness import load_average, machine, postgres, postgres_copy, prepare, server  # noqa: E402
from api_service_data import CACHE, Built, cached_sqlite  # noqa: E402

LEAK_FILTERS = (
    "severity=high",
    "severity=critical",
    "window=digital",
    "severity=high&window=physical",
    "",
    "sort=lead",
    "since=2015-01-01&until=2016-01-01",
    "sort=severity",
    "group={group}",
)
PAGES_PER_FILTER = 4
PAGE_SIZE = 50


# --- load ------------------------------------------------------------------------------------


@dataclass
class Cell:
    """The requests of one measurement: latencies in seconds, status codes."""

    name: str
    clients: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    first_error: str = ""
    warmup: list[float] = field(default_factory=list)
    """Latencies of the warm-up requests (not counted), e.g. a first request filling caches."""
    by_label: dict[str, list[float]] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code != 200)

    def quantile(self, q: int) -> float | None:
        return _quantile(self.latencies, q)

    def row(self) -> dict[str, Any]:
        def ms(value: float | None) -> float | None:
            return None if value is None else round(value * 1000, 1)

        return {
            "endpoint": self.name,
            "clients": self.clients,
            "requests": len(self.latencies),
            "errors": self.errors,
            "p50_ms": ms(self.quantile(50)),
            "p95_ms": ms(self.quantile(95)),
            "p99_ms": ms(self.quantile(99)),
            "rps": round(len(self.latencies) / self.seconds, 1) if self.seconds else None,
            "first_error": self.first_error,
            "warmup_max_ms": ms(max(self.warmup)) if self.warmup else None,
            "by_label": {
                label: {
                    "requests": len(times),
                    "p50_ms": ms(_quantile(times, 50)),
                    "p95_ms": ms(_quantile(times, 95)),
                }
                for label, times in sorted(self.by_label.items())
            },  # fmt: skip
        }


def _quantile(values: list[float], q: int) -> float | None:
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


DOSSIER_LEAST = 100
"""Dossiers are asked of groups with at least this many releases (1 in small runs)."""
SIZE_BUCKETS = (
    (100, "group of 1-99 releases"),
    (1_000, "group of 100-999 releases"),
    (10_000, "group of 1,000-9,999 releases"),
    (10**9, "group of 10,000+ releases"),
)


@dataclass
class Targets:
    """What the clients ask for: the group of the leaks list's group filter, and the groups
    whose dossiers are asked, each once (a dossier not yet computed at this data version,
    as on a server that keeps ingesting), in a fixed shuffled order."""

    leak_group: str
    dossiers: Iterator[tuple[str, int]]


def dossier_order(url: str, least: int) -> list[tuple[str, int]]:
    """Every group with at least ``least`` releases (name, releases), in a seeded order."""
    engine = create_engine(url if "://" in url else f"sqlite:///{url}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT min(group_name), count(*) FROM releases WHERE group_key IS NOT NULL "
                "GROUP BY group_key HAVING count(*) >= :least ORDER BY group_key"
            ), {"least": least}).all()  # fmt: skip
    finally:
        engine.dispose()
    order = [(str(name), int(n)) for name, n in rows]
    random.Random(10).shuffle(order)
    return order


class Scenario:
    """The requests one client makes, in order: leaks pages, dossiers or health checks."""

    def __init__(self, kind: str, targets: Targets, offset: int) -> None:
        self.kind, self.targets, self.step = kind, targets, offset

    async def run(self, client: httpx.AsyncClient, cell: Cell, until: float, record: bool) -> None:
        while time.monotonic() < until:
            self.step += 1
            if self.kind == "leaks":
                query = LEAK_FILTERS[self.step % len(LEAK_FILTERS)].format(
                    group=self.targets.leak_group
                )
                url: str | None = f"/api/v1/leaks?limit={PAGE_SIZE}" + (
                    f"&{query}" if query else ""
                )
                for page in range(PAGES_PER_FILTER):
                    if url is None or time.monotonic() >= until:
                        break
                    label = (query or "no filter") + (" (cursor pages)" if page else "")
                    body = await self._get(client, url, cell, record, label)
                    cursor = body.get("next_cursor") if isinstance(body, dict) else None
                    base = url.split("&cursor=")[0]
                    url = f"{base}&cursor={cursor}" if cursor else None
            elif self.kind == "dossier":
                name, size = next(self.targets.dossiers)
                label = next(f"{b}" for limit, b in SIZE_BUCKETS if size < limit)
                await self._get(client, f"/api/v1/groups/{name}", cell, record, label)
            else:
                await self._get(client, "/api/v1/health", cell, record, "health")

    async def _get(
        self, client: httpx.AsyncClient, url: str, cell: Cell, record: bool, label: str
    ) -> Any:
        started = time.perf_counter()
        try:
            response = await client.get(url)
            status, body = response.status_code, response.content
        except httpx.HTTPError as exc:
            status, body = 599, f"{type(exc).__name__}: {exc}".encode()
        elapsed = time.perf_counter() - started
        if not record:
            cell.warmup.append(elapsed)
        else:
            cell.latencies.append(elapsed)
            cell.by_label.setdefault(label, []).append(elapsed)
            cell.statuses[status] += 1
            if status != 200 and not cell.first_error:
                cell.first_error = f"{status} {url}: {body[:300].decode(errors='replace')}"
        return json.loads(body) if status == 200 else None


async def measure(
    base: str,
    token: str,
    kind: str,
    clients: int,
    seconds: float,
    warmup: float,
    targets: Targets,
    timeout: float = 900.0,
) -> Cell:
    """``clients`` concurrent clients, each with its own keep-alive connection (one shared
    pool of many connections costs httpx milliseconds of CPU per request at 50 clients)."""
    cell = Cell(kind, clients)
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    sessions = [
        httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=timeout)
        for _ in range(clients)
    ]
    try:
        users = list(
            zip((Scenario(kind, targets, n * 3) for n in range(clients)), sessions, strict=True)
        )
        if warmup > 0:
            until = time.monotonic() + warmup
            await asyncio.gather(*(u.run(s, cell, until, False) for u, s in users))
        started = time.monotonic()
        until = started + seconds
        await asyncio.gather(*(u.run(s, cell, until, True) for u, s in users))
        cell.seconds = time.monotonic() - started
    finally:
        for session in sessions:
            await session.aclose()
    return cell


# --- one backend -------------------------------------------------------------------------------


@dataclass
class Options:
    releases: int
    seed: int
    seconds: float
    warmup: float
    dossier_warmup: float
    clients: list[int]
    workers: list[int]
    rps_clients: int
    endpoints: list[str]
    slow_dossier: float
    timeout: float


def run_backend(backend: str, url: str, built: Built, opts: Options) -> dict[str, Any]:
    env = dict(os.environ, LEAKTRACE_DB=url, PYTHONPATH=str(ROOT))
    env.pop("LEAKTRACE_CONFIG", None)
    token = prepare(env)
    least = DOSSIER_LEAST if built.releases >= 100 * DOSSIER_LEAST else 1
    targets = Targets(next(iter(built.dossier_groups)), cycle(dossier_order(url, least)))
    cells: list[dict[str, Any]] = []
    throughput: list[dict[str, Any]] = []
    load_before = load_average()
    for workers in opts.workers:
        with server(env, workers) as base:
            if workers == opts.workers[0]:
                cells = _latency(backend, base, token, targets, workers, opts)
            cell = asyncio.run(
                measure(base, token, "leaks", opts.rps_clients, opts.seconds, opts.warmup, targets,
                        opts.timeout)
            )  # fmt: skip
            throughput.append({"workers": workers, **cell.row()})
            print(f"{backend}: leaks list, {workers} worker(s), {opts.rps_clients} clients: "
                  f"{cell.row()['rps']} req/s ({cell.errors} errors)", flush=True)  # fmt: skip
    return {
        "backend": backend,
        "built": built.as_dict(),
        "latency": cells,
        "throughput": throughput,
        "load_average_before": load_before,
        "load_average_after": load_average(),
    }


def _latency(
    backend: str, base: str, token: str, targets: Targets, workers: int, opts: Options
) -> list[dict[str, Any]]:
    """Every endpoint at every client count; a dossier slower than ``opts.slow_dossier`` for
    one client is not asked for by more."""
    cells: list[dict[str, Any]] = []
    for endpoint in opts.endpoints:
        warmup = opts.dossier_warmup if endpoint == "dossier" else opts.warmup
        single: float | None = None
        for clients in opts.clients:
            if endpoint == "dossier" and single and single > opts.slow_dossier:
                skipped = f"1 client: p50 {single:.1f} s"
                cells.append({"endpoint": endpoint, "clients": clients, "skipped": skipped})
                continue
            cell = asyncio.run(
                measure(base, token, endpoint, clients, opts.seconds, warmup, targets, opts.timeout)
            )
            if clients == 1:
                single = cell.quantile(50)
            cells.append({"workers": workers, **cell.row()})
            print(_cell_line(backend, cells[-1]), flush=True)
    return cells


def _cell_line(backend: str, row: dict[str, Any]) -> str:
    return (
        f"{backend}: {row['endpoint']} x{row['clients']}: {row['requests']} requests, "
        f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, p99 {row['p99_ms']} ms, "
        f"{row['errors']} errors, slowest warm-up {row['warmup_max_ms']} ms "
        f"{row['first_error'][:200]}"
    )


def sqlite_copy(releases: int, seed: int, cache: Path) -> tuple[str, Built]:
    cached, built = cached_sqlite(releases, seed, cache=cache)
    work = Path(tempfile.mkdtemp(prefix="leaktrace-bench-")) / "api.db"
    shutil.copyfile(cached, work)
    return str(work), built


# --- report ------------------------------------------------------------------------------------


def report(results: list[dict[str, Any]], opts: Options, pg_version: str | None) -> str:
    lines = [
        f"machine: {machine(pg_version)}",
        f"data: {opts.releases:,} releases (seed {opts.seed}); {opts.seconds:g} s per "
        f"measurement after {opts.warmup:g} s warm-up ({opts.dossier_warmup:g} s for "
        f"dossiers); leaks pages of {PAGE_SIZE}, "
        f"{len(LEAK_FILTERS)} filters, up to {PAGES_PER_FILTER} pages each",
    ]
    for result in results:
        built = result["built"]
        leak_group = next(iter(built["dossier_groups"]))
        sizes = ", ".join(f"{k} {v:,}" for k, v in built["dossier_groups"].items())
        dossiers = (
            f"every group of at least {DOSSIER_LEAST} releases (1 in small runs), each asked "
            f"once in a shuffled order; leaks filtered by group {leak_group} (group sizes: "
            f"{sizes})"
        )
        lines += [
            "",
            f"{result['backend']}: {built['releases']:,} releases, {built['leaks']:,} leaks "
            f"{built['leaks_by_severity']}, {built['groups']:,} groups, "
            f"{built['sightings']:,} sightings; dossiers of {dossiers}",
            f"load average before {result['load_average_before']}, "
            f"after {result['load_average_after']}",
            "",
            "| backend | endpoint | clients | requests | errors | p50 ms | p95 ms | p99 ms "
            "| req/s | slowest warm-up ms |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in result["latency"]:
            if "skipped" in row:
                lines.append(f"| {result['backend']} | {row['endpoint']} | {row['clients']} "
                             f"| not run: {row['skipped']} | | | | | | |")  # fmt: skip
                continue
            lines.append(
                f"| {result['backend']} | {row['endpoint']} | {row['clients']} | "
                f"{row['requests']} | {row['errors']} | {row['p50_ms']} | {row['p95_ms']} | "
                f"{row['p99_ms']} | {row['rps']} | {row['warmup_max_ms']} |"
            )
        lines += _by_label(result, "leaks", 10, "leaks list by filter")
        lines += _by_label(result, "dossier", 1, "dossier by group")
        lines += ["", "| backend | workers | clients | requests | errors | req/s (leaks list) |",
                  "|---|---|---|---|---|---|"]  # fmt: skip
        for row in result["throughput"]:
            lines.append(
                f"| {result['backend']} | {row['workers']} | {row['clients']} | "
                f"{row['requests']} | {row['errors']} | {row['rps']} |"
            )
    return "\n".join(lines)


def _by_label(result: dict[str, Any], endpoint: str, clients: int, title: str) -> list[str]:
    """An endpoint's figures per filter or group at ``clients`` (or the nearest below)."""
    cells = [r for r in result["latency"] if r["endpoint"] == endpoint and "skipped" not in r]
    if not cells:
        return []
    cell = min(cells, key=lambda r: (r["clients"] > clients, abs(clients - r["clients"])))
    lines = ["", f"{title}, {cell['clients']} clients:", "",
             "| request | requests | p50 ms | p95 ms |", "|---|---|---|---|"]  # fmt: skip
    for label, figures in cell["by_label"].items():
        lines.append(
            f"| `{label}` | {figures['requests']} | {figures['p50_ms']} | {figures['p95_ms']} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--dossier-warmup", type=float, help="(s) default: --warmup")
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--workers", default="1,2", help="server workers for req/s")
    parser.add_argument("--rps-clients", type=int, default=16)
    parser.add_argument("--endpoints", default="leaks,dossier", help="leaks, dossier, health")
    parser.add_argument("--slow-dossier", type=float, default=5.0,
                        help="skip more clients when one dossier takes longer (s)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=900.0, help="per request (s)")
    parser.add_argument("--quick", action="store_true", help="2,000 releases, short runs")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--cache", type=Path, default=CACHE, help="cached SQLite builds")
    args = parser.parse_args()
    if args.quick:
        args.releases, args.duration, args.warmup = 2000, 1.0, 0.2
        args.clients, args.rps_clients = "1,4", 4
        if args.backend == "both":
            args.backend = "sqlite"
    opts = Options(
        releases=args.releases,
        seed=args.seed,
        seconds=args.duration,
        warmup=args.warmup,
        dossier_warmup=args.warmup if args.dossier_warmup is None else args.dossier_warmup,
        clients=[int(c) for c in args.clients.split(",")],
        workers=[int(w) for w in args.workers.split(",")],
        rps_clients=args.rps_clients,
        endpoints=args.endpoints.split(","),
        slow_dossier=args.slow_dossier,
        timeout=args.timeout,
    )
    results: list[dict[str, Any]] = []
    pg_version: str | None = None
    if args.backend in ("sqlite", "both"):
        url, built = sqlite_copy(opts.releases, opts.seed, args.cache)
        try:
            results.append(run_backend("sqlite", url, built, opts))
        finally:
            shutil.rmtree(Path(url).parent, ignore_errors=True)
    if args.backend in ("postgresql", "both"):
        with postgres() as (admin, pg_version):
            url, built = postgres_copy(admin, opts.releases, opts.seed)
            results.append(run_backend("postgresql", url, built, opts))
    text = report(results, opts, pg_version)
    print("\n" + text)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(pg_version), "results": results}))


if __name__ == "__main__":
    main()
