"""The audit log: appended by the services, scoped per agency when read, and refused any
UPDATE or DELETE by the database itself (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, update

from leaktrace.config import load_settings
from leaktrace.errors import PermissionDeniedError, StoreError
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services import identity, sessions
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext, build_context
from leaktrace.store.schema_access import AUDIT_LOG


def _populate(ctx: AppContext) -> None:
    operator = local_operator()
    for code in ("NL-POL", "DE-BKA"):
        identity.add_agency(ctx, operator, code=code, name=code, country=code[:2], kind="police")
        for role in ("admin", "coordinator", "analyst"):
            identity.add_user(
                ctx, operator, email=f"{role}@{code.lower()}.example", agency=code, role=role
            )


def _as(ctx: AppContext, email: str) -> Actor:
    token = identity.create_token(ctx, local_operator(), email)
    return sessions.authenticate_token(ctx, token, "192.0.2.1")


def _refuses_changes(ctx: AppContext) -> None:
    with pytest.raises(StoreError):
        with ctx.database.transaction() as conn:
            conn.execute(update(AUDIT_LOG).values(actor="someone else"))
    with pytest.raises(StoreError):
        with ctx.database.transaction() as conn:
            conn.execute(delete(AUDIT_LOG))
    entries = list_audit(ctx, local_operator()).items
    assert entries and all(entry.actor != "someone else" for entry in entries)


def test_sqlite_audit_log_is_append_only(tmp_path: Path) -> None:
    with build_context(load_settings(db=str(tmp_path / "a.db"))) as ctx:
        _populate(ctx)
        _refuses_changes(ctx)


def test_postgres_audit_log_is_append_only(postgres_database: str) -> None:
    with build_context(load_settings(db=postgres_database)) as ctx:
        _populate(ctx)
        _refuses_changes(ctx)


def test_each_agency_reads_its_own_entries(tmp_path: Path) -> None:
    with build_context(load_settings(db=str(tmp_path / "a.db"))) as ctx:
        _populate(ctx)
        nl_admin = _as(ctx, "admin@nl-pol.example")
        identity.add_user(ctx, nl_admin, email="v@nl-pol.example", agency="NL-POL", role="viewer")
        de_admin = _as(ctx, "admin@de-bka.example")
        identity.add_user(ctx, de_admin, email="v@de-bka.example", agency="DE-BKA", role="viewer")
        nl = list_audit(ctx, _as(ctx, "coordinator@nl-pol.example")).items
        assert [(e.actor, e.action, e.subject) for e in nl] == [
            ("admin@nl-pol.example", "user.add", "v@nl-pol.example")
        ]
        assert nl[0].address == "192.0.2.1"
        everything = list_audit(ctx, local_operator(), limit=500).items
        assert {e.agency for e in everything} == {None, "NL-POL", "DE-BKA"}
        assert len(list_audit(ctx, local_operator(), action="token.create").items) == 3
        with pytest.raises(PermissionDeniedError):
            list_audit(ctx, _as(ctx, "analyst@nl-pol.example"))
