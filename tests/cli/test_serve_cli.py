"""``leaktrace serve``: refuses a database whose schema is not current; serves the API
from a real subprocess once ``leaktrace db upgrade`` has run."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from leaktrace.config import load_settings
from leaktrace.errors import StoreError
from leaktrace.identity.actor import local_operator
from leaktrace.services import identity
from leaktrace.services.context import build_context
from tests.cli.conftest import Run
from tests.web.conftest import start_serve


def test_serve_refuses_a_database_that_is_not_upgraded(run: Run, tmp_path: Path) -> None:
    result = run("serve", "--db", str(tmp_path / "new.db"))
    assert result.code != 0
    assert "leaktrace db upgrade" in result.err


def test_serve_subprocess_answers_with_tokens(run: Run, tmp_path: Path) -> None:
    db = str(tmp_path / "served.db")
    assert run("db", "upgrade", "--db", db).code == 0
    with build_context(load_settings(db=db), migrate=False) as ctx:
        operator = local_operator()
        identity.add_agency(ctx, operator, code="NL-POL", name="P", country="NL", kind="police")
        identity.add_user(ctx, operator, email="a@nl.example", agency="NL-POL", role="analyst")
        token = identity.create_token(ctx, operator, "a@nl.example")
    server = start_serve(db, tmp_path / "serve.log")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            assert client.get("/api/v1/me").status_code == 401
            me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200 and me.json()["email"] == "a@nl.example"
            assert me.headers["X-Frame-Options"] == "DENY"
    finally:
        server.stop()
    assert token not in server.log.read_text()


def test_app_factory_refuses_a_database_that_is_not_current(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaktrace.web.app import app_from_environment

    monkeypatch.setenv("LEAKTRACE_DB", str(tmp_path / "old.db"))
    with pytest.raises(StoreError, match="leaktrace db upgrade"):
        app_from_environment()
    with build_context(load_settings(db=str(tmp_path / "old.db"))):
        pass  # the CLI's zero-config path migrates it
    app = app_from_environment()
    assert app.title == "LeakTrace"
    app.state.context.close()
