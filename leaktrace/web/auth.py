"""Who is asking: Bearer token, HTTP Basic (e-mail + token) or a session cookie.

:func:`authenticate` turns a request into an :class:`~leaktrace.identity.actor.Actor`
or raises :class:`~leaktrace.errors.AuthenticationError` (HTTP 401). A request signed in
by its session cookie that may change something (POST, PUT, PATCH, DELETE) must also
carry the session's CSRF token, in the ``X-CSRF-Token`` header or the ``csrf_token``
form field, else :class:`~leaktrace.errors.PermissionDeniedError` (HTTP 403).

Pages use :func:`optional_actor` (None when signed out: redirect to the login page),
:func:`set_session_cookie` / :func:`clear_session_cookie` after logging in or out, and
:func:`csrf_token_of` for the hidden field of their forms.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from leaktrace.config import Settings
from leaktrace.errors import AuthenticationError, PermissionDeniedError
from leaktrace.identity import tokens
from leaktrace.identity.actor import Actor
from leaktrace.services import sessions
from leaktrace.services.context import AppContext
from leaktrace.services.sessions import SessionGrant

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "authenticate",
    "clear_session_cookie",
    "client_address",
    "csrf_token_of",
    "optional_actor",
    "set_session_cookie",
]

SESSION_COOKIE = "leaktrace_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_SIMPLE_TYPES = (*_FORM_TYPES, "text/plain")
"""What a cross-site HTML form can send without a CORS preflight."""


def client_address(request: Request) -> str | None:
    """The client's address (behind a reverse proxy: as uvicorn's proxy headers set it)."""
    return request.client.host if request.client else None


def _context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


def _from_header(request: Request, header: str) -> Actor:
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    context, address = _context(request), client_address(request)
    if scheme.lower() == "bearer" and value:
        return sessions.authenticate_token(context, value, address)
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value.encode("ascii"), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeError, ValueError):
            raise AuthenticationError("malformed Basic credentials") from None
        email, colon, token = decoded.partition(":")
        if not colon or not email or not token:
            raise AuthenticationError("malformed Basic credentials")
        return sessions.authenticate_basic(context, email, token, address)
    raise AuthenticationError("unsupported Authorization scheme (use Bearer or Basic)")


def _actor_of(request: Request, form: Mapping[str, Any] | None) -> Actor:
    """The actor of ``request``; ``form`` is its parsed form, if it has one (CSRF)."""
    header = request.headers.get("authorization")
    if header:
        actor = _from_header(request, header)
        if actor.via == "basic" and _cross_site_capable(request):
            # a browser that cached Basic credentials sends them with any form another
            # site makes it post: a change signed by Basic must come as JSON (or another
            # type that needs a CORS preflight), as API and TAXII clients send it
            raise PermissionDeniedError(
                "a change signed with Basic credentials must send JSON, not a form",
                permission="csrf",
            )
        request.state.actor = actor
        request.state.csrf_token = None
        return actor
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise AuthenticationError("authentication required")
    actor, csrf = sessions.session_actor(_context(request), cookie, client_address(request))
    if request.method.upper() not in _SAFE_METHODS:
        given = request.headers.get(CSRF_HEADER)
        if given is None and form is not None:
            field = form.get(CSRF_FIELD)
            given = field if isinstance(field, str) else None
        if given is None or not tokens.same_secret(csrf, given):
            raise PermissionDeniedError("missing or wrong CSRF token", permission="csrf")
    request.state.actor = actor
    request.state.csrf_token = csrf
    return actor


def _cross_site_capable(request: Request) -> bool:
    """An unsafe request of a type an HTML form of another site could have sent."""
    if request.method.upper() in _SAFE_METHODS:
        return False
    content_type = request.headers.get("content-type", "").lower()
    return not content_type or content_type.startswith(_SIMPLE_TYPES)


def _wants_form(request: Request) -> bool:
    if request.method.upper() in _SAFE_METHODS or CSRF_HEADER.lower() in request.headers:
        return False
    if "authorization" in request.headers or SESSION_COOKIE not in request.cookies:
        return False
    content_type = request.headers.get("content-type", "").lower()
    return content_type.startswith(_FORM_TYPES)


async def authenticate(request: Request) -> Actor:
    """The actor behind ``request`` (401 without valid credentials; 403 on a cookie-signed
    change without the session's CSRF token). Sets ``request.state.actor`` and
    ``request.state.csrf_token`` for templates."""
    form: Mapping[str, Any] | None = None
    if _wants_form(request):
        form = await request.form()  # cached by Starlette: the route reads it again
    actor: Actor = await run_in_threadpool(_actor_of, request, form)
    return actor


def optional_actor(request: Request) -> Actor | None:
    """The signed-in actor, or None when the request carries no valid credentials (a page
    then redirects to ``/login``). Checks CSRF like :func:`authenticate` (from the header,
    or from the form if the route has already parsed it): raises PermissionDeniedError."""
    form = getattr(request, "_form", None)
    try:
        return _actor_of(request, form)
    except AuthenticationError:
        return None


def csrf_token_of(request: Request) -> str | None:
    """The CSRF token of the request's session (None when not signed in by cookie): put it
    in a hidden ``csrf_token`` field of every form. Call after :func:`optional_actor` or
    a ``requires(...)`` dependency (it reads ``request.state``)."""
    token = getattr(request.state, "csrf_token", None)
    return token if isinstance(token, str) else None


def _secure(request: Request, settings: Settings) -> bool:
    return settings.server.secure_cookies or request.url.scheme == "https"


def set_session_cookie(
    response: Response, grant: SessionGrant, request: Request, settings: Settings
) -> None:
    """Give the browser the session ``grant`` opened (HttpOnly, SameSite=Lax, Secure when
    ``server.secure_cookies`` is set or the request came over https)."""
    response.set_cookie(
        SESSION_COOKIE,
        grant.cookie,
        max_age=max(1, int((grant.expires_at - datetime.now(UTC)).total_seconds())),
        path="/",
        httponly=True,
        samesite="lax",
        secure=_secure(request, settings),
    )
    request.state.csrf_token = grant.csrf_token
    request.state.actor = grant.actor


def clear_session_cookie(response: Response) -> None:
    """Remove the session cookie from the browser (after :func:`sessions.logout`)."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
