"""Action day live board under load: many SSE clients, steady status changes.

``--clients`` concurrent SSE clients (``GET /api/v1/operations/{id}/events``) follow one
operation while a writer makes ``--rate`` status changes per second for ``--seconds``;
every client records when each event arrives. Figures: latency from the moment the change
is sent (the API call, or the service call) to its delivery at every client, p50 / p95 /
p99 / max, and lost and duplicated events per client (compared with the outbox after the
run).

Scenarios (``--scenario``, repeatable; default all):

- ``sqlite``: one ``leaktrace serve`` process on SQLite; changes through the JSON API
  (``POST /api/v1/operations/{id}/targets/{target}/status``, as the coordinator).
- ``postgres``: two ``leaktrace serve`` processes on one PostgreSQL database (a new
  database, dropped after, on the benchmarks' server of ``bench/api_harness.py``, whose
  cluster is kept under /tmp), clients split across both; changes through the API of the
  first.
- ``kill-postgres``: as ``postgres``, and the second process is killed (SIGKILL) in the
  middle and restarted on its port; its clients reconnect with ``Last-Event-ID`` after
  the stream's ``retry`` (1 s), as EventSource does.
- ``kill-sqlite``: one process on SQLite killed in the middle and restarted; the changes
  are made through the services by a separate process writing to the same database (no
  server takes API calls while it is down).

The writer and the clients run in their own processes (clients in ``--client-procs``
processes, raw asyncio HTTP/1.1 connections), each client as its own user (a user may
hold 8 streams per server process); times are CLOCK_MONOTONIC, shared by the processes
of one machine.

    python bench/operation_live.py --seconds 10 --clients 50            # quick
    python bench/operation_live.py                                      # 200 clients, 60 s
    python bench/operation_live.py --scenario sqlite --scenario kill-sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from api_harness import free_port, postgres  # noqa: E402
from machine import describe  # noqa: E402

SCENARIOS = ("sqlite", "postgres", "kill-postgres", "kill-sqlite")
WRITERS = 4
"""Threads making the changes (each change is sent at its time even when one is slow)."""


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- servers --------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    db: str
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        """Start the process; seconds until it answered /api/v1/health."""
        began = time.monotonic()
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEAKTRACE_")}
        command = [sys.executable, "-m", "leaktrace", "serve", "--port", str(self.port)]
        command += ["--db", self.db]
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=ROOT
            )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise SystemExit(f"leaktrace serve exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=2).status_code == 200:
                    return time.monotonic() - began
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"leaktrace serve did not start: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()  # open streams keep a graceful shutdown waiting
            self.process.wait(timeout=30)


@contextmanager
def postgres_database(name: str) -> Iterator[tuple[str, str]]:
    """A new database ``name`` on the benchmarks' PostgreSQL server on 127.0.0.1
    (:func:`api_harness.postgres`: its cluster kept under /tmp), dropped after: (database
    URL, server version)."""
    import psycopg

    with postgres() as (admin, version):
        plain = admin.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{admin}/{name}", version
        finally:
            with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# --- the world ------------------------------------------------------------------------


@dataclass(frozen=True)
class Setup:
    db: str
    operation_id: int
    moves: list[tuple[int, str]]
    head: int
    writer_token: str
    reader_tokens: list[str]


READERS = (("analyst", "DE-BKA"), ("viewer", "DE-BKA"), ("viewer", "BE-FOD"))
"""The roles of the clients' users, in turn."""


