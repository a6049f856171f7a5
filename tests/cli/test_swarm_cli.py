"""``leaktrace swarm import|retention`` and ``leaktrace impact`` through the real entry point.

The commands are registered here on a copy of the root app, so these tests do not depend
on (and keep working after) their registration in ``leaktrace/cli/app.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer

import leaktrace.cli.app as app_module
from leaktrace.cli import analytics_cmds, impact_cmd, swarm_cmds
from leaktrace.store.database import Database
from tests.cli.conftest import Run
from tests.swarm.conftest import HASH_LEAK, row, seed_catalog
from tests.swarm.mmdb import write_mmdb

PEER_IP = "198.51.100.23"


@pytest.fixture(autouse=True)
def _registered(monkeypatch: pytest.MonkeyPatch) -> None:
    root = typer.Typer(pretty_exceptions_enable=False, no_args_is_help=True)
    root.add_typer(swarm_cmds.app, name="swarm")
    root.command()(impact_cmd.impact)
    root.command()(analytics_cmds.export)
    monkeypatch.setattr(app_module, "app", root)
    monkeypatch.delenv("LEAKTRACE_SWARM_KEY", raising=False)
    monkeypatch.delenv("LEAKTRACE_SWARM_KEY_FILE", raising=False)
    monkeypatch.delenv("LEAKTRACE_SWARM_RETENTION_DAYS", raising=False)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "swarm.key"
    path.write_text("0123456789abcdef0123456789abcdef\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def swarm_file(tmp_path: Path) -> Path:
    rows = [row(PEER_IP, completed=True), row("81.2.69.160", infohash=HASH_LEAK, seeder=True)]
    rows.append(row("192.0.2.7", tag="initial-seeder", seeder=True, port=443))
    rows.append({**row("198.51.100.99"), "time": "bad"})
    path = tmp_path / "swarm.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_import_refuses_without_a_key(run: Run, db_path: Path, swarm_file: Path) -> None:
    result = run("swarm", "import", str(swarm_file), "--db", str(db_path))
    assert result.code == 78
    assert "no swarm key configured" in result.err and "swarm keygen" in result.err
    assert "LEAKTRACE_SWARM_KEY_FILE" in result.err
    assert not db_path.exists()  # refused before a database is made


def test_import_json_output(
    run: Run, db_path: Path, swarm_file: Path, key_file: Path, tmp_path: Path
) -> None:
    asn = write_mmdb(tmp_path / "asn.mmdb", {"198.51.100.0/24": {"autonomous_system_number": 1}})
    args = ["swarm", "import", str(swarm_file), "--db", str(db_path), "--key-file", str(key_file)]
    result = run(*args, "--asn-db", str(asn), "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert (report["added"], report["rejected"]) == (3, 1)
    assert (report["peers_hashed"], report["infrastructure_in_clear"]) == (2, 1)
    assert report["errors"][0]["line"] == 4 and report["errors"][0]["field"] == "time"
    assert report["geo"]["asn"] == "asn.mmdb"
    assert PEER_IP not in result.out
    again = json.loads(run(*args, "--format", "json").out)
    assert (again["added"], again["duplicates"]) == (0, 3)
    table = run(*args)
    assert table.code == 0 and "3 already stored" in table.out


def test_strict_import_fails_and_writes_nothing(
    run: Run, db_path: Path, swarm_file: Path, key_file: Path
) -> None:
    result = run(
        "swarm",
        "import",
        str(swarm_file),
        "--db",
        str(db_path),
        "--key-file",
        str(key_file),
        "--strict",
    )
    assert result.code == 65
    assert f"{swarm_file}:4" in result.err and "field 'time'" in result.err
    retention = json.loads(
        run(
            "swarm", "retention", "--db", str(db_path), "--days", "1", "--dry-run", "-f", "json"
        ).out
    )
    assert retention["older_than_cutoff"] == 0


def test_retention_command(
    run: Run, db_path: Path, swarm_file: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEAKTRACE_SWARM_KEY", "k" * 32)
    assert run("swarm", "import", str(swarm_file), "--db", str(db_path)).code == 0
    dry = run("swarm", "retention", "--db", str(db_path), "--dry-run")
    assert dry.code == 0 and "3 observations older than 180 days" in dry.out
    assert "dry run" in dry.out
    done = json.loads(run("swarm", "retention", "--db", str(db_path), "-f", "json").out)
    assert (done["deleted"], done["days"]) == (3, 180)
    assert run("swarm", "retention", "--db", str(db_path), "--days", "0").code != 0


def test_impact_json_and_overrides(
    run: Run, db_path: Path, swarm_file: Path, key_file: Path
) -> None:
    with Database(str(db_path)) as database:
        seed_catalog(database)
    run("swarm", "import", str(swarm_file), "--db", str(db_path), "--key-file", str(key_file))
    result = run("impact", "--db", str(db_path), "--format", "json")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["assumptions"]["displacement"]["central"] == 0.3
    rows = {r["work"]: r for r in report["rows"]}
    assert rows["film-b"]["pre_release"] is True
    low, central, high = (rows["film-a"]["losses"][k] for k in ("low", "central", "high"))
    assert low < central < high
    custom = json.loads(
        run(
            "impact",
            "--db",
            str(db_path),
            "--work",
            "film-a",
            "--displacement",
            "0.3",
            "--price",
            "5.99",
            "--coverage",
            "0.5",
            "--finish-share",
            "1",
            "--currency",
            "usd",
            "-f",
            "json",
        ).out
    )
    assert custom["assumptions"]["price"] == {
        "low": 5.99,
        "central": 5.99,
        "high": 5.99,
        "unit": "USD per displaced view",
        "source": "LeakTrace default assumption; override with --price",
    }
    (only,) = custom["rows"]
    assert only["work"] == "film-a" and only["downloads"]["central"] == 2
    assert only["losses"]["central"] == pytest.approx(2 * 0.3 * 5.99, rel=0.01)
    assert only["losses"]["currency"] == "USD"


def test_impact_table_and_csv(run: Run, db_path: Path, swarm_file: Path, key_file: Path) -> None:
    with Database(str(db_path)) as database:
        seed_catalog(database)
    run("swarm", "import", str(swarm_file), "--db", str(db_path), "--key-file", str(key_file))
    table = run("impact", "--db", str(db_path), "--by", "work,country", "--no-uplift")
    assert table.code == 0, table.err
    for text in ("Assumptions", "displacement", "Ecorys", "Film B", "GB", "total", "(off)"):
        assert text in table.out
    csv_out = run("impact", "--db", str(db_path), "--by", "day", "-f", "csv")
    assert csv_out.out.splitlines()[0].startswith("day,observed_peers,observed_completed")
    assert "HyperLogLog (APPROX_COUNT_DISTINCT) on duckdb" in table.out
    exact = run("impact", "--db", str(db_path), "--exact")
    assert exact.code == 0, exact.err
    assert "COUNT DISTINCT on duckdb" in exact.out
    assert run("impact", "--db", str(db_path), "--engine", "oracle").code == 2
    uk = json.loads(run("impact", "--db", str(db_path), "--country", "UK", "-f", "json").out)
    assert uk["filters"]["country"] == "GB" and uk["observations"] == 1  # UK means GB
    backwards = run(
        "impact", "--db", str(db_path), "--since", "2024-03-02", "--until", "2024-03-01"
    )
    assert backwards.code == 65 and "--since must be before --until" in backwards.err
    export = db_path.parent / "export"
    assert run("export", str(export), "--db", str(db_path)).code == 0
    other = db_path.parent / "other.db"
    wrong = run("impact", "--db", str(other), "--parquet", str(export))
    assert wrong.code == 65 and "knows none of the" in wrong.err
    right = run("impact", "--db", str(db_path), "--parquet", str(export), "-f", "json")
    assert json.loads(right.out)["rows"][0]["title"]
    missing = run("impact", "--db", str(db_path), "--parquet", str(db_path.parent / "nope"))
    assert missing.code != 0 and "no such folder" in missing.err
    bad = run("impact", "--db", str(db_path), "--displacement", "0.5:0.1")
    assert bad.code != 0
    assert run("impact", "--db", str(db_path), "--by", "planet").code != 0


def test_keygen_then_import_with_the_key_file(
    run: Run, db_path: Path, swarm_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tmp_path / "keys" / "swarm.key"
    made = run("swarm", "keygen", "--out", str(key))
    assert made.code == 0 and "mode 0600" in made.out and str(key) in made.out
    assert key.stat().st_mode & 0o777 == 0o600
    again = run("swarm", "keygen", "--out", str(key))
    assert again.code == 78 and "already exists" in again.err
    monkeypatch.setenv("LEAKTRACE_SWARM_KEY_FILE", str(key))
    first = run("swarm", "import", str(swarm_file), "--db", str(db_path), "-f", "json")
    assert first.code == 0, first.err
    check = json.loads(run("swarm", "keygen", "--out", str(tmp_path / "b.key"), "-f", "json").out)
    assert check["mode"] == "0600" and len(check["key_check"]) == 12
    assert json.loads(first.out)["key_check"] != check["key_check"]
    other = run(
        "swarm",
        "import",
        str(swarm_file),
        "--db",
        str(db_path),
        "--key-file",
        str(tmp_path / "b.key"),
    )
    assert other.code == 78
    assert "is not the key this database's peers were hashed with" in other.err
    assert "Traceback" not in other.err


def test_import_refuses_the_demo_key(
    run: Run, db_path: Path, swarm_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from leaktrace.demo.infra import DEMO_SWARM_KEY

    monkeypatch.setenv("LEAKTRACE_SWARM_KEY", DEMO_SWARM_KEY)
    result = run("swarm", "import", str(swarm_file), "--db", str(db_path))
    assert result.code == 78 and "demo's published key" in result.err
    assert "LEAKTRACE_SWARM_KEY" in result.err


def test_export_deadline_and_retention_of_exports(
    run: Run, db_path: Path, swarm_file: Path, key_file: Path
) -> None:
    run("swarm", "import", str(swarm_file), "--db", str(db_path), "--key-file", str(key_file))
    exports = db_path.parent / "exports"
    made = run("export", str(exports / "march"), "--db", str(db_path), "-f", "json")
    assert json.loads(made.out)["retention_deadline"] == "2024-08-28T12:00:00+00:00"
    table = run("export", str(exports / "again"), "--db", str(db_path))
    # observations older than the retention period are still in the database: said loudly
    assert "due for removal on 2024-08-28 already" in table.err
    assert "leaktrace swarm retention" in table.err
    dry = run("swarm", "retention", "--db", str(db_path), "--exports", str(exports), "--dry-run")
    assert dry.code == 0 and "would remove" in dry.out and "2 exports found, 2 expired" in dry.out
    assert (exports / "march" / "swarm_observations.parquet").exists()
    done = run("swarm", "retention", "--db", str(db_path), "--exports", str(exports), "-f", "json")
    report = json.loads(done.out)
    assert report["deleted"] == 3
    assert [(e["folder"], e["folder_removed"]) for e in report["exports"]] == [
        (str(exports / "again"), True),
        (str(exports / "march"), True),
    ]
    assert list(exports.iterdir()) == []


def test_retention_checks_the_exports_before_deleting_anything(
    run: Run, db_path: Path, swarm_file: Path, key_file: Path
) -> None:
    """A mistyped --exports folder, or a damaged manifest in it, is reported before any
    observation is deleted: the user runs the command again, and nothing was half done."""
    run("swarm", "import", str(swarm_file), "--db", str(db_path), "--key-file", str(key_file))
    exports = db_path.parent / "exports"
    (exports / "bad").mkdir(parents=True)
    (exports / "bad" / "leaktrace-export.json").write_text("[1")
    for folder in (db_path.parent / "exprots", exports):
        result = run("swarm", "retention", "--db", str(db_path), "--exports", str(folder))
        assert result.code == 65 and "Traceback" not in result.err
        dry = run("swarm", "retention", "--db", str(db_path), "--dry-run", "-f", "json")
        assert json.loads(dry.out)["older_than_cutoff"] == 3, result.err  # none deleted yet


def test_import_reads_the_geoip_files_hosts_enrich_reads(
    run: Run,
    db_path: Path,
    swarm_file: Path,
    key_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LEAKTRACE_GEOIP may list several files (``a:b``), as 'hosts enrich' reads it; the
    first that knows an address's country answers."""
    first = write_mmdb(tmp_path / "first.mmdb", {"81.2.69.0/24": {"country_code": "NL"}})
    second = write_mmdb(tmp_path / "second.mmdb", {"198.51.100.0/24": {"country_code": "FR"}})
    monkeypatch.setenv("LEAKTRACE_GEOIP", f"{first}:{second}")
    args = ["swarm", "import", str(swarm_file), "--db", str(db_path), "--key-file", str(key_file)]
    result = run(*args, "--no-default-geoip", "-f", "json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["geo"]["country"] == "first.mmdb"
    database = Database(str(db_path))
    with database.reading() as conn:
        found = conn.exec_driver_sql("SELECT country FROM swarm_observations").all()
    database.close()
    assert sorted(c or "-" for (c,) in found) == ["-", "FR", "NL"]  # 192.0.2.7: neither
