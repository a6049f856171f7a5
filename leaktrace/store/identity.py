"""Agencies, users, API tokens, browser sessions and failed logins (the rate limit).

Functions take a :class:`~sqlalchemy.engine.Connection`; the services in
:mod:`leaktrace.services.identity` open the transactions. Tokens and session cookies are
looked up by their SHA-256 only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Row

from leaktrace.store.schema_access import (
    AGENCIES,
    API_TOKENS,
    LOGIN_ATTEMPTS,
    USERS,
    WEB_SESSIONS,
)

__all__ = [
    "AgencyRecord",
    "SessionRecord",
    "TokenRecord",
    "UserRecord",
    "add_failure",
    "agencies",
    "agency_by_code",
    "clear_failures",
    "delete_expired_sessions",
    "delete_session",
    "failures_since",
    "insert_agency",
    "insert_session",
    "insert_token",
    "insert_user",
    "revoke_token",
    "session_by_hash",
    "set_user_active",
    "token_by_hash",
    "token_by_id",
    "tokens_of",
    "touch_token",
    "user_by_email",
    "user_by_id",
    "users",
]


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    id: int
    code: str
    name: str
    country: str
    kind: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    email: str
    agency_id: int
    agency_code: str
    role: str
    password_hash: str | None
    active: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TokenRecord:
    id: int
    user_id: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: int
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


# -- agencies ---------------------------------------------------------------------------


def insert_agency(
    conn: Connection, *, code: str, name: str, country: str, kind: str, now: datetime
) -> int:
    return int(
        conn.execute(
            insert(AGENCIES)
            .values(code=code, name=name, country=country, kind=kind, created_at=now)
            .returning(AGENCIES.c.id)
        ).scalar_one()
    )


def agency_by_code(conn: Connection, code: str) -> AgencyRecord | None:
    row = conn.execute(select(AGENCIES).where(AGENCIES.c.code == code)).first()
    return AgencyRecord(**row._mapping) if row else None


def agencies(conn: Connection) -> list[AgencyRecord]:
    rows = conn.execute(select(AGENCIES).order_by(AGENCIES.c.code))
    return [AgencyRecord(**row._mapping) for row in rows]


# -- users ------------------------------------------------------------------------------

_USER_COLUMNS = (
    USERS.c.id,
    USERS.c.email,
    USERS.c.agency_id,
    AGENCIES.c.code.label("agency_code"),
    USERS.c.role,
    USERS.c.password_hash,
    USERS.c.active,
    USERS.c.created_at,
)


def _user_query() -> Any:
    return select(*_USER_COLUMNS).join(AGENCIES, AGENCIES.c.id == USERS.c.agency_id)


def _user(row: Row[Any] | None) -> UserRecord | None:
    if row is None:
        return None
    values = dict(row._mapping)
    values["active"] = bool(values["active"])
    return UserRecord(**values)


def insert_user(
    conn: Connection,
    *,
    email: str,
    agency_id: int,
    role: str,
    password_hash: str | None,
    now: datetime,
) -> int:
    return int(
        conn.execute(
            insert(USERS)
            .values(
                email=email,
                agency_id=agency_id,
                role=role,
                password_hash=password_hash,
                active=True,
                created_at=now,
            )
            .returning(USERS.c.id)
        ).scalar_one()
    )


def user_by_email(conn: Connection, email: str) -> UserRecord | None:
    return _user(conn.execute(_user_query().where(USERS.c.email == email)).first())


def user_by_id(conn: Connection, user_id: int) -> UserRecord | None:
    return _user(conn.execute(_user_query().where(USERS.c.id == user_id)).first())


def users(conn: Connection, *, agency_id: int | None = None) -> list[UserRecord]:
    """Every user (of ``agency_id`` when given), by agency then e-mail."""
    query = _user_query().order_by(AGENCIES.c.code, USERS.c.email)
    if agency_id is not None:
        query = query.where(USERS.c.agency_id == agency_id)
    return [user for row in conn.execute(query) if (user := _user(row)) is not None]


def set_user_active(conn: Connection, user_id: int, active: bool) -> None:
    conn.execute(update(USERS).where(USERS.c.id == user_id).values(active=active))


# -- API tokens -------------------------------------------------------------------------


def insert_token(
    conn: Connection,
    *,
    user_id: int,
    token_hash: str,
    now: datetime,
    expires_at: datetime | None,
) -> int:
    return int(
        conn.execute(
            insert(API_TOKENS)
            .values(user_id=user_id, token_hash=token_hash, created_at=now, expires_at=expires_at)
            .returning(API_TOKENS.c.id)
        ).scalar_one()
    )


def _token(row: Row[Any] | None) -> TokenRecord | None:
    if row is None:
        return None
    values = dict(row._mapping)
    values.pop("token_hash", None)
    return TokenRecord(**values)


def token_by_hash(conn: Connection, token_hash: str) -> TokenRecord | None:
    return _token(
        conn.execute(select(API_TOKENS).where(API_TOKENS.c.token_hash == token_hash)).first()
    )


def token_by_id(conn: Connection, token_id: int) -> TokenRecord | None:
    return _token(conn.execute(select(API_TOKENS).where(API_TOKENS.c.id == token_id)).first())


def tokens_of(conn: Connection, user_id: int) -> list[TokenRecord]:
    rows = conn.execute(
        select(API_TOKENS).where(API_TOKENS.c.user_id == user_id).order_by(API_TOKENS.c.id)
    )
    return [token for row in rows if (token := _token(row)) is not None]


def revoke_token(conn: Connection, token_id: int, now: datetime) -> None:
    conn.execute(
        update(API_TOKENS)
        .where(API_TOKENS.c.id == token_id, API_TOKENS.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def touch_token(conn: Connection, token_id: int, now: datetime) -> None:
    conn.execute(update(API_TOKENS).where(API_TOKENS.c.id == token_id).values(last_used_at=now))


# -- browser sessions -------------------------------------------------------------------


def insert_session(
    conn: Connection,
    *,
    session_hash: str,
    user_id: int,
    csrf_token: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(
        insert(WEB_SESSIONS).values(
            session_hash=session_hash,
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            expires_at=expires_at,
        )
    )


def session_by_hash(conn: Connection, session_hash: str) -> SessionRecord | None:
    row = conn.execute(
        select(
            WEB_SESSIONS.c.id,
            WEB_SESSIONS.c.user_id,
            WEB_SESSIONS.c.csrf_token,
            WEB_SESSIONS.c.created_at,
            WEB_SESSIONS.c.expires_at,
        ).where(WEB_SESSIONS.c.session_hash == session_hash)
    ).first()
    return SessionRecord(**row._mapping) if row else None


def delete_session(conn: Connection, session_hash: str) -> None:
    conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.session_hash == session_hash))


def delete_expired_sessions(conn: Connection, now: datetime) -> None:
    conn.execute(delete(WEB_SESSIONS).where(WEB_SESSIONS.c.expires_at <= now))


# -- failed logins ----------------------------------------------------------------------


def add_failure(conn: Connection, subject: str, at: datetime) -> None:
    conn.execute(insert(LOGIN_ATTEMPTS).values(subject=subject, at=at))


def failures_since(conn: Connection, subject: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failures ``subject`` had after ``since``, and the oldest of them."""
    row = conn.execute(
        select(func.count(), func.min(LOGIN_ATTEMPTS.c.at)).where(
            LOGIN_ATTEMPTS.c.subject == subject, LOGIN_ATTEMPTS.c.at > since
        )
    ).one()
    return int(row[0]), row[1]


def clear_failures(
    conn: Connection, subject: str | None, *, before: datetime | None = None
) -> None:
    """Forget failures: ``subject``'s (every subject's when None), all or those before
    ``before``."""
    query = delete(LOGIN_ATTEMPTS)
    if subject is not None:
        query = query.where(LOGIN_ATTEMPTS.c.subject == subject)
    if before is not None:
        query = query.where(LOGIN_ATTEMPTS.c.at <= before)
    conn.execute(query)
