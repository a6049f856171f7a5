"""A real uvicorn serving the app on 127.0.0.1, and HTTP clients acting as given roles.

``live_server`` serves a fresh SQLite database; ``live_server_on(url)`` any database.
``server.client(role, agency=...)`` is an ``httpx.Client`` signed in as a user with that
role in that agency.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request

from leaktrace.config import load_settings
from leaktrace.identity.actor import Actor, user_actor
from leaktrace.identity.roles import Role
from leaktrace.services.context import AppContext, build_context
from leaktrace.web.app import create_app
from leaktrace.web.auth import authenticate


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

    def client(self, role: str | None = "analyst", *, agency: str = "NL-POL") -> httpx.Client:
        """A client signed in as ``role`` of ``agency`` (None: not signed in)."""
        headers = {} if role is None else {"X-Test-Role": role, "X-Test-Agency": agency}
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30)
        self.clients.append(client)
        return client


def _test_actor(request: Request) -> Actor:
    # Until the real sign-in lands (issue 10, part 2), tests name their actor in headers.
    from leaktrace.errors import AuthenticationError

    role = request.headers.get("X-Test-Role")
    if role is None:
        raise AuthenticationError("authentication required")
    agency = request.headers.get("X-Test-Agency", "NL-POL")
    context: AppContext = request.app.state.context
    agency_id, user_id = _ensure_user(context, agency, role)
    return user_actor(
        email=f"{role}@{agency.lower()}.example",
        role=Role(role),
        user_id=user_id,
        agency_id=agency_id,
        agency_code=agency,
        address=request.client.host if request.client else None,
        via="token",
    )


def _ensure_user(context: AppContext, agency: str, role: str) -> tuple[int, int]:
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from leaktrace.store.schema_access import AGENCIES, USERS

    now = datetime.now(UTC)
    email = f"{role}@{agency.lower()}.example"
    with context.database.transaction() as conn:
        agency_id = conn.execute(select(AGENCIES.c.id).where(AGENCIES.c.code == agency)).scalar()
        if agency_id is None:
            agency_id = conn.execute(
                insert(AGENCIES)
                .values(code=agency, name=agency, country="NL", kind="police", created_at=now)
                .returning(AGENCIES.c.id)
            ).scalar_one()
        user_id = conn.execute(select(USERS.c.id).where(USERS.c.email == email)).scalar()
        if user_id is None:
            user_id = conn.execute(
                insert(USERS)
                .values(email=email, agency_id=agency_id, role=role, active=True, created_at=now)
                .returning(USERS.c.id)
            ).scalar_one()
    return int(agency_id), int(user_id)


def serve(context: AppContext) -> Iterator[LiveServer]:
    app = create_app(context)
    app.dependency_overrides[authenticate] = _test_actor
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
