"""Signing in: API tokens (Bearer, or HTTP Basic with the e-mail as user name), passwords
with browser sessions, and the login rate limit.

Every failure is an :class:`AuthenticationError` that does not say which part was wrong
(unknown user, wrong secret, expired or revoked token and inactive user look the same).
Logins, failed logins and logouts are written to the audit log; a failed login names
the e-mail that was tried.

The rate limit counts failed logins per (e-mail, address) in ``login_attempts``, so
every server process of a deployment shares it. The row's subject is the SHA-256 of the
pair with a fixed application salt (the table needs no address in clear; the salt is no
secret, so this hides addresses from a casual reader of the table, not from someone
who guesses pairs).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leaktrace.errors import AuthenticationError, InputError, RateLimitedError
from leaktrace.identity import tokens
from leaktrace.identity.actor import Actor, user_actor
from leaktrace.identity.passwords import check_password
from leaktrace.identity.roles import Role
from leaktrace.services.audit import record
from leaktrace.services.context import AppContext
from leaktrace.services.identity import normal_email
from leaktrace.store import identity as store

__all__ = [
    "SessionGrant",
    "authenticate_basic",
    "authenticate_token",
    "login",
    "logout",
    "session_actor",
]

_SALT = b"leaktrace login attempts v1\x00"
_TOUCH_EVERY = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class SessionGrant:
    """A new browser session: the cookie value and CSRF token (secrets: never log them)."""

    cookie: str
    csrf_token: str
    expires_at: datetime
    actor: Actor


def _refused() -> AuthenticationError:
    return AuthenticationError("invalid or expired credentials")


def _actor(user: store.UserRecord, address: str | None, via: str) -> Actor:
    return user_actor(
        email=user.email,
        role=Role(user.role),
        user_id=user.id,
        agency_id=user.agency_id,
        agency_code=user.agency_code,
        address=address,
        via=via,
    )


def _token_user(
    ctx: AppContext, token: str, address: str | None, via: str, email: str | None = None
) -> Actor:
    token = token.strip()
    if not tokens.looks_like_token(token):
        raise _refused()
    now = datetime.now(UTC)
    with ctx.database.reading() as conn:
        found = store.token_by_hash(conn, tokens.digest(token))
        user = store.user_by_id(conn, found.user_id) if found else None
    if found is None or user is None or not user.active or found.revoked_at is not None:
        raise _refused()
    if found.expires_at is not None and found.expires_at <= now:
        raise _refused()
    if email is not None and email.strip().lower() != user.email:
        raise _refused()
    if found.last_used_at is None or now - found.last_used_at > _TOUCH_EVERY:
        with ctx.database.transaction() as conn:
            store.touch_token(conn, found.id, now)
    return _actor(user, address, via)


def authenticate_token(ctx: AppContext, token: str, address: str | None) -> Actor:
    """The user holding API token ``token`` (``Authorization: Bearer``)."""
    return _token_user(ctx, token, address, "token")


def authenticate_basic(ctx: AppContext, email: str, token: str, address: str | None) -> Actor:
    """HTTP Basic: ``email`` as user name, one of that user's API tokens as password."""
    return _token_user(ctx, token, address, "basic", email=email)


def _subject(email: str, address: str | None) -> str:
    text = f"{email}\x00{address or ''}".encode("utf-8", "replace")
    return hashlib.sha256(_SALT + text).hexdigest()


def _anonymous(name: str, agency: str | None, address: str | None) -> Actor:
    """Who the audit log names for a login that did not succeed."""
    return Actor(name=name, role=Role.viewer, agency_code=agency, address=address, via="session")


def login(ctx: AppContext, email: str, password: str, address: str | None) -> SessionGrant:
    """Check ``email``'s password and open a browser session.

    Raises :class:`RateLimitedError` after ``server.login_attempts`` failures of this
    e-mail from this address within ``server.login_window_minutes`` (until the oldest of
    them leaves the window), :class:`AuthenticationError` on a wrong e-mail or password.
    """
    server = ctx.settings.server
    tried = email.strip().lower()[:320]
    try:
        tried = normal_email(email)
    except InputError:
        pass
    subject = _subject(tried, address)
    now = datetime.now(UTC)
    window = timedelta(minutes=server.login_window_minutes)
    with ctx.database.reading() as conn:
        failures, oldest = store.failures_since(conn, subject, now - window)
        user = store.user_by_email(conn, tried)
    agency = user.agency_code if user else None
    if failures >= server.login_attempts:
        retry = int(((oldest or now) + window - now).total_seconds()) + 1
        with ctx.database.transaction() as conn:
            record(conn, _anonymous(tried, agency, address), "login", outcome="limited")
        raise RateLimitedError("too many failed logins; try again later", retry_after=max(1, retry))
    # the password is checked even for an unknown user (same work, same time)
    if not check_password(user.password_hash if user else None, password) or not (
        user and user.active
    ):
        with ctx.database.transaction() as conn:
            store.add_failure(conn, subject, now)
            store.clear_failures(conn, None, before=now - window)  # nobody's old ones
            record(conn, _anonymous(tried, agency, address), "login", outcome="failed")
        raise AuthenticationError("wrong e-mail or password")
    actor = _actor(user, address, "session")
    cookie, csrf = tokens.session_secret(), tokens.csrf_token()
    expires = now + timedelta(hours=server.session_hours)
    with ctx.database.transaction() as conn:
        store.clear_failures(conn, subject)
        store.delete_expired_sessions(conn, now)
        store.insert_session(
            conn,
            session_hash=tokens.digest(cookie),
            user_id=user.id,
            csrf_token=csrf,
            now=now,
            expires_at=expires,
        )
        record(conn, actor, "login")
    return SessionGrant(cookie=cookie, csrf_token=csrf, expires_at=expires, actor=actor)


def session_actor(ctx: AppContext, cookie: str, address: str | None) -> tuple[Actor, str]:
    """The user of the browser session ``cookie`` and the session's CSRF token."""
    if not cookie or len(cookie) > tokens.MAX_SECRET:
        raise _refused()
    now = datetime.now(UTC)
    with ctx.database.reading() as conn:
        session = store.session_by_hash(conn, tokens.digest(cookie))
        user = store.user_by_id(conn, session.user_id) if session else None
    if session is None or user is None or not user.active or session.expires_at <= now:
        raise _refused()
    return _actor(user, address, "session"), session.csrf_token


def logout(ctx: AppContext, cookie: str, address: str | None = None) -> None:
    """End the browser session ``cookie`` (an unknown or ended session: nothing to do)."""
    if not cookie or len(cookie) > tokens.MAX_SECRET:
        return
    session_hash = tokens.digest(cookie)
    with ctx.database.transaction() as conn:
        session = store.session_by_hash(conn, session_hash)
        user = store.user_by_id(conn, session.user_id) if session else None
        if session is None or user is None:
            return
        store.delete_session(conn, session_hash)
        record(conn, _actor(user, address, "session"), "logout")
