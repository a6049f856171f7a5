"""The parts of the web API benchmark around the load: the machine's description, a
PostgreSQL server on 127.0.0.1 (its cluster kept under /tmp for reruns), the ``leaktrace``
command line, and ``leaktrace serve`` as a real process."""

from __future__ import annotations

import json
import os
import platform
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api_service_data import VERSION, Built, build  # noqa: E402
from machine import cpu_model  # noqa: E402

PG_HOME = Path(tempfile.gettempdir()) / "leaktrace-bench-pg"


# --- the machine ---------------------------------------------------------------------------


def machine(pg_version: str | None) -> str:
    memory = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024**2:.0f} GiB"
    except OSError:
        pass
    parts = [
        f"{os.cpu_count()} cores ({cpu_model()})",
        f"{memory} RAM",
        f"Python {platform.python_version()}",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if pg_version:
        parts.append(f"PostgreSQL {pg_version}")
    return ", ".join(parts)


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min), {five:.1f} (5 min)"


# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_binary(name: str) -> str | None:
    import glob

    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def postgres() -> Iterator[tuple[str, str]]:
    """A PostgreSQL server on 127.0.0.1 (its cluster kept under /tmp for reruns): yields
    the admin URL prefix (no database) and the server version."""
    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise SystemExit("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "postgres", "--"] if as_root else []
    data = PG_HOME / "data"
    PG_HOME.mkdir(exist_ok=True)
    if as_root:
        shutil.chown(PG_HOME, "postgres")
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run(
            [*prefix, initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"],
            check=True,
            capture_output=True,
        )
    port = free_port()
    options = f"-h 127.0.0.1 -p {port} -k {PG_HOME} -c max_connections=200"
    subprocess.run(
        [
            *prefix,
            pg_ctl,
            "-D",
            str(data),
            "-l",
            str(PG_HOME / "log"),
            "-w",
            "-o",
            options,
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres") as conn:
            version = str(conn.execute("SHOW server_version").fetchone()[0])  # type: ignore[index]
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}", version
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "fast", "stop"], capture_output=True
        )


def postgres_copy(admin: str, releases: int, seed: int) -> tuple[str, Built]:
    """A fresh database copied from the cached build of ``releases`` (built if missing)."""
    import psycopg

    plain = admin.replace("postgresql+psycopg://", "postgresql://")
    name = f"bench_{releases}_s{seed}_v{VERSION}"
    with psycopg.connect(f"{plain}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        meta = PG_HOME / f"{name}.json"
        if not exists or not meta.exists():
            conn.execute(f'DROP DATABASE IF EXISTS "{name}_building"')
            conn.execute(f'CREATE DATABASE "{name}_building"')
            print(f"building {name} on PostgreSQL ...", flush=True)
            built = build(f"{admin}/{name}_building", releases, seed)
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'ALTER DATABASE "{name}_building" RENAME TO "{name}"')
            meta.write_text(json.dumps(built.as_dict()))
        built = Built(**json.loads(meta.read_text()))
        conn.execute('DROP DATABASE IF EXISTS "bench_run" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "bench_run" TEMPLATE "{name}"')
    return f"{admin}/bench_run", built


# --- the command line and the server -------------------------------------------------------


def leaktrace(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "leaktrace", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
    )
    if done.returncode != 0:
        raise SystemExit(f"leaktrace {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def prepare(env: dict[str, str]) -> str:
    """Migrate the copy, create an agency, a user and a token: return the token."""
    leaktrace(env, "db", "upgrade")
    leaktrace(env, "agency", "add", "BENCH", "--name", "Benchmark unit", "--country", "NL",
              "--kind", "police")  # fmt: skip
    leaktrace(env, "user", "add", "bench@bench.example", "--agency", "BENCH", "--role", "analyst")
    token = leaktrace(env, "token", "create", "bench@bench.example").strip()
    if not token or len(token.split()) != 1:
        raise SystemExit(f"token create printed {token!r}, not one token")
    return token


@contextmanager
def server(env: dict[str, str], workers: int) -> Iterator[str]:
    """``leaktrace serve`` on a free port of 127.0.0.1: yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "leaktrace", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", str(workers)]  # fmt: skip
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, env=env, stdout=log, stderr=log, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                log.seek(0)
                raise SystemExit(f"leaktrace serve exited:\n{log.read().decode()[-3000:]}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("leaktrace serve did not answer /api/v1/health in 120 s")
            time.sleep(0.2)
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()
