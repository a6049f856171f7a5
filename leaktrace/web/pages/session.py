"""Pages: signing in (``/login``) and out (``POST /logout``).

The login form has its own CSRF protection (a signed-out browser has no session yet):
``GET /login`` sets a random ``leaktrace_login_csrf`` cookie (HttpOnly, SameSite=Strict)
and puts the same value in a hidden field; ``POST /login`` refuses a form whose field
does not match the cookie. The password check, the rate limit and the audit of every
login (and failed login) are the service's (:func:`leaktrace.services.sessions.login`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from leaktrace.errors import AuthenticationError, RateLimitedError
from leaktrace.identity import tokens
from leaktrace.services import sessions
from leaktrace.web.auth import (
    SESSION_COOKIE,
    clear_session_cookie,
    client_address,
    optional_actor,
    set_session_cookie,
)
from leaktrace.web.deps import Context
from leaktrace.web.policy import public
from leaktrace.web.rendering import render, safe_next

__all__ = ["LOGIN_CSRF_COOKIE", "router"]

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "leaktrace_login_csrf"
_MAX_FIELD = 1024


def _login_form(
    request: Request,
    *,
    next_page: str,
    email: str = "",
    problem: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    token = tokens.csrf_token()
    response = render(
        request,
        "login.html",
        title="Sign in",
        next_page=next_page,
        email=email,
        problem=problem,
        login_csrf=token,
        status=status,
        headers=headers,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


@router.get("/login", response_class=HTMLResponse, dependencies=[public()])
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form (a signed-in browser goes straight on to ``next``)."""
    target = safe_next(next)
    if optional_actor(request) is not None:
        return RedirectResponse(target, status_code=303)
    return _login_form(request, next_page=target)


@router.post("/login", response_class=HTMLResponse, dependencies=[public()])
def login(
    request: Request,
    ctx: Context,
    email: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    password: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    csrf_token: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
    next: Annotated[str, Form(max_length=_MAX_FIELD)] = "/",
) -> Response:
    """Check the password; on success set the session cookie and go on to ``next``."""
    target = safe_next(next)
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not csrf_token or not tokens.same_secret(expected, csrf_token):
        return _login_form(
            request,
            next_page=target,
            email=email,
            problem="The form expired; please sign in again.",
            status=403,
        )
    try:
        grant = sessions.login(ctx, email, password, client_address(request))
    except AuthenticationError:
        return _login_form(
            request,
            next_page=target,
            email=email,
            problem="Wrong e-mail or password.",
            status=401,
        )
    except RateLimitedError as exc:
        return _login_form(
            request,
            next_page=target,
            email=email,
            problem="Too many failed attempts; try again in a few minutes.",
            status=429,
            headers={"Retry-After": str(exc.retry_after)},
        )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, grant, request, ctx.settings)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout", dependencies=[public()])
def logout(
    request: Request,
    ctx: Context,
    csrf_token: Annotated[str, Form(max_length=_MAX_FIELD)] = "",
) -> Response:
    """End the browser session (the form carries the session's CSRF token) and show the
    sign-in page. Signed out already: straight to the sign-in page."""
    actor = optional_actor(request)  # checks the CSRF token of a signed-in session
    if actor is not None and actor.via == "session":  # a token caller has nothing to end
        sessions.logout(ctx, request.cookies.get(SESSION_COOKIE, ""), client_address(request))
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response
