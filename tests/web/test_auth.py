"""Signing in to the API and the pages: Bearer tokens, HTTP Basic, sessions with CSRF,
the login rate limit, and the audit entries they leave."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.identity import tokens
from leaktrace.identity.actor import local_operator
from leaktrace.services import identity, sessions
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext
from leaktrace.store import identity as store
from tests.web.conftest import LiveServer, ensure_user, serve

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


def _sign_in(server: LiveServer, email: str, password: str) -> tuple[httpx.Client, httpx.Response]:
    """A browser-like client that fills in the login page's form."""
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=30)
    server.clients.append(client)
    page = client.get("/login")
    assert page.status_code == 200
    field = re.search(r'name="csrf_token"\s+value="([^"]*)"', page.text)
    assert field is not None
    reply = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": field.group(1)}
    )
    return client, reply


def test_expired_and_revoked_tokens_are_401(live_server: LiveServer) -> None:
    email = ensure_user(live_server.context, "analyst", "NL-POL")
    operator = local_operator()
    token = identity.create_token(live_server.context, operator, email, expires_days=1)
    with httpx.Client(base_url=live_server.url) as client:
        bearer = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/me", headers=bearer).status_code == 200
        identity.revoke_token(live_server.context, operator, token)
        assert client.get("/api/v1/me", headers=bearer).status_code == 401
        expired = tokens.new_token()
        past = datetime.now(UTC) - timedelta(minutes=1)
        with live_server.context.database.transaction() as conn:
            user = store.user_by_email(conn, email)
            assert user is not None
            store.insert_token(
                conn, user_id=user.id, token_hash=tokens.digest(expired), now=past, expires_at=past
            )
        reply = client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
        assert reply.status_code == 401


def test_inactive_user_is_401(live_server: LiveServer) -> None:
    client = live_server.client("viewer")
    assert client.get("/api/v1/me").status_code == 200
    with live_server.context.database.transaction() as conn:
        user = store.user_by_email(conn, "viewer@nl-pol.example")
        assert user is not None
        store.set_user_active(conn, user.id, False)
    assert client.get("/api/v1/me").status_code == 401


def test_session_login_cookie_csrf_and_logout(live_server: LiveServer) -> None:
    email = ensure_user(live_server.context, "admin", "NL-POL", password=PASSWORD)
    client, reply = _sign_in(live_server, email, PASSWORD)
    assert reply.status_code == 303
    cookie = reply.headers["set-cookie"]
    assert "leaktrace_session=" in cookie and "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower() and "Secure" not in cookie  # plain http here
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.json()["via"] == "session"
    csrf = sessions.session_actor(live_server.context, client.cookies["leaktrace_session"], None)[1]
    new_user = {"email": "new@nl-pol.example", "role": "viewer"}
    # a change signed by the cookie alone is refused: no token, or a wrong one
    assert client.post("/api/v1/users", json=new_user).status_code == 403
    wrong = client.post("/api/v1/users", json=new_user, headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    good = client.post("/api/v1/users", json=new_user, headers={"X-CSRF-Token": csrf})
    assert good.status_code == 201 and good.json()["agency"] == "NL-POL"
    session_cookie = client.cookies["leaktrace_session"]
    out = client.post("/logout", data={"csrf_token": csrf})
    assert out.status_code == 303
    with httpx.Client(base_url=live_server.url) as stale:
        stale.cookies.set("leaktrace_session", session_cookie)
        assert stale.get("/api/v1/me").status_code == 401
    entries = identity_audit(live_server, email)
    assert ("login", "ok") in entries and ("logout", "ok") in entries


def identity_audit(server: LiveServer, email: str) -> list[tuple[str, str]]:
    page = list_audit(server.context, local_operator(), user=email)
    return [(entry.action, entry.outcome) for entry in page.items]


def test_secure_cookie_when_configured(app_context: AppContext) -> None:
    settings = app_context.settings.model_copy(
        update={"server": app_context.settings.server.model_copy(update={"secure_cookies": True})}
    )
    context = AppContext(
        settings=settings, database=app_context.database, services=app_context.services
    )
    for live in serve(context):
        email = ensure_user(context, "viewer", "NL-POL", password=PASSWORD)
        _, reply = _sign_in(live, email, PASSWORD)
        assert reply.status_code == 303
        assert "Secure" in reply.headers["set-cookie"]


def test_failed_logins_are_audited_then_rate_limited(live_server: LiveServer) -> None:
    email = ensure_user(live_server.context, "analyst", "NL-POL", password=PASSWORD)
    limit = live_server.context.settings.server.login_attempts
    for _ in range(limit):
        assert _sign_in(live_server, email, "not the password")[1].status_code == 401
    _, limited = _sign_in(live_server, email, PASSWORD)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    entries = identity_audit(live_server, email)
    assert entries.count(("login", "failed")) == limit
    assert ("login", "limited") in entries
    failed = list_audit(live_server.context, local_operator(), action="login").items[-1]
    assert failed.address == "127.0.0.1" and failed.agency == "NL-POL"


_HEADER_TEXT = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=0, max_size=120
)


@given(
    scheme=st.sampled_from(["Bearer", "Basic", "bearer", "BASIC", "Digest", ""]), rest=_HEADER_TEXT
)
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_any_authorization_header_is_401_not_500(
    live_server: LiveServer, scheme: str, rest: str
) -> None:
    value = f"{scheme} {rest}".strip()
    encoded = base64.b64encode(rest.encode()).decode()
    with httpx.Client(base_url=live_server.url) as client:
        for header in (value, f"Basic {encoded}".strip()):
            if not header:
                continue
            reply = client.get("/api/v1/me", headers={"Authorization": header})
            assert reply.status_code == 401, (header, reply.text)


def test_basic_signed_changes_must_not_be_forms(live_server: LiveServer) -> None:
    """A browser that cached Basic credentials would attach them to a form another site
    makes it post: such a change is refused; the same change as JSON is made."""
    token = live_server.token("admin")
    auth = _basic("admin@nl-pol.example", token)
    with httpx.Client(base_url=live_server.url) as client:
        form = client.post(
            "/api/v1/users", headers=auth, data={"email": "f@nl-pol.example", "role": "viewer"}
        )
        plain = client.post(
            "/api/v1/users",
            headers={**auth, "Content-Type": "text/plain"},
            content=b'{"email": "p@nl-pol.example", "role": "viewer"}',
        )
        as_json = client.post(
            "/api/v1/users", headers=auth, json={"email": "j@nl-pol.example", "role": "viewer"}
        )
    assert form.status_code == 403 and plain.status_code == 403
    assert as_json.status_code == 201, as_json.text