def prepare(db: str, changes: int, clients: int) -> Setup:
    """The operation, the coordinator's token for the writer and one user (and token) per
    client: a user may hold 8 streams per server process (``MAX_STREAMS_PER_USER``)."""
    from leaktrace.config import load_settings
    from leaktrace.identity.actor import local_operator
    from leaktrace.services import identity
    from leaktrace.services.context import build_context
    from leaktrace.services.operation_events import events_after
    from tests.services.operation_live_world import WALK, make_world
    from tests.web.conftest import ensure_user

    targets = max(changes // len(WALK) + 1, 30)
    started = time.monotonic()
    with build_context(load_settings(db=db)) as ctx:
        world = make_world(ctx, targets=targets)
        operator = local_operator()
        writer = identity.create_token(ctx, operator, ensure_user(ctx, "analyst", "NL-POL"))
        readers = []
        for index in range(clients):
            role, agency = READERS[index % len(READERS)]
            email = f"{role}{index}@{agency.lower()}.example"
            identity.add_user(ctx, operator, email=email, agency=agency, role=role)
            readers.append(identity.create_token(ctx, operator, email))
        head = 0
        while True:
            found = events_after(ctx, operator, world.operation_id, after=head)
            if not found:
                break
            head = found[-1].id
    print(f"  set up: operation of {targets} targets in {time.monotonic() - started:.1f} s")
    # every target to go, then every one on: a target's next move comes a round later, so
    # changes made at once (a slow call does not hold up the next) never race on a target
    moves = [(t, status) for status in WALK for t in world.target_ids][:changes]
    return Setup(db, world.operation_id, moves, head, writer, readers)


# --- the writer (its own process) ------------------------------------------------------


def writer_main(setup: Setup, url: str | None, rate: float, start_at: float, out: Any) -> None:
    """Make the moves at ``rate`` per second from ``start_at`` (monotonic): through the API
    at ``url``, or through the services when ``url`` is None. Sends a list of (target,
    status, sent, answered, ok) to ``out``."""
    if url is not None:
        client = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {setup.writer_token}"}, timeout=30
        )
        path = f"/api/v1/operations/{setup.operation_id}/targets/{{}}/status"

        def change(target: int, status: str) -> bool:
            answer = client.post(path.format(target), json={"status": status})
            return answer.status_code == 200

    else:
        from leaktrace.config import load_settings
        from leaktrace.identity.actor import local_operator
        from leaktrace.services.context import build_context
        from leaktrace.services.operation_changes import change_status

        ctx = build_context(load_settings(db=setup.db), migrate=False)
        operator = local_operator()

        def change(target: int, status: str) -> bool:
            change_status(ctx, operator, setup.operation_id, target, status)
            return True

    def timed(target: int, status: str) -> tuple[int, str, float, float, bool]:
        sent = time.monotonic()
        try:
            ok = change(target, status)
        except Exception:  # noqa: BLE001 - counted as a failed change
            ok = False
        return target, status, sent, time.monotonic(), ok

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:  # on schedule when a call is slow
        futures = []
        for index, (target, status) in enumerate(setup.moves):
            pause = start_at + index / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            futures.append(pool.submit(timed, target, status))
        records = [f.result() for f in futures]
    out.send(records)
    out.close()


# --- the clients (in their own processes) ----------------------------------------------


async def sse_client(
    host: str,
    port: int,
    path: str,
    token: str,
    after: int,
    arrivals: list[tuple[int, float]],
    stats: Counter[str],
    stop: asyncio.Event,
) -> None:
    """One EventSource-like client: reads ``id:`` lines, reconnects after the stream's
    ``retry`` with ``Last-Event-ID`` when the connection ends."""
    last = after
    retry = 1.0
    first = True
    while not stop.is_set():
        writer = None
        try:
            reader, writer = await asyncio.open_connection(host, port)
            resume = f"?after={after}" if first else ""
            head = f"Last-Event-ID: {last}\r\n" if not first else ""
            writer.write(
                (
                    f"GET {path}{resume} HTTP/1.1\r\nHost: {host}:{port}\r\n"
                    f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n{head}\r\n"
                ).encode()
            )
            await writer.drain()
            status = await reader.readline()
            if b" 200 " not in status:
                stats["refused"] += 1
                raise ConnectionError(status.decode(errors="replace").strip())
            stats["connected"] += 1
            first = False
            while not stop.is_set():
                line = await reader.readline()
                if not line:
                    raise ConnectionError("closed")
                if line.startswith(b"id: "):
                    event_id = int(line[4:])
                    arrivals.append((event_id, time.monotonic()))
                    last = event_id
                elif line.startswith(b"retry: "):
                    retry = int(line[7:]) / 1000
        except (OSError, ConnectionError, ValueError, asyncio.IncompleteReadError):
            if stop.is_set():
                break
            stats["reconnects"] += 1
            await asyncio.sleep(retry)
        finally:
            if writer is not None:
                writer.close()


def clients_main(
    servers: list[str], count: int, first_index: int, setup: Setup, finished: Any, out: Any
) -> None:
    """``count`` clients (client ``i`` on ``servers[i % len]``) until ``finished`` is set."""

    async def run() -> tuple[list[list[tuple[int, float]]], Counter[str]]:
        stop = asyncio.Event()
        stats: Counter[str] = Counter()
        arrivals: list[list[tuple[int, float]]] = [[] for _ in range(count)]
        path = f"/api/v1/operations/{setup.operation_id}/events"
        tasks = []
        for i in range(count):
            index = first_index + i
            url = servers[index % len(servers)]
            host, port = url.removeprefix("http://").split(":")
            token = setup.reader_tokens[index % len(setup.reader_tokens)]
            tasks.append(
                asyncio.create_task(
                    sse_client(host, int(port), path, token, setup.head, arrivals[i], stats, stop)
                )
            )
        while not finished.is_set():
            await asyncio.sleep(0.1)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return arrivals, stats

    arrivals, stats = asyncio.run(run())
    out.send((arrivals, dict(stats)))
    out.close()


