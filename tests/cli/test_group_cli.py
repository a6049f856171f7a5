"""``leaktrace groups``, ``group NAME`` and ``group-graph`` through the real entry point."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from leaktrace.cli import app as app_module
from leaktrace.cli import group_cmds
from leaktrace.config import Settings
from leaktrace.store.database import Database
from tests.attribution import scenario
from tests.cli.conftest import Run


@pytest.fixture(autouse=True)
def _commands(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the group commands (the lead wires them into cli/app.py) for these tests."""
    app = app_module.app
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    monkeypatch.setattr(app, "registered_commands", list(app.registered_commands))
    if not {"groups", "group", "group-graph"} <= names:
        group_cmds.register(app)


@pytest.fixture
def world(db: Database, settings: Settings, catalog_csv: Path, db_path: Path) -> Path:
    scenario.build(db, settings, catalog_csv)
    return db_path


def test_groups_json_and_table(run: Run, world: Path) -> None:
    result = run("groups", "--db", str(world), "--format", "json")
    assert result.code == 0, result.err
    rows = json.loads(result.out)
    assert [r["group"] for r in rows] == ["SPARKS", "PEERCOPY", "SPRKS", "CAMZ"]
    sparks = rows[0]
    assert sparks["variants"] == ["SPARKS", "Sparks", "sparks"]
    assert (sparks["releases"], sparks["leaks"], sparks["pre_release_rate"]) == (14, 4, 0.8)
    assert (sparks["first_to_release"], sparks["contested"]) == (10, 11)

    result = run("groups", "--db", str(world), "--sort", "releases", "-n", "2")
    assert result.code == 0, result.err
    assert "PEERCOPY" in result.out and "SPARKS" in result.out and "CAMZ" not in result.out
    assert "2 of 4 groups" in result.out

    result = run("groups", "--db", str(world), "--format", "csv")
    table = list(csv.DictReader(io.StringIO(result.out)))
    assert table[0]["group"] == "SPARKS" and table[0]["variants"] == "SPARKS|Sparks|sparks"

    assert run("groups", "--db", str(world), "--sort", "nonsense").code != 0


def test_group_dossier_json(run: Run, world: Path) -> None:
    result = run("group", "sparks", "--db", str(world), "--format", "json")
    assert result.code == 0, result.err
    d = json.loads(result.out)
    assert d["group"] == "SPARKS" and d["leaks"] == 4 and d["leaks_by_window"] == {"physical": 4}
    assert d["first_release"]["median_margin_hours"] == 4.5
    assert d["nukes"]["reasons"] == {"mislabeled.source": 1}
    assert d["distributors"][0]["accounts"] == ["Flicks & Co Retail"]
    assert {(k["kind"], k["target"]) for k in d["links"]} == {
        ("follower", "PEERCOPY"),
        ("nfo", "SPRKS"),
        ("trackers", "SPRKS"),
        ("renamed", "SPRKS"),
    }
    assert len(d["release_list"]) == 14 and len(d["timeline"]) == 22
    (follower,) = [k for k in d["links"] if k["kind"] == "follower"]
    details = follower["details"]
    assert (details["followed"], details["after"], details["before"]) == (10, 10, 1)
    assert details["p_value"] < 0.001 and details["expected_by_chance"] < 2
    assert "Racing to the same window opening would rarely give this" in follower["evidence"]
    # the chance is not the chance of innocence, and the number of pairs tested is said
    assert "is not the chance that they are unconnected" in follower["evidence"]
    tested = details["pairs_tested"]
    assert tested >= 1 and f"{tested:,} pair" in follower["evidence"]


def test_group_dossier_table_and_csv(run: Run, world: Path) -> None:
    result = run("group", "SPRKS", "--db", str(world))
    assert result.code == 0, result.err
    for text in ("SPRKS", "dossier", "Activity per month", "Links to other groups", "formerly"):
        assert text in result.out
    assert "followed by" in result.out and "PEERCOPY" in result.out
    result = run("group", "sparks", "--db", str(world), "--format", "csv")
    fields = dict(csv.reader(io.StringIO(result.out)))
    assert fields["group"] == "SPARKS" and fields["first_release.first"] == "10"
    assert fields["variants"] == "SPARKS|Sparks|sparks"


def test_group_follow_hours_option(run: Run, world: Path) -> None:
    result = run("group", "peercopy", "--db", str(world), "--follow-hours", "1", "-f", "json")
    assert result.code == 0, result.err
    assert [k for k in json.loads(result.out)["links"] if k["kind"] == "follower"] == []


def test_group_unknown(run: Run, world: Path) -> None:
    result = run("group", "NOBODY", "--db", str(world))
    assert result.code == 66
    assert "no releases by a group called 'NOBODY'" in result.err


def test_group_graph_export(run: Run, world: Path, tmp_path: Path) -> None:
    graphml_file, json_file = tmp_path / "out" / "g.graphml", tmp_path / "g.json"
    result = run(
        "group-graph", "--db", str(world), "--graphml", str(graphml_file), "--json", str(json_file)
    )
    assert result.code == 0, result.err
    assert "4 groups, 5 links written" in result.out
    root = ET.parse(graphml_file).getroot()
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    assert len(root.findall(f"{ns}graph/{ns}node")) == 4
    assert len(root.findall(f"{ns}graph/{ns}edge")) == 5
    data = json.loads(json_file.read_text(encoding="utf-8"))
    assert set(data) == {"nodes", "links"} and len(data["links"]) == 5

    result = run(
        "group-graph",
        "--db",
        str(world),
        "--json",
        str(json_file),
        "--kind",
        "renamed",
        "--linked-only",
    )
    assert result.code == 0, result.err
    data = json.loads(json_file.read_text(encoding="utf-8"))
    assert [link["kind"] for link in data["links"]] == ["renamed"]
    assert {n["name"] for n in data["nodes"]} == {"SPARKS", "SPRKS"}

    result = run("group-graph", "--db", str(world))
    assert result.code == 65 and "--graphml" in result.err
