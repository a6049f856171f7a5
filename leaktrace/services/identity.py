"""Agencies, users and API tokens: who may use a shared LeakTrace.

Adding an agency is the deployment operator's job (the command line, the local
operator). An agency's admin manages the users and tokens of their own agency only:
another agency's users and tokens answer "not found", exactly like missing ones.
Every change is written to the audit log. Signing in (tokens, passwords, sessions) is
:mod:`leaktrace.services.sessions`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Connection

from leaktrace.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from leaktrace.identity import tokens
from leaktrace.identity.actor import Actor
from leaktrace.identity.passwords import hash_password
from leaktrace.identity.roles import AgencyKind, Permission, Role
from leaktrace.services.audit import record
from leaktrace.services.context import AppContext
from leaktrace.services.views import View
from leaktrace.store import identity as store

__all__ = [
    "AgencyView",
    "TokenView",
    "UserView",
    "add_agency",
    "add_user",
    "create_token",
    "get_user",
    "list_agencies",
    "list_tokens",
    "list_users",
    "normal_email",
    "revoke_token",
    "revoke_token_id",
]

_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{1,31}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}")
MAX_TOKEN_DAYS = 3650
MAX_ID = 2**31 - 1
"""Row ids are 32-bit integers on PostgreSQL: a larger id cannot exist."""


class AgencyView(View):
    code: str
    name: str
    country: str
    kind: AgencyKind
    created_at: datetime


class UserView(View):
    id: int
    email: str
    agency: str
    role: Role
    active: bool
    has_password: bool
    created_at: datetime


class TokenView(View):
    id: int
    user: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


def normal_email(email: str) -> str:
    """``email`` trimmed and lower-cased; an InputError unless it looks like an address."""
    value = email.strip().lower()
    if len(value) > 320 or not _EMAIL.fullmatch(value):
        raise InputError(f"'{email[:80]}' is not an e-mail address", field="email")
    return value


def _agency_view(agency: store.AgencyRecord) -> AgencyView:
    return AgencyView(
        code=agency.code,
        name=agency.name,
        country=agency.country,
        kind=AgencyKind(agency.kind),
        created_at=agency.created_at,
    )


def _user_view(user: store.UserRecord) -> UserView:
    return UserView(
        id=user.id,
        email=user.email,
        agency=user.agency_code,
        role=Role(user.role),
        active=user.active,
        has_password=user.password_hash is not None,
        created_at=user.created_at,
    )


def _token_view(token: store.TokenRecord, email: str) -> TokenView:
    return TokenView(
        id=token.id,
        user=email,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


def _visible(actor: Actor, user: store.UserRecord | None, key: str) -> store.UserRecord:
    """``user`` if ``actor`` may manage it; otherwise "not found" (as if it did not exist)."""
    if user is None or not (actor.is_local or user.agency_id == actor.agency_id):
        raise NotFoundError(f"no user {key}", kind="user", key=key)
    return user


def add_agency(
    ctx: AppContext, actor: Actor, *, code: str, name: str, country: str, kind: str
) -> AgencyView:
    """Add an agency (the deployment operator only). ``code`` e.g. ``NL-POL``."""
    if not actor.is_local:
        raise PermissionDeniedError(
            "only the deployment's operator adds agencies (leaktrace agency add)",
            permission="operator",
        )
    code = code.strip().upper()
    if not _CODE.fullmatch(code):
        raise InputError(
            "an agency code is 2-32 letters, digits or '-' (e.g. NL-POL)", field="code"
        )
    country = country.strip().upper()
    if not _COUNTRY.fullmatch(country):
        raise InputError("a country is two letters (ISO 3166, e.g. NL)", field="country")
    if kind not in AgencyKind.__members__:
        raise InputError(f"a kind is one of {', '.join(AgencyKind)}", field="kind")
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("a name has 1-200 characters", field="name")
    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        if store.agency_by_code(conn, code) is not None:
            raise ConflictError(f"agency {code} exists already")
        store.insert_agency(conn, code=code, name=name, country=country, kind=kind, now=now)
        record(conn, actor, "agency.add", code, f"{name} ({country}, {kind})")
        agency = store.agency_by_code(conn, code)
    assert agency is not None
    return _agency_view(agency)


def list_agencies(ctx: AppContext, actor: Actor) -> list[AgencyView]:
    """Every agency taking part (their names are no secret to the other participants)."""
    actor.require(Permission.read_intel)
    with ctx.database.reading() as conn:
        return [_agency_view(agency) for agency in store.agencies(conn)]


def add_user(
    ctx: AppContext,
    actor: Actor,
    *,
    email: str,
    agency: str,
    role: str,
    password: str | None = None,
) -> UserView:
    """Add a user of ``agency`` with ``role`` (an admin: to their own agency only). Without
    a password the user signs in with API tokens only."""
    actor.require(Permission.manage_users)
    email = normal_email(email)
    if role not in Role.__members__:
        raise InputError(f"a role is one of {', '.join(Role)}", field="role")
    password_hash = hash_password(password) if password is not None else None
    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        found = store.agency_by_code(conn, agency.strip().upper())
        if found is None or not (actor.is_local or found.id == actor.agency_id):
            raise NotFoundError(f"no agency {agency}", kind="agency", key=agency)
        if store.user_by_email(conn, email) is not None:
            raise ConflictError(f"a user {email} exists already")
        user_id = store.insert_user(
            conn,
            email=email,
            agency_id=found.id,
            role=role,
            password_hash=password_hash,
            now=now,
        )
        record(conn, actor, "user.add", email, f"{found.code} {role}")
        user = store.user_by_id(conn, user_id)
    assert user is not None
    return _user_view(user)


def list_users(ctx: AppContext, actor: Actor) -> list[UserView]:
    """The users an actor manages: an admin their own agency's, the local operator all."""
    actor.require(Permission.manage_users)
    with ctx.database.reading() as conn:
        found = store.users(conn, agency_id=None if actor.is_local else actor.agency_id)
    return [_user_view(user) for user in found]


