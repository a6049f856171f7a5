"""A shared deployment: ``leaktrace db upgrade`` on a fresh PostgreSQL database, then two
``leaktrace serve --workers 2`` processes on it. Tokens, sessions, the login rate limit
and the audit log are shared: what one server writes the other reads."""

from __future__ import annotations

import functools
import io
import re
import sys
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import Run, run
from tests.web.conftest import ServeProcess, start_serve

__all__ = ["run"]

PASSWORD = "correct horse battery"


def _leaktrace(run: Run, monkeypatch: pytest.MonkeyPatch, *args: str, stdin: str = "") -> str:
    """``leaktrace ARGS`` in-process through the entry point (the servers are processes)."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    done = run(*args)
    assert done.code == 0, done.err
    return done.out


def _login(server: ServeProcess, email: str, password: str) -> tuple[httpx.Client, int]:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)
    page = client.get("/login")
    field = re.search(r'name="csrf_token"\s+value="([^"]*)"', page.text)
    assert field is not None
    reply = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": field.group(1)}
    )
    return client, reply.status_code


def test_two_servers_share_one_postgres_database(
    postgres_database: str, tmp_path: Path, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = postgres_database
    cli = functools.partial(_leaktrace, run, monkeypatch)
    cli("db", "upgrade", "--db", db)
    cli("agency", "add", "NL-POL", "--name", "Politie", "--country", "NL",
        "--kind", "police", "--db", db)  # fmt: skip
    cli("user", "add", "boss@nl.example", "--agency", "NL-POL", "--role", "admin",
        "--password-stdin", "--db", db, stdin=PASSWORD + "\n")  # fmt: skip
    token = cli("token", "create", "boss@nl.example", "--db", db).strip()
    assert token.startswith("lt_")

    first = start_serve(db, tmp_path / "a.log", workers=2)
    try:
        second = start_serve(db, tmp_path / "b.log", workers=2)
        try:
            bearer = {"Authorization": f"Bearer {token}"}
            for server in (first, second):
                me = httpx.get(f"{server.url}/api/v1/me", headers=bearer, timeout=30)
                assert me.status_code == 200 and me.json()["email"] == "boss@nl.example"

            # a user added through one server is listed by the other
            made = httpx.post(
                f"{first.url}/api/v1/users",
                json={"email": "ana@nl.example", "role": "analyst"},
                headers=bearer,
                timeout=30,
            )
            assert made.status_code == 201
            listed = httpx.get(f"{second.url}/api/v1/users", headers=bearer, timeout=30)
            assert "ana@nl.example" in {user["email"] for user in listed.json()}

            # a session opened on one server is valid on the other; logging out ends it
            browser, status = _login(first, "boss@nl.example", PASSWORD)
            assert status == 303
            cookie = browser.cookies["leaktrace_session"]
            with httpx.Client(base_url=second.url, timeout=30) as other:
                other.cookies.set("leaktrace_session", cookie)
                assert other.get("/api/v1/me").json()["via"] == "session"
            browser.close()

            # failed logins count together, whichever server they reach
            limit = 5
            for n in range(limit):
                server = (first, second)[n % 2]
                client, status = _login(server, "ana@nl.example", "wrong password!")
                client.close()
                assert status == 401
            for server in (first, second):
                client, status = _login(server, "ana@nl.example", "wrong password!")
                client.close()
                assert status == 429

            # both servers' audit entries are in the one log
            audit = httpx.get(
                f"{second.url}/api/v1/audit", params={"limit": 100}, headers=bearer, timeout=30
            ).json()["items"]
            actions = [(e["action"], e["outcome"]) for e in audit]
            assert actions.count(("login", "failed")) == limit
            assert actions.count(("login", "limited")) == 2
            assert ("login", "ok") in actions and ("user.add", "ok") in actions
        finally:
            second.stop()
    finally:
        first.stop()
    for log in (tmp_path / "a.log", tmp_path / "b.log"):
        assert token not in log.read_text() and PASSWORD not in log.read_text()
