"""Agencies, users and tokens; signing in with tokens and passwords; the login rate limit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from leaktrace.config import load_settings
from leaktrace.errors import (
    AuthenticationError,
    ConflictError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
)
from leaktrace.identity import tokens
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services import identity, sessions
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext, build_context
from leaktrace.store import identity as store

PASSWORD = "correct horse battery"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    settings = load_settings(db=str(tmp_path / "id.db"))
    with build_context(settings) as context:
        operator = local_operator()
        for code, country in (("NL-POL", "NL"), ("DE-BKA", "DE")):
            identity.add_agency(
                context, operator, code=code, name=code, country=country, kind="police"
            )
        for email, agency, role in (
            ("admin@nl.example", "NL-POL", "admin"),
            ("ana@nl.example", "NL-POL", "analyst"),
            ("admin@de.example", "DE-BKA", "admin"),
            ("ana@de.example", "DE-BKA", "analyst"),
        ):
            identity.add_user(
                context, operator, email=email, agency=agency, role=role, password=PASSWORD
            )
        yield context


def _as(ctx: AppContext, email: str) -> Actor:
    return sessions.authenticate_token(
        ctx, identity.create_token(ctx, local_operator(), email), "10.0.0.1"
    )


def test_agency_validation_and_conflict(ctx: AppContext) -> None:
    operator = local_operator()
    with pytest.raises(ConflictError):
        identity.add_agency(ctx, operator, code="nl-pol", name="x", country="NL", kind="police")
    with pytest.raises(InputError) as bad_kind:
        identity.add_agency(ctx, operator, code="EU-X", name="x", country="EU", kind="army")
    assert bad_kind.value.field == "kind"
    with pytest.raises(InputError):
        identity.add_agency(ctx, operator, code="EU X!", name="x", country="EU", kind="europol")
    with pytest.raises(InputError):
        identity.add_agency(ctx, operator, code="EU-X", name="x", country="E1", kind="europol")
    view = identity.add_agency(
        ctx, operator, code="eu-ep", name="Europol", country="eu", kind="europol"
    )
    assert (view.code, view.country, view.kind.value) == ("EU-EP", "EU", "europol")
    admin = _as(ctx, "admin@nl.example")
    with pytest.raises(PermissionDeniedError):
        identity.add_agency(ctx, admin, code="FR-PN", name="x", country="FR", kind="police")
    assert [a.code for a in identity.list_agencies(ctx, admin)] == ["DE-BKA", "EU-EP", "NL-POL"]


def test_users_are_scoped_to_the_admins_agency(ctx: AppContext) -> None:
    admin = _as(ctx, "admin@nl.example")
    listed = identity.list_users(ctx, admin)
    assert {user.email for user in listed} == {"admin@nl.example", "ana@nl.example"}
    assert len(identity.list_users(ctx, local_operator())) == 4
    german = next(u for u in identity.list_users(ctx, local_operator()) if u.agency == "DE-BKA")
    with pytest.raises(NotFoundError):
        identity.get_user(ctx, admin, german.id)
    with pytest.raises(NotFoundError):
        identity.get_user(ctx, admin, 999_999)
    with pytest.raises(NotFoundError):  # another agency: as if it did not exist
        identity.add_user(ctx, admin, email="x@de.example", agency="DE-BKA", role="viewer")
    with pytest.raises(NotFoundError):
        identity.create_token(ctx, admin, "ana@de.example")
    added = identity.add_user(ctx, admin, email=" New@NL.example ", agency="nl-pol", role="viewer")
    assert (added.email, added.has_password) == ("new@nl.example", False)
    with pytest.raises(ConflictError):
        identity.add_user(ctx, admin, email="new@nl.example", agency="NL-POL", role="viewer")
    with pytest.raises(PermissionDeniedError):
        identity.list_users(ctx, _as(ctx, "ana@nl.example"))


def test_tokens_sign_in_until_revoked_or_expired(ctx: AppContext) -> None:
    operator = local_operator()
    token = identity.create_token(ctx, operator, "ana@nl.example", expires_days=30)
    actor = sessions.authenticate_token(ctx, token, "10.0.0.2")
    assert (actor.name, actor.agency_code, actor.via, actor.address) == (
        "ana@nl.example",
        "NL-POL",
        "token",
        "10.0.0.2",
    )
    basic = sessions.authenticate_basic(ctx, "ANA@nl.example", token, None)
    assert basic.via == "basic"
    with pytest.raises(AuthenticationError):
        sessions.authenticate_basic(ctx, "admin@nl.example", token, None)
    with pytest.raises(AuthenticationError):
        sessions.authenticate_token(ctx, token + "x", None)
    identity.revoke_token(ctx, operator, token)
    with pytest.raises(AuthenticationError):
        sessions.authenticate_token(ctx, token, None)
    expired = tokens.new_token()
    past = datetime.now(UTC) - timedelta(days=1)
    with ctx.database.transaction() as conn:
        user = store.user_by_email(conn, "ana@nl.example")
        assert user is not None
        store.insert_token(
            conn, user_id=user.id, token_hash=tokens.digest(expired), now=past, expires_at=past
        )
    with pytest.raises(AuthenticationError):
        sessions.authenticate_token(ctx, expired, None)
    with pytest.raises(InputError):
        identity.create_token(ctx, operator, "ana@nl.example", expires_days=0)


def test_inactive_user_cannot_sign_in(ctx: AppContext) -> None:
    token = identity.create_token(ctx, local_operator(), "ana@nl.example")
    with ctx.database.transaction() as conn:
        user = store.user_by_email(conn, "ana@nl.example")
        assert user is not None
        store.set_user_active(conn, user.id, False)
    with pytest.raises(AuthenticationError):
        sessions.authenticate_token(ctx, token, None)
    with pytest.raises(AuthenticationError):
        sessions.login(ctx, "ana@nl.example", PASSWORD, None)


def test_revoking_another_agencys_token_is_not_found(ctx: AppContext) -> None:
    identity.create_token(ctx, local_operator(), "ana@de.example")
    german = identity.list_tokens(ctx, local_operator(), "ana@de.example")[0]
    admin = _as(ctx, "admin@nl.example")
    with pytest.raises(NotFoundError):
        identity.revoke_token_id(ctx, admin, german.id)
    assert identity.list_tokens(ctx, local_operator(), "ana@de.example")[0].revoked_at is None
    revoked = identity.revoke_token_id(ctx, _as(ctx, "admin@de.example"), german.id)
    assert revoked.revoked_at is not None


def test_login_session_logout_and_audit(ctx: AppContext) -> None:
    grant = sessions.login(ctx, "Ana@NL.example", PASSWORD, "10.0.0.3")
    assert grant.actor.name == "ana@nl.example" and grant.actor.via == "session"
    assert grant.cookie != grant.csrf_token
    actor, csrf = sessions.session_actor(ctx, grant.cookie, "10.0.0.3")
    assert actor.user_id == grant.actor.user_id and csrf == grant.csrf_token
    with ctx.database.reading() as conn:  # only the cookie's hash is kept
        assert store.session_by_hash(conn, grant.cookie) is None
    sessions.logout(ctx, grant.cookie, "10.0.0.3")
    with pytest.raises(AuthenticationError):
        sessions.session_actor(ctx, grant.cookie, None)
    with pytest.raises(AuthenticationError):
        sessions.login(ctx, "ana@nl.example", "wrong password!", "10.0.0.3")
    entries = list_audit(ctx, local_operator()).items
    logins = [(e.actor, e.action, e.outcome, e.address) for e in entries if e.action != "user.add"]
    assert logins[:3] == [
        ("ana@nl.example", "login", "failed", "10.0.0.3"),
        ("ana@nl.example", "logout", "ok", "10.0.0.3"),
        ("ana@nl.example", "login", "ok", "10.0.0.3"),
    ]
    assert all(PASSWORD not in (e.detail + e.subject) for e in entries)


def test_login_rate_limit_per_email_and_address(ctx: AppContext) -> None:
    limit = ctx.settings.server.login_attempts
    for _ in range(limit):
        with pytest.raises(AuthenticationError):
            sessions.login(ctx, "ana@nl.example", "wrong password!", "10.0.0.4")
    with pytest.raises(RateLimitedError) as limited:
        sessions.login(ctx, "ana@nl.example", PASSWORD, "10.0.0.4")  # even the right one
    window = ctx.settings.server.login_window_minutes * 60
    assert 1 <= limited.value.retry_after <= window + 1
    # another address, or another e-mail, is not limited
    assert sessions.login(ctx, "ana@nl.example", PASSWORD, "10.0.0.5").actor.name
    with pytest.raises(AuthenticationError):
        sessions.login(ctx, "admin@nl.example", "wrong password!", "10.0.0.4")
    with ctx.database.reading() as conn:  # the subject is a hash, not the address
        count, _ = store.failures_since(conn, "10.0.0.4", datetime.now(UTC) - timedelta(days=1))
    assert count == 0
    outcomes = [e.outcome for e in list_audit(ctx, local_operator(), action="login").items]
    assert "limited" in outcomes and outcomes.count("failed") == limit + 1


def test_unknown_email_fails_like_a_wrong_password(ctx: AppContext) -> None:
    with pytest.raises(AuthenticationError) as unknown:
        sessions.login(ctx, "nobody@nl.example", PASSWORD, None)
    with pytest.raises(AuthenticationError) as wrong:
        sessions.login(ctx, "ana@nl.example", "wrong password!", None)
    assert str(unknown.value) == str(wrong.value)
    tried = list_audit(ctx, local_operator(), action="login").items[-1]
    assert (tried.actor, tried.outcome) == ("nobody@nl.example", "failed")