def get_user(ctx: AppContext, actor: Actor, user_id: int) -> UserView:
    """One user, by id (another agency's user is "not found")."""
    actor.require(Permission.manage_users)
    with ctx.database.reading() as conn:
        found = store.user_by_id(conn, user_id) if 0 < user_id <= MAX_ID else None
        user = _visible(actor, found, str(user_id))
    return _user_view(user)


def _user_of(conn: Connection, actor: Actor, email: str) -> store.UserRecord:
    key = normal_email(email)
    return _visible(actor, store.user_by_email(conn, key), key)


def create_token(
    ctx: AppContext, actor: Actor, email: str, *, expires_days: int | None = None
) -> str:
    """A new API token for ``email``'s user: returned once, only its SHA-256 is kept."""
    actor.require(Permission.manage_users)
    if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
        raise InputError(f"must be between 1 and {MAX_TOKEN_DAYS}", field="expires_days")
    token = tokens.new_token()
    now = datetime.now(UTC)
    expires = now + timedelta(days=expires_days) if expires_days is not None else None
    with ctx.database.transaction() as conn:
        user = _user_of(conn, actor, email)
        token_id = store.insert_token(
            conn, user_id=user.id, token_hash=tokens.digest(token), now=now, expires_at=expires
        )
        detail = f"expires {expires:%Y-%m-%d}" if expires else "no expiry"
        record(conn, actor, "token.create", f"{user.email} token {token_id}", detail)
    return token


def list_tokens(ctx: AppContext, actor: Actor, email: str) -> list[TokenView]:
    """``email``'s tokens (never the tokens themselves: they are not kept)."""
    actor.require(Permission.manage_users)
    with ctx.database.reading() as conn:
        user = _user_of(conn, actor, email)
        return [_token_view(token, user.email) for token in store.tokens_of(conn, user.id)]


def revoke_token(ctx: AppContext, actor: Actor, token: str) -> TokenView:
    """Revoke the token ``token`` (given in full). Revoking twice is harmless."""
    actor.require(Permission.manage_users)
    with ctx.database.reading() as conn:
        found = store.token_by_hash(conn, tokens.digest(token.strip()))
    if found is None:
        raise NotFoundError("no such token", kind="token")
    return revoke_token_id(ctx, actor, found.id)


def revoke_token_id(ctx: AppContext, actor: Actor, token_id: int) -> TokenView:
    """Revoke token ``token_id`` (another agency's token is "not found")."""
    actor.require(Permission.manage_users)
    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        token = store.token_by_id(conn, token_id) if 0 < token_id <= MAX_ID else None
        missing = NotFoundError(f"no token {token_id}", kind="token", key=str(token_id))
        if token is None:
            raise missing
        user = store.user_by_id(conn, token.user_id)
        if user is None or not (actor.is_local or user.agency_id == actor.agency_id):
            raise missing
        if token.revoked_at is None:
            store.revoke_token(conn, token.id, now)
            record(conn, actor, "token.revoke", f"{user.email} token {token.id}")
        revoked = store.token_by_id(conn, token.id)
    assert revoked is not None
    return _token_view(revoked, user.email)
