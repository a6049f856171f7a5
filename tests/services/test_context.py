"""The application context closes what it started."""

from __future__ import annotations

import duckdb
import pytest

from leaktrace.config import Settings
from leaktrace.services.context import build_context


def test_closing_the_context_closes_its_engines(settings: Settings) -> None:
    ctx = build_context(settings)
    engine = ctx.engine("duckdb")
    assert ctx.engine("duckdb") is engine  # started once, then reused
    assert engine.con.raw_sql("select 1").fetchall() == [(1,)]
    ctx.close()
    with pytest.raises(duckdb.ConnectionException):
        engine.con.raw_sql("select 1")
