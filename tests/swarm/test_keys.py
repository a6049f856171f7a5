"""The swarm key: where it comes from, keygen, and the check value that ties a database to
one key (a different key, the demo's key, databases from before key checks)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select

from leaktrace.demo.infra import DEMO_SWARM_KEY
from leaktrace.errors import ConfigError
from leaktrace.geo import GeoLookup
from leaktrace.store.database import Database
from leaktrace.store.schema import SWARM_KEY, SWARM_OBSERVATIONS
from leaktrace.swarm.importer import import_swarm_files
from leaktrace.swarm.keys import (
    DEMO_KEY_CHECK,
    is_demo_key,
    key_check,
    load_swarm_key,
    resolve_swarm_key,
    write_key_file,
)
from tests.swarm.conftest import KEY, WriteSwarm, row

OTHER_KEY = b"another-secret-key-of-at-least-32-bytes!"
DEMO = DEMO_SWARM_KEY.encode()


def _count(db: Database) -> int:
    with db.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(SWARM_OBSERVATIONS)).scalar_one())


def _private_file(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o600)
    return path


def test_no_key_is_refused_with_how_to_make_one() -> None:
    with pytest.raises(ConfigError) as caught:
        load_swarm_key(environ={})
    message = str(caught.value)
    assert "swarm keygen --out FILE" in message and "--key-file" in message
    assert "LEAKTRACE_SWARM_KEY_FILE" in message


def test_where_the_key_comes_from_first_found(tmp_path: Path) -> None:
    flag = _private_file(tmp_path / "flag.key", "a" * 40 + "\n")
    setting = _private_file(tmp_path / "setting.key", "b" * 40)
    env_file = _private_file(tmp_path / "env.key", "c" * 40)
    env = {"LEAKTRACE_SWARM_KEY_FILE": str(env_file), "LEAKTRACE_SWARM_KEY": "d" * 40}
    assert load_swarm_key(flag, "e" * 40, env, configured_file=setting) == b"a" * 40
    assert load_swarm_key(None, "e" * 40, env, configured_file=setting) == b"b" * 40
    assert load_swarm_key(None, "e" * 40, env) == b"c" * 40
    del env["LEAKTRACE_SWARM_KEY_FILE"]
    assert load_swarm_key(None, "e" * 40, env) == b"e" * 40
    found = resolve_swarm_key(None, None, env)
    assert found.secret == b"d" * 40 and found.source == "LEAKTRACE_SWARM_KEY"
    assert "d" * 40 not in repr(found)  # the key is never printed


@pytest.mark.parametrize(
    ("given", "source"),
    [
        ({"LEAKTRACE_SWARM_KEY": "k" * 31}, "from LEAKTRACE_SWARM_KEY is 31 bytes"),
        ({"LEAKTRACE_SWARM_KEY_FILE": "FILE"}, "(LEAKTRACE_SWARM_KEY_FILE) is 16 bytes"),
    ],
)
def test_short_keys_are_refused_naming_their_source(
    tmp_path: Path, given: dict[str, str], source: str
) -> None:
    short = _private_file(tmp_path / "short.key", "0123456789abcdef\n")
    env = {k: v.replace("FILE", str(short)) for k, v in given.items()}
    with pytest.raises(ConfigError, match="at least 32") as caught:
        load_swarm_key(environ=env)
    assert source in str(caught.value)
    assert load_swarm_key(environ={"LEAKTRACE_SWARM_KEY": "k" * 32}) == b"k" * 32


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_file_other_users_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "open.key"
    path.write_text("f" * 64)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match=r"open to other users \(mode 0644\).*chmod 600"):
        load_swarm_key(path)
    path.chmod(0o600)
    assert load_swarm_key(path) == b"f" * 64
    with pytest.raises(ConfigError, match="cannot read swarm key file"):
        load_swarm_key(tmp_path / "missing.key")


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_keygen_writes_a_private_key_file_once(tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "swarm.key"
    check = write_key_file(path)
    text = path.read_text()
    assert len(text) == 65 and text.endswith("\n") and int(text, 16) > 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert check == key_check(text.strip().encode()) == key_check(load_swarm_key(path))
    with pytest.raises(ConfigError, match="already exists"):
        write_key_file(path)
    assert path.read_text() == text  # never overwritten
    assert write_key_file(tmp_path / "second.key") != check  # a new key each time


def test_first_import_ties_the_database_to_its_key(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    path = write_swarm([row("198.51.100.23")])
    report = import_swarm_files(db, [path], KEY, geo)
    assert report.key_check == key_check(KEY)[:12] and report.notes == []
    with db.reading() as conn:
        stored = conn.execute(select(SWARM_KEY.c.key_check)).scalars().all()
    assert stored == [key_check(KEY)]
    other = write_swarm([row("198.51.100.24")])
    with pytest.raises(ConfigError) as caught:
        import_swarm_files(db, [other], OTHER_KEY, geo, key_source="key file x.key")
    message = str(caught.value)
    assert "key file x.key" in message and "count every peer twice" in message
    assert key_check(OTHER_KEY)[:12] in message and key_check(KEY)[:12] in message
    assert _count(db) == 1  # nothing of the refused import was written
    assert import_swarm_files(db, [other], KEY, geo).added == 1


def test_a_short_key_is_refused_by_the_library_too(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    with pytest.raises(ConfigError, match="from the given key is 31 bytes"):
        import_swarm_files(db, [write_swarm([row("198.51.100.23")])], b"k" * 31, geo)


def test_demo_key_only_in_the_demo_database(
    tmp_path: Path, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    assert key_check(DEMO) == DEMO_KEY_CHECK and is_demo_key(DEMO) and not is_demo_key(KEY)
    path = write_swarm([row("198.51.100.23")])
    with Database(str(tmp_path / "real.db")) as real:
        with pytest.raises(ConfigError, match="the demo's published key"):
            import_swarm_files(real, [path], DEMO, geo, key_source="LEAKTRACE_SWARM_KEY")
        assert _count(real) == 0
    with Database(str(tmp_path / "demo.db")) as demo:
        assert import_swarm_files(demo, [path], DEMO, geo, demo=True).added == 1
        # the demo's database stays the demo's: its key is accepted there later ...
        more = write_swarm([row("198.51.100.24")])
        assert import_swarm_files(demo, [more], DEMO, geo).added == 1
        # ... and real observations are refused in it
        with pytest.raises(ConfigError, match="this is the demo's database"):
            import_swarm_files(demo, [more], KEY, geo)


def test_a_database_from_before_key_checks_is_checked_against_its_infrastructure(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    import_swarm_files(db, [write_swarm([row("192.0.2.200", tag="seedbox")])], KEY, geo)
    with db.transaction() as conn:
        conn.execute(delete(SWARM_KEY))  # as a database migrated from before 0008
    later = write_swarm([row("198.51.100.23")])
    with pytest.raises(ConfigError, match="infrastructure rows do not match"):
        import_swarm_files(db, [later], OTHER_KEY, geo)
    report = import_swarm_files(db, [later], KEY, geo)
    assert report.added == 1 and report.notes == []


def test_a_database_from_before_key_checks_without_infrastructure_gets_a_note(
    db: Database, geo: GeoLookup, write_swarm: WriteSwarm
) -> None:
    import_swarm_files(db, [write_swarm([row("198.51.100.23")])], KEY, geo)
    with db.transaction() as conn:
        conn.execute(delete(SWARM_KEY))
    report = import_swarm_files(db, [write_swarm([row("198.51.100.24")])], OTHER_KEY, geo)
    (note,) = report.notes
    assert note.startswith("1 observations were stored before LeakTrace checked swarm keys")
    with pytest.raises(ConfigError, match="not the key"):  # from now on the key is fixed
        import_swarm_files(db, [write_swarm([row("198.51.100.25")])], KEY, geo)