# --- a run ----------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def event_ids(db: str, operation_id: int, after: int) -> dict[tuple[int, str], int]:
    from leaktrace.config import load_settings
    from leaktrace.identity.actor import local_operator
    from leaktrace.services.context import build_context
    from leaktrace.services.operation_events import events_after

    out: dict[tuple[int, str], int] = {}
    with build_context(load_settings(db=db), migrate=False) as ctx:
        while True:
            found = events_after(ctx, local_operator(), operation_id, after=after)
            if not found:
                return out
            for event in found:
                if event.type == "status" and event.target_id is not None and event.status:
                    out[(event.target_id, event.status)] = event.id
            after = found[-1].id


def run_scenario(name: str, args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    print(f"\n== {name}: {args.clients} clients, {args.rate:g} changes/s, {args.seconds:g} s")
    changes = int(args.rate * args.seconds)
    work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=folder))
    with database(name, work) as (db, label):
        from leaktrace.config import load_settings
        from leaktrace.services.context import build_context  # migrate once, here

        build_context(load_settings(db=db)).close()
        setup = prepare(db, changes, args.clients)
        two = name in ("postgres", "kill-postgres")
        servers = [Server(free_port(), db, work / f"server{i}.log") for i in range(2 if two else 1)]
        try:
            for server in servers:
                print(f"  leaktrace serve on port {server.port} up in {server.start():.1f} s")
            result = measure(name, args, setup, servers, label)
        finally:
            for server in servers:
                server.stop()
    return result


@contextmanager
def database(name: str, work: Path) -> Iterator[tuple[str, str]]:
    if "postgres" in name:
        with postgres_database(f"live_bench_{os.getpid()}") as (url, version):
            yield url, f"PostgreSQL {version}"
    else:
        yield str(work / "live.db"), "SQLite"


