"""Signing in to the API and the pages: Bearer tokens, HTTP Basic, sessions with CSRF,
the login rate limit, and the audit entries they leave."""

from __future__ import annotations

import base64

import httpx

from leaktrace.identity.actor import local_operator
from leaktrace.services import identity
from tests.web.conftest import LiveServer, ensure_user

PASSWORD = "correct horse battery"


def _basic(email: str, token: str) -> dict[str, str]:
    raw = base64.b64encode(f"{email}:{token}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def test_bearer_token_signs_in(live_server: LiveServer) -> None:
    reply = live_server.client("analyst").get("/api/v1/me")
    assert reply.status_code == 200
    assert reply.json()["email"] == "analyst@nl-pol.example"
    assert reply.json()["agency"] == "NL-POL"
    assert reply.json()["via"] == "token"


def test_no_credentials_is_401(live_server: LiveServer) -> None:
    reply = live_server.client(None).get("/api/v1/me")
    assert reply.status_code == 401
    assert "Bearer" in reply.headers["WWW-Authenticate"]


def test_basic_with_email_and_token(live_server: LiveServer) -> None:
    token = live_server.token("viewer")
    with httpx.Client(base_url=live_server.url) as client:
        good = client.get("/api/v1/me", headers=_basic("Viewer@NL-POL.example", token))
        other = client.get("/api/v1/me", headers=_basic("analyst@nl-pol.example", token))
        garbage = client.get("/api/v1/me", headers={"Authorization": "Basic !!!"})
    assert good.status_code == 200 and good.json()["via"] == "basic"
    assert other.status_code == 401
    assert garbage.status_code == 401


def test_wrong_token_is_401(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url) as client:
        for value in ("Bearer lt_" + "x" * 43, "Bearer nope", "Token abc", "Bearer"):
            assert client.get("/api/v1/me", headers={"Authorization": value}).status_code == 401
