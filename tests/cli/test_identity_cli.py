"""``leaktrace agency``, ``user``, ``token``, ``audit`` and ``db``: through the real entry
point, on a real SQLite file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from leaktrace.config import load_settings
from leaktrace.identity.actor import local_operator
from leaktrace.services import sessions
from leaktrace.services.audit import list_audit
from leaktrace.services.context import build_context
from tests.cli.conftest import Run


def _setup(run: Run, db: str) -> None:
    assert run("agency", "add", "NL-POL", "--name", "Politie", "--country", "nl",
               "--kind", "police", "--db", db).code == 0  # fmt: skip
    assert run("agency", "add", "EU-EP", "--name", "Europol", "--country", "EU",
               "--kind", "europol", "--db", db).code == 0  # fmt: skip


def test_agency_and_user_commands(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "cli.db")
    _setup(run, db)
    listed = run("agency", "list", "--format", "json", "--db", db)
    assert [a["code"] for a in json.loads(listed.out)] == ["EU-EP", "NL-POL"]
    duplicate = run("agency", "add", "NL-POL", "--name", "x", "--country", "NL", "--kind",
                    "police", "--db", db)  # fmt: skip
    assert duplicate.code != 0 and "exists already" in duplicate.err
    bad_kind = run("agency", "add", "XX", "--name", "x", "--country", "NL", "--kind", "army",
                   "--db", db)  # fmt: skip
    assert bad_kind.code != 0
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    added = run("user", "add", "Ana@NL.example", "--agency", "nl-pol", "--role", "analyst",
                "--password-stdin", "--db", db)  # fmt: skip
    assert added.code == 0, added.err
    assert "correct horse" not in added.out + added.err
    assert run("user", "add", "eve@ep.example", "--agency", "EU-EP", "--role", "viewer",
               "--db", db).code == 0  # fmt: skip
    users = json.loads(run("user", "list", "--format", "json", "--db", db).out)
    assert [(u["email"], u["agency"], u["role"], u["has_password"]) for u in users] == [
        ("eve@ep.example", "EU-EP", "viewer", False),
        ("ana@nl.example", "NL-POL", "analyst", True),
    ]
    with build_context(load_settings(db=db)) as ctx:
        assert sessions.login(ctx, "ana@nl.example", "correct horse battery", None).cookie
    missing = run("user", "add", "x@nl.example", "--agency", "NOPE", "--role", "viewer",
                  "--db", db)  # fmt: skip
    assert missing.code != 0 and "no agency NOPE" in missing.err
    monkeypatch.setattr("sys.stdin", io.StringIO("\n"))
    empty = run("user", "add", "y@nl.example", "--agency", "NL-POL", "--role", "viewer",
                "--password-stdin", "--db", db)  # fmt: skip
    assert empty.code != 0 and "no password" in empty.err


def test_token_create_prints_only_the_token_and_revoke(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    _setup(run, db)
    assert run("user", "add", "bob@nl.example", "--agency", "NL-POL", "--role", "viewer",
               "--db", db).code == 0  # fmt: skip
    created = run("token", "create", "bob@nl.example", "--expires-days", "7", "--db", db)
    assert created.code == 0
    token = created.out.strip()
    assert created.out == token + "\n" and token.startswith("lt_")
    with build_context(load_settings(db=db)) as ctx:
        assert sessions.authenticate_token(ctx, token, None).name == "bob@nl.example"
    revoked = run("token", "revoke", token, "--db", db)
    assert revoked.code == 0 and token not in revoked.out + revoked.err
    with build_context(load_settings(db=db)) as ctx:
        with pytest.raises(Exception, match="invalid"):
            sessions.authenticate_token(ctx, token, None)
    unknown = run("token", "create", "nobody@nl.example", "--db", db)
    assert unknown.code != 0 and unknown.out == ""


def test_audit_command_lists_entries(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "cli.db")
    _setup(run, db)
    run("user", "add", "bob@nl.example", "--agency", "NL-POL", "--role", "viewer", "--db", db)
    run("token", "create", "bob@nl.example", "--db", db)
    page = json.loads(run("audit", "--format", "json", "--db", db).out)
    actions = [item["action"] for item in page["items"]]
    assert actions == ["token.create", "user.add", "agency.add", "agency.add"]
    assert page["items"][0]["actor"].startswith("local:")
    only = json.loads(run("audit", "--action", "user.add", "--format", "json", "--db", db).out)
    assert [item["subject"] for item in only["items"]] == ["bob@nl.example"]
    first = json.loads(run("audit", "--limit", "2", "--format", "json", "--db", db).out)
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = json.loads(
        run("audit", "--cursor", first["next_cursor"], "--format", "json", "--db", db).out
    )
    assert [i["action"] for i in rest["items"]] == ["agency.add", "agency.add"]
    table = run("audit", "--db", db)
    assert table.code == 0 and "token.create" in table.out
    with build_context(load_settings(db=db)) as ctx:
        assert len(list_audit(ctx, local_operator()).items) == 4


def test_db_status_and_upgrade(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "fresh.db")
    behind = run("db", "status", "--format", "json", "--db", db)
    assert behind.code == 1
    status = json.loads(behind.out)
    assert status["current"] is None and status["up_to_date"] is False and status["head"]
    upgraded = run("db", "upgrade", "--db", db)
    assert upgraded.code == 0 and "upgraded" in upgraded.err
    current = run("db", "status", "--db", db)
    assert current.code == 0 and "up to date" in current.out
    again = run("db", "upgrade", "--db", db)
    assert again.code == 0 and "already at" in again.err
