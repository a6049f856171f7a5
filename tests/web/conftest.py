"""A real uvicorn serving the app on 127.0.0.1, and HTTP clients acting as given roles.

``live_server`` serves a fresh SQLite database; ``live_server_on(url)`` any database.
``server.client(role, agency=...)`` is an ``httpx.Client`` signed in as a user with that
role in that agency: a real user, made through the identity services, with a real API
token sent as ``Authorization: Bearer``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services import identity
from leaktrace.services.context import AppContext, build_context
from leaktrace.web.app import create_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    context: AppContext
    app: FastAPI
    clients: list[httpx.Client] = field(default_factory=list)
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    def client(self, role: str | None = "analyst", *, agency: str = "NL-POL") -> httpx.Client:
        """A client signed in as ``role`` of ``agency`` (None: not signed in), with a real
        API token (``Authorization: Bearer``) of the user ``<role>@<agency>.example``."""
        headers = {} if role is None else {"Authorization": f"Bearer {self.token(role, agency)}"}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30)
        self.clients.append(client)
        return client

    def token(self, role: str, agency: str = "NL-POL") -> str:
        """The API token of ``<role>@<agency>.example`` (agency and user made on first use)."""
        key = (role, agency)
        if key not in self.tokens:
            email = ensure_user(self.context, role, agency)
            self.tokens[key] = identity.create_token(self.context, local_operator(), email)
        return self.tokens[key]


def ensure_agency(context: AppContext, agency: str) -> None:
    """Agency ``agency`` (a police unit; country: the code's first two letters)."""
    operator = local_operator()
    if any(known.code == agency for known in identity.list_agencies(context, operator)):
        return
    country = agency[:2] if agency[:2].isalpha() else "NL"
    identity.add_agency(
        context, operator, code=agency, name=f"Test {agency}", country=country, kind="police"
    )


def ensure_user(context: AppContext, role: str, agency: str, *, password: str | None = None) -> str:
    """The user ``<role>@<agency>.example`` (made on first use); their e-mail."""
    ensure_agency(context, agency)
    email = f"{role}@{agency.lower()}.example"
    operator = local_operator()
    if not any(user.email == email for user in identity.list_users(context, operator)):
        identity.add_user(
            context, operator, email=email, agency=agency, role=role, password=password
        )
    return email


def serve(context: AppContext) -> Iterator[LiveServer]:
    app = create_app(context)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    live = LiveServer(url=f"http://127.0.0.1:{port}", context=context, app=app)
    try:
        yield live
    finally:
        for client in live.clients:
            client.close()
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def app_context(tmp_path: Path) -> Iterator[AppContext]:
    """A context over a fresh, migrated SQLite database."""
    with build_context(load_settings(db=str(tmp_path / "web.db"))) as context:
        yield context


@pytest.fixture
def live_server(app_context: AppContext) -> Iterator[LiveServer]:
    yield from serve(app_context)


@pytest.fixture
def live_server_on() -> Iterator[Callable[[str], LiveServer]]:
    """``live_server_on(url)``: a server over the database at ``url`` (migrated first)."""
    started: list[Iterator[LiveServer]] = []
    contexts: list[AppContext] = []

    def start(url: str) -> LiveServer:
        context = build_context(load_settings(db=url))
        contexts.append(context)
        runner = serve(context)
        started.append(runner)
        return next(runner)

    yield start
    for runner in started:
        for _ in runner:
            pass
    for context in contexts:
        context.close()


@dataclass
class ServeProcess:
    """A ``leaktrace serve`` subprocess (its own workers), stopped by :meth:`stop`."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def start_serve(db: str, log: Path, *, workers: int = 1) -> ServeProcess:
    """Run ``python -m leaktrace serve --db DB --workers N`` on a free port; return once
    it answers ``/api/v1/health`` (or fail with its log)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEAKTRACE_")}
    command = [sys.executable, "-m", "leaktrace", "serve", "--port", str(port)]
    command += ["--workers", str(workers), "--db", db]
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    served = ServeProcess(url=f"http://127.0.0.1:{port}", process=process, log=log)
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"leaktrace serve exited: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{served.url}/api/v1/health", timeout=2).status_code == 200:
                return served
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            served.stop()
            raise RuntimeError(f"leaktrace serve did not start: {log.read_text()[-3000:]}")
        time.sleep(0.2)