def measure(
    name: str, args: argparse.Namespace, setup: Setup, servers: list[Server], label: str
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    urls = [s.url for s in servers]
    connect_time = max(3.0, args.clients / 40)
    start_at = time.monotonic() + connect_time
    write_seconds = len(setup.moves) / args.rate
    finished = ctx.Event()
    per = [args.clients // args.client_procs] * args.client_procs
    per[-1] += args.clients - sum(per)
    pipes, procs = [], []
    first = 0
    for count in per:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=clients_main, args=(urls, count, first, setup, finished, send))
        proc.start()
        pipes.append(receive)
        procs.append(proc)
        first += count
    via_api = name != "kill-sqlite"
    w_receive, w_send = ctx.Pipe(duplex=False)
    writer = ctx.Process(
        target=writer_main, args=(setup, urls[0] if via_api else None, args.rate, start_at, w_send)
    )
    writer.start()
    killed: dict[str, float] = {}
    cpu_before = {s.process.pid: cpu_seconds(s.process.pid) for s in servers if s.process}
    began = time.monotonic()
    if name.startswith("kill"):
        victim = servers[-1]
        time.sleep(max(0.0, start_at + write_seconds / 2 - time.monotonic()))
        down = time.monotonic()
        victim.kill()
        victim.start()  # same port: its clients reconnect with Last-Event-ID
        killed = {"killed_at_s": down - start_at, "down_s": time.monotonic() - down}
        print(
            f"  killed server on port {victim.port} at +{killed['killed_at_s']:.1f} s, "
            f"back after {killed['down_s']:.1f} s"
        )
    records = w_receive.recv()
    writer.join()
    writing_took = max((r[3] for r in records), default=start_at) - start_at
    spent = time.monotonic() - began
    server_cpu = [  # None: restarted in the run
        round((cpu_seconds(s.process.pid) - cpu_before[s.process.pid]) / spent * 100)
        if s.process and s.process.pid in cpu_before
        else None
        for s in servers
    ]
    time.sleep(args.grace)
    finished.set()
    gathered = [pipe.recv() for pipe in pipes]
    for proc in procs:
        proc.join()
    failed = sum(1 for r in records if not r[4])
    ids = event_ids(setup.db, setup.operation_id, setup.head)
    sent_at = {ids[(t, s)]: sent for t, s, sent, _, ok in records if ok and (t, s) in ids}
    answered_at = {ids[(t, s)]: done for t, s, _, done, ok in records if ok and (t, s) in ids}
    from_answer: list[float] = []
    expected = set(sent_at)
    latencies: list[float] = []
    lost = duplicated = 0
    clients_with_loss = 0
    stats: Counter[str] = Counter()
    by_server: list[list[float]] = [[] for _ in servers]
    index = -1
    for arrivals_of_proc, proc_stats in gathered:
        stats.update(proc_stats)
        for arrivals in arrivals_of_proc:
            index += 1
            seen = Counter(event_id for event_id, _ in arrivals)
            duplicated += sum(n - 1 for n in seen.values() if n > 1)
            missing = expected - set(seen)
            lost += len(missing)
            clients_with_loss += bool(missing)
            order_ok = [e for e, _ in arrivals] == sorted(set(e for e, _ in arrivals))
            if not order_ok:
                stats["out_of_order_clients"] += 1
            first_seen: dict[int, float] = {}
            for event_id, at in arrivals:
                first_seen.setdefault(event_id, at)
            mine = [(first_seen[e] - sent_at[e]) * 1000 for e in expected if e in first_seen]
            latencies += mine
            from_answer += [
                (first_seen[e] - answered_at[e]) * 1000 for e in expected if e in first_seen
            ]
            by_server[index % len(servers)] += mine
    answered = [(r[3] - r[2]) * 1000 for r in records if r[4]]
    result = {
        "scenario": name,
        "database": label,
        "servers": len(servers),
        "clients": args.clients,
        "rate": args.rate,
        "seconds": args.seconds,
        "changes": len(records),
        "failed_changes": failed,
        "events": len(expected),
        "deliveries": len(latencies),
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "p99_ms": percentile(latencies, 99),
        "max_ms": max(latencies) if latencies else float("nan"),
        "lost": lost,
        "clients_with_loss": clients_with_loss,
        "duplicated": duplicated,
        "writes_p50_ms": percentile(answered, 50),
        "writes_p99_ms": percentile(answered, 99),
        "writer": "JSON API" if via_api else "services, separate process",
        "writing_s": round(writing_took, 1),
        "per_server_p50_p99_ms": [
            (round(percentile(v, 50), 1), round(percentile(v, 99), 1)) for v in by_server
        ],
        "load_average": os.getloadavg(),
        "server_cpu_percent": server_cpu,
        "from_answer_p50_p99_ms": (
            round(percentile(from_answer, 50), 1),
            round(percentile(from_answer, 99), 1),
        ),
        **killed,
        **{k: int(v) for k, v in stats.items()},
    }
    print(
        f"  {result['changes']} changes ({failed} failed) via {result['writer']}; "
        f"{result['deliveries']} deliveries to {args.clients} clients; "
        f"the changes took {writing_took:.1f} s\n"
        f"  latency ms: p50 {result['p50_ms']:.1f}  p95 {result['p95_ms']:.1f}  "
        f"p99 {result['p99_ms']:.1f}  max {result['max_ms']:.1f}\n"
        f"  lost {lost} (clients with loss {clients_with_loss}), duplicated {duplicated}; "
        f"change call p50 {result['writes_p50_ms']:.1f} ms p99 {result['writes_p99_ms']:.1f} ms; "
        f"connections {stats['connected']}, reconnects {stats['reconnects']}, "
        f"refused {stats['refused']}, out-of-order clients {stats['out_of_order_clients']}\n"
        f"  per server (p50, p99 ms): {result['per_server_p50_p99_ms']}; "
        f"load average {' '.join(f'{x:.1f}' for x in result['load_average'])}; "
        f"server CPU % of one core {server_cpu}\n"
        f"  latency from the change call's answer (p50, p99 ms): {result['from_answer_p50_p99_ms']}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenario", action="append", choices=SCENARIOS)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="status changes per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--client-procs", type=int, default=2, help="processes for the clients")
    parser.add_argument("--grace", type=float, default=3.0, help="seconds to wait after")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    print(f"machine: {describe()}")
    folder = Path(tempfile.mkdtemp(prefix="leaktrace-live-bench-"))
    os.environ["XDG_CONFIG_HOME"] = str(folder / "xdg")  # the evidence key of this run only
    results = []
    try:
        for name in args.scenario or SCENARIOS:
            results.append(run_scenario(name, args, folder))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
