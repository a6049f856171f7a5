"""Helpers for page tests: a browser-like client signed in with a password."""

from __future__ import annotations

import re

import httpx

from tests.web.conftest import LiveServer, ensure_user

PASSWORD = "correct horse battery staple"
_HIDDEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    """The CSRF token in the first hidden ``csrf_token`` field of a page."""
    found = _HIDDEN.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def signed_in(server: LiveServer, role: str = "analyst", agency: str = "NL-POL") -> httpx.Client:
    """A client that signed in through the login form (session cookie, like a browser)."""
    email = ensure_user(server.context, role, agency, password=PASSWORD)
    client = httpx.Client(base_url=server.url, timeout=30)
    server.clients.append(client)
    form = client.get("/login")
    assert form.status_code == 200
    answer = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(form.text), "next": "/"},
    )
    assert answer.status_code == 303, answer.text
    return client
