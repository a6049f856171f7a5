"""The application context closes what it started and applies the parser's settings."""

from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
import pytest

from leaktrace.config import Settings, load_settings
from leaktrace.errors import ConfigError
from leaktrace.releases import parse
from leaktrace.services.context import build_context


def test_closing_the_context_closes_its_engines(settings: Settings) -> None:
    ctx = build_context(settings)
    engine = ctx.engine("duckdb")
    assert ctx.engine("duckdb") is engine  # started once, then reused
    assert engine.con.raw_sql("select 1").fetchall() == [(1,)]
    ctx.close()
    with pytest.raises(duckdb.ConnectionException):
        engine.con.raw_sql("select 1")


def _unique_site() -> str:
    return "site" + uuid.uuid4().hex[:10]  # the site list is per process: a new name per test


def test_configured_sites_are_websites_not_groups(db_path: Path) -> None:
    site = _unique_site()
    name = f"[{site.capitalize()}] Leo (2023) 1080p WEB-DL x264"
    assert (parse(name).group, parse(name).website) == (site.capitalize(), None)
    with build_context(load_settings(db=str(db_path), parser={"extra_sites": [site]})):
        pass
    parsed = parse(name)
    assert (parsed.title, parsed.website, parsed.group) == ("Leo", site, None)


def test_a_sites_file_adds_its_names_and_skips_comments(db_path: Path, tmp_path: Path) -> None:
    first, second = _unique_site(), _unique_site()
    listing = tmp_path / "sites.txt"
    listing.write_text(f"# our own list\n{first}\n\n  {second.upper()}  # shouting\n")
    with build_context(load_settings(db=str(db_path), parser={"sites_file": str(listing)})):
        pass
    assert parse(f"Leo (2023) 1080p WEB-DL x264 [{second}]").website == second
    assert parse(f"[{first}] Leo (2023) 1080p WEB-DL x264").website == first


def test_an_unreadable_sites_file_is_a_config_error_naming_it(
    db_path: Path, tmp_path: Path
) -> None:
    missing = tmp_path / "no-such-sites.txt"
    with pytest.raises(ConfigError, match=r"parser\.sites_file.*no-such-sites\.txt"):
        build_context(load_settings(db=str(db_path), parser={"sites_file": str(missing)}))
    assert not db_path.exists()  # refused before any database file was made
