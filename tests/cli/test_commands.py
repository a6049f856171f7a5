from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Run

Write = Callable[..., Path]

FEED = [
    {
        "name": "Northern.Lights.Protocol.2026.1080p.BluRay.x264-SPARKLE",
        "time": "2026-05-16T08:00:00Z",
    },
    {
        "name": "Northern.Lights.Protocol.2026.720p.WEB-DL.DDP5.1.H.264-WEBGRP",
        "time": "2026-04-15T03:00:00Z",
    },
    {"name": "It.2017.1080p.BluRay.x264-GRP", "time": "2018-02-01T00:00:00Z"},
]


@pytest.fixture
def loaded(run: Run, db_path: Path, catalog_csv: Path, write_feed: Write) -> Path:
    assert run("catalog", "import", str(catalog_csv), "--db", str(db_path)).code == 0
    assert run("ingest", str(write_feed(FEED)), "--db", str(db_path)).code == 0
    return db_path


def test_help_and_version(run: Run) -> None:
    result = run("--help")
    assert result.code == 0
    for command in ("catalog", "ingest", "releases", "leaks", "parse", "report", "demo"):
        assert command in result.out
    assert run("--version").out.startswith("leaktrace ")


def test_catalog_import_and_list(run: Run, db_path: Path, catalog_csv: Path) -> None:
    result = run("catalog", "import", str(catalog_csv), "--db", str(db_path))
    assert result.code == 0, result.err
    assert "17 works" in result.out and "17 added" in result.out
    again = run("catalog", "import", str(catalog_csv), "--db", str(db_path), "-f", "json")
    assert json.loads(again.out)["unchanged"] == 17
    listed = json.loads(run("catalog", "list", "--db", str(db_path), "-f", "json").out)
    assert {w["id"] for w in listed} >= {"it-2017", "office-us-s04"}


def test_catalog_error_is_one_clear_line(run: Run, db_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,kind,title,year,season,aliases,theatrical,digital,physical,broadcast\n"
        "a,movie,A,2000,,,2000-02-30,,,\n"
    )
    result = run("catalog", "import", str(bad), "--db", str(db_path))
    assert result.code == 65
    assert f"{bad}:2, field 'theatrical'" in result.err
    assert "Traceback" not in result.err + result.out


def test_leaks_json_contract(run: Run, loaded: Path) -> None:
    result = run("leaks", "--db", str(loaded), "--format", "json")
    assert result.code == 0, result.err
    (leak,) = json.loads(result.out)
    for key in (
        "release",
        "work_id",
        "window",
        "source",
        "lead_days",
        "severity",
        "group",
        "released_at",
        "rule",
    ):
        assert key in leak
    assert leak["work_id"] == "northern" and leak["window"] == "physical"
    assert leak["released_at"] == "2026-05-16T08:00:00Z"


def test_releases_json_contract_and_filters(run: Run, loaded: Path) -> None:
    rows = json.loads(run("releases", "--db", str(loaded), "-f", "json").out)
    assert len(rows) == 3
    for row in rows:
        assert {"release", "work_id", "score", "released_at"} <= set(row)
    inside = json.loads(
        run("releases", "--db", str(loaded), "-f", "json", "--status", "in-window").out
    )
    assert {r["release"] for r in inside} == {FEED[1]["name"], FEED[2]["name"]}
    since = json.loads(
        run("releases", "--db", str(loaded), "-f", "json", "--since", "2026-01-01").out
    )
    assert len(since) == 2


def test_csv_and_table_formats(run: Run, loaded: Path) -> None:
    text = run("leaks", "--db", str(loaded), "-f", "csv").out
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["window"] == "physical"
    table = run("leaks", "--db", str(loaded))
    assert table.code == 0 and "Pre-release leaks" in table.out and "physical" in table.out


def test_bad_option_values(run: Run, loaded: Path) -> None:
    assert run("leaks", "--db", str(loaded), "--severity", "huge").code == 2
    assert run("leaks", "--db", str(loaded), "--format", "xml").code == 2
    result = run("releases", "--db", str(loaded), "--since", "last week")
    assert result.code == 65 and "--since" in result.err


def test_ingest_reports_bad_lines_and_strict(run: Run, db_path: Path, write_feed: Write) -> None:
    path = write_feed([FEED[0], "{broken", {"name": "A", "time": "2020-01-01"}])
    result = run("ingest", str(path), "--db", str(db_path), "-f", "json")
    report = json.loads(result.out)
    assert (report["accepted"], report["rejected"]) == (1, 2)
    assert report["errors"][1] == {
        "file": str(path),
        "line": 3,
        "field": "time",
        "reason": "'2020-01-01' has no UTC offset (add Z or +hh:mm)",
    }
    table = run("ingest", str(path), "--db", str(db_path))
    assert "rejected 2" in table.out and f"{path}:2" in table.out
    strict = run("ingest", str(path), "--db", str(db_path.with_name("x.db")), "--strict")
    assert strict.code == 65 and f"{path}:2" in strict.err


def test_ingest_missing_file(run: Run, db_path: Path, tmp_path: Path) -> None:
    result = run("ingest", str(tmp_path / "none.jsonl"), "--db", str(db_path))
    assert result.code == 65 and "no such file" in result.err


def test_parse_shows_fields(run: Run) -> None:
    result = run("parse", "Blade.Runner.2049.2017.1080p.BluRay.x264-SPARKS", "-f", "json")
    (parsed,) = json.loads(result.out)
    assert (parsed["title"], parsed["year"], parsed["group"]) == (
        "Blade Runner 2049",
        2017,
        "SPARKS",
    )
    table = run("parse", "The.Office.US.S04E01.720p.HDTV.x264-LOL")
    assert "The Office" in table.out and "hdtv" in table.out


def test_parse_with_match(run: Run, loaded: Path) -> None:
    result = run(
        "parse", "It.Follows.2014.1080p.BluRay.x264-G", "--match", "--db", str(loaded), "-f", "json"
    )
    (parsed,) = json.loads(result.out)
    assert parsed["match"]["work_id"] == "it-follows"


def test_db_from_environment(run: Run, loaded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKTRACE_DB", str(loaded))
    assert len(json.loads(run("releases", "-f", "json").out)) == 3


def test_config_file(
    run: Run, loaded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{loaded}"\n')
    monkeypatch.setenv("LEAKTRACE_CONFIG", str(config))
    assert len(json.loads(run("releases", "-f", "json").out)) == 3
    config.write_text("match_threshold = 500\n")
    result = run("releases")
    assert result.code == 78 and "match_threshold" in result.err
    monkeypatch.setenv("LEAKTRACE_CONFIG", str(tmp_path / "missing.toml"))
    assert "does not exist" in run("releases").err


def test_unusable_database(run: Run, tmp_path: Path) -> None:
    result = run("releases", "--db", str(tmp_path))
    assert result.code == 74 and "is a directory" in result.err
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    result = run("releases", "--db", str(garbage))
    assert result.code == 74 and "cannot open or migrate" in result.err
    result = run("releases", "--db", "nosuchdriver://x/y")
    assert result.code == 74


@pytest.mark.parametrize(
    "command", [("hosts", "import"), ("supply", "import"), ("swarm", "import"), ("ingest",)]
)
def test_a_folder_given_for_a_file_is_named_as_such(
    run: Run, db_path: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    result = run(*command, str(tmp_path), "--db", str(db_path))
    assert result.code != 0 and "Traceback" not in result.err
    assert f"{tmp_path}: is a folder, expected a file" in " ".join(result.err.split())
