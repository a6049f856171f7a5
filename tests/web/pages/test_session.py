"""Signing in and out through the pages, the login form's CSRF check, error pages."""

from __future__ import annotations

from tests.web.conftest import LiveServer, ensure_user
from tests.web.pages.conftest import PASSWORD, csrf_of, signed_in


def test_signed_out_page_redirects_to_login_with_next(live_server: LiveServer) -> None:
    answer = live_server.client(None).get("/leaks?severity=high")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=%2Fleaks%3Fseverity%3Dhigh"


def test_login_form_is_public_and_escapes_next(live_server: LiveServer) -> None:
    answer = live_server.client(None).get('/login?next=/leaks"><script>alert(1)</script>')
    assert answer.status_code == 200
    assert "<script>alert(1)" not in answer.text
    assert "&lt;script&gt;" in answer.text or "&#34;&gt;" in answer.text
    assert 'name="password"' in answer.text


def test_login_sets_session_and_nav_shows_user_and_agency(live_server: LiveServer) -> None:
    client = signed_in(live_server, "analyst", "NL-POL")
    cookie = client.cookies.get("leaktrace_session")
    assert cookie
    page = client.get("/api/docs")
    assert page.status_code == 200
    login_again = client.get("/login?next=/works", follow_redirects=False)
    assert login_again.status_code == 303
    assert login_again.headers["location"] == "/works"


def test_wrong_password_is_refused_with_the_form(live_server: LiveServer) -> None:
    email = ensure_user(live_server.context, "viewer", "NL-POL", password=PASSWORD)
    client = live_server.client(None)
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={"email": email, "password": "wrong", "csrf_token": csrf_of(form.text)},
    )
    assert answer.status_code == 401
    assert "Wrong e-mail or password" in answer.text
    assert "leaktrace_session" not in answer.cookies


def test_login_without_its_csrf_cookie_is_refused(live_server: LiveServer) -> None:
    email = ensure_user(live_server.context, "viewer", "NL-POL", password=PASSWORD)
    client = live_server.client(None)
    answer = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert answer.status_code == 403
    assert "leaktrace_session" not in answer.cookies


def test_login_never_redirects_to_another_site(live_server: LiveServer) -> None:
    email = ensure_user(live_server.context, "viewer", "NL-POL", password=PASSWORD)
    client = live_server.client(None)
    form = client.get("/login")
    answer = client.post(
        "/login",
        data={
            "email": email,
            "password": PASSWORD,
            "csrf_token": csrf_of(form.text),
            "next": "//evil.example/",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/"


def test_logout_needs_the_csrf_token_then_ends_the_session(live_server: LiveServer) -> None:
    client = signed_in(live_server)
    refused = client.post("/logout", data={})
    assert refused.status_code == 403
    assert "CSRF" in refused.text
    page = client.get("/api/docs")
    assert "analyst@nl-pol.example" in page.text
    answer = client.post("/logout", data={"csrf_token": csrf_of(page.text)})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert client.get("/leaks").status_code == 303  # the session is gone


def test_static_files_and_vendored_htmx_are_served(live_server: LiveServer) -> None:
    client = live_server.client(None)
    css = client.get("/static/leaktrace.css")
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]
    htmx = client.get("/static/vendor/htmx.org-2.0.11/htmx.min.js")
    assert htmx.status_code == 200
    assert 'version:"2.0.11"' in htmx.text


def test_api_docs_page_uses_the_vendored_swagger_ui(live_server: LiveServer) -> None:
    page = live_server.client(None).get("/api/docs")
    assert page.status_code == 200
    assert "/static/vendor/swagger-ui-dist-5.35.0/swagger-ui-bundle.js" in page.text
    assert "/api/v1/openapi.json" in page.text
    assert "cdn" not in page.text.lower()
    assert "<script>" not in page.text  # no inline script (Content-Security-Policy)


def test_too_many_wrong_passwords_are_refused_with_retry_after(live_server: LiveServer) -> None:
    email = ensure_user(live_server.context, "viewer", "NL-POL", password=PASSWORD)
    client = live_server.client(None)
    attempts = live_server.context.settings.server.login_attempts
    statuses = []
    for _ in range(attempts + 1):
        form = client.get("/login")
        answer = client.post(
            "/login", data={"email": email, "password": "wrong", "csrf_token": csrf_of(form.text)}
        )
        statuses.append(answer.status_code)
    assert statuses[:attempts] == [401] * attempts
    assert statuses[-1] == 429
    assert int(answer.headers["retry-after"]) > 0
    assert "Too many failed attempts" in answer.text
