"""``leaktrace exchange``: collections, publish, permit and export through the real entry
point: exit codes, messages on stderr, ids and paths on stdout, JSON forms."""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from tests.cli.conftest import Result, Run
from tests.services.demo_world import demo_copy


@pytest.fixture
def db(tmp_path: Path, run: Run) -> str:
    path = str(demo_copy(tmp_path / "db"))
    for code, country in (("FR-PN", "FR"), ("NL-POL", "NL"), ("DE-BKA", "DE")):
        result = run(
            "agency",
            "add",
            code,
            "--name",
            code,
            "--country",
            country,
            "--kind",
            "police",
            "--db",
            path,
        )
        assert result.code == 0, result.err
    return path


def publish_fr(run: Run, db: str, *options: str, collection: str = "Europe") -> Result:
    """``exchange publish --targets FR --collection Europe OPTIONS``."""
    return run(
        "exchange", "publish", "--targets", "FR", "--collection", collection, *options, "--db", db
    )


def test_collection_add_set_list(run: Run, db: str) -> None:
    added = run(
        "exchange",
        "collection",
        "add",
        "Europe",
        "--read",
        "FR-PN,nl-pol",
        "--write",
        "FR-PN",
        "--db",
        db,
    )
    assert added.code == 0, added.err
    collection_id = added.out.strip()
    assert len(collection_id) == 36
    assert "read FR-PN, NL-POL; write FR-PN" in added.err
    again = run("exchange", "collection", "add", "Europe", "--db", db)
    assert again.code == 73 and "exists already" in again.err
    unknown = run("exchange", "collection", "add", "Other", "--read", "XX-NOPE", "--db", db)
    assert unknown.code == 65 and "XX-NOPE" in unknown.err
    changed = run("exchange", "collection", "set", "Europe", "--read", "DE-BKA", "--db", db)
    assert changed.code == 0 and "read DE-BKA; write nobody" in changed.err
    listed = run("exchange", "collection", "list", "--format", "json", "--db", db)
    assert listed.code == 0
    assert json.loads(listed.out) == [
        {
            **json.loads(listed.out)[0],
            "id": collection_id,
            "title": "Europe",
            "readers": ["DE-BKA"],
            "writers": [],
        }
    ]
    table = run("exchange", "collection", "list", "--db", db)
    assert "Europe" in table.out and "nobody" in table.out
    missing = run("exchange", "collection", "set", "Nowhere", "--db", db)
    assert missing.code == 66


def test_publish_and_its_refusals(run: Run, db: str) -> None:
    run(
        "exchange",
        "collection",
        "add",
        "Europe",
        "--read",
        "FR-PN,NL-POL",
        "--write",
        "FR-PN",
        "--db",
        db,
    )
    ok = publish_fr(
        run, db, "--tlp", "red", "--to", "NL-POL", "--handling", "H2", "--agency", "FR-PN"
    )
    assert ok.code == 0, ok.err
    assert "published targets FR into 'Europe' as FR-PN (TLP:RED, H2 to NL-POL)" in ok.out
    alone = publish_fr(run, db, "--tlp", "red", "--agency", "FR-PN", "--format", "json")
    assert alone.code == 0
    view = json.loads(alone.out)
    assert view["audience"] == [] and view["objects"] > 0
    assert view["notes"] == ["TLP:RED without --to: visible to the publisher (FR-PN) only"]
    cases = {
        ("--tlp", "amber", "--to", "NL-POL", "--agency", "FR-PN"): (65, "field '--to'"),
        ("--tlp", "red", "--to", "DE-BKA", "--agency", "FR-PN"): (77, "DE-BKA may not read"),
        ("--tlp", "amber", "--agency", "NL-POL"): (77, "NL-POL may not write"),
        ("--tlp", "amber"): (65, "field '--agency'"),
        ("--tlp", "orange", "--agency", "FR-PN"): (65, "field '--tlp': unknown TLP level"),
        ("--tlp", "amber", "--handling", "H3", "--agency", "FR-PN"): (
            65,
            "field '--handling-text': H3 needs a text",
        ),
        ("--tlp", "amber", "--handling", "H0", "--source", "Q", "--agency", "FR-PN"): (
            65,
            "field '--source'",
        ),
        ("--tlp", "amber", "--agency", "XX-NOPE"): (65, "field '--agency'"),
    }
    for options, (code, message) in cases.items():
        result = publish_fr(run, db, *options)
        assert result.code == code, (options, result.err)
        assert message in result.err, (options, result.err)
        assert "Traceback" not in result.err
    both = publish_fr(run, db, "--all-leaks", "--tlp", "amber", "--agency", "FR-PN")
    assert both.code == 65 and "field '--targets, --all-leaks': give exactly one of" in both.err
    nowhere = publish_fr(run, db, "--tlp", "amber", "--agency", "FR-PN", collection="Nowhere")
    assert nowhere.code == 66


def test_permit(run: Run, db: str) -> None:
    stix_id = "intrusion-set--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
    ok = run(
        "exchange", "permit", stix_id, "--agency", "NL-POL", "--granted-by", "FR desk", "--db", db
    )
    assert ok.code == 0 and "NL-POL may pass" in ok.err
    bad = run("exchange", "permit", "nope", "--agency", "NL-POL", "--granted-by", "x", "--db", db)
    assert bad.code == 65


def test_export_stix_and_misp(run: Run, db: str, tmp_path: Path) -> None:
    bundle = tmp_path / "fr.json"
    ok = run("exchange", "export", "--targets", "FR", "--format", "stix", str(bundle), "--db", db)
    assert ok.code == 0, ok.err
    assert ok.out.strip() == str(bundle) and "(TLP:AMBER)" in ok.err
    assert json.loads(bundle.read_text())["type"] == "bundle"
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    again = run(
        "exchange", "export", "--targets", "FR", "--format", "stix", str(bundle), "--db", db
    )
    assert again.code == 73 and "--force" in again.err
    misp = tmp_path / "group.misp.json"
    event = run(
        "exchange",
        "export",
        "--group",
        "EMBERS",
        "--format",
        "misp",
        str(misp),
        "--tlp",
        "green",
        "--agency",
        "FR-PN",
        "--db",
        db,
    )
    assert event.code == 0, event.err
    tags = [t["name"] for t in json.loads(misp.read_text())["Tag"]]
    assert "tlp:green" in tags and 'anti-piracy:type="copyright-infringement"' in tags
    refused = run(
        "exchange", "export", "--targets", "FR", "--format", "misp", str(tmp_path / "x"), "--db", db
    )
    assert refused.code == 65 and "case or a group" in refused.err
    assert not (tmp_path / "x").exists()


def test_collection_export_needs_agency(run: Run, db: str, tmp_path: Path) -> None:
    """The operator sees every RED and AMBER+STRICT row: a collection export without
    --agency writes nothing and says which option to give."""
    run(
        "exchange", "collection", "add", "Europe", "--read", "FR-PN", "--write", "FR-PN", "--db", db
    )
    published = publish_fr(run, db, "--tlp", "red", "--agency", "FR-PN")
    assert published.code == 0, published.err
    path = tmp_path / "europe.json"
    refused = run(
        "exchange", "export", "--collection", "Europe", "--format", "stix", str(path), "--db", db
    )
    assert refused.code == 65 and "--agency" in refused.err, refused.err
    assert "Traceback" not in refused.err and not path.exists()
    ok = run(
        "exchange",
        "export",
        "--collection",
        "Europe",
        "--format",
        "stix",
        str(path),
        "--agency",
        "FR-PN",
        "--db",
        db,
    )
    assert ok.code == 0, ok.err
    assert json.loads(path.read_text())["type"] == "bundle"


def test_formats_offered_are_the_formats_printed(run: Run, db: str) -> None:
    """A command printing one result offers table|json only; the collection list is rows,
    so it has csv too; --help says so, and export --help says the TLP default."""
    run("exchange", "collection", "add", "Europe", "--read", "FR-PN,NL-POL", "--db", db)
    run("exchange", "collection", "add", "Sealed", "--db", db)
    listed = run("exchange", "collection", "list", "--format", "csv", "--db", db)
    assert listed.code == 0, listed.err
    rows = list(csv.DictReader(io.StringIO(listed.out)))
    assert [(r["title"], r["readers"], r["writers"]) for r in rows] == [
        ("Europe", "FR-PN,NL-POL", ""),
        ("Sealed", "", ""),
    ]
    assert {"id", "alias", "description", "created_at"} <= set(rows[0])
    stix_id = "intrusion-set--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
    single: dict[tuple[str, ...], tuple[str, ...]] = {
        ("collection", "add"): ("Other",),
        ("collection", "set"): ("Europe",),
        ("permit",): (stix_id, "--agency", "NL-POL", "--granted-by", "x"),
        ("publish",): ("--targets", "FR", "--collection", "Europe", "--tlp", "amber"),
    }
    for command, arguments in single.items():
        refused = run("exchange", *command, *arguments, "--format", "csv", "--db", db)
        assert refused.code == 2 and "'table', 'json'" in refused.err, (command, refused.err)
        assert "Traceback" not in refused.err
        helped = run("exchange", *command, "--help")
        assert helped.code == 0 and "<table|json>" in helped.out, (command, helped.out)
        assert "csv" not in helped.out
    assert "<table|json|csv>" in run("exchange", "collection", "list", "--help").out
    assert run("exchange", "collection", "list", "--db", db).code == 0
    words = " ".join(
        line.strip("│ ").strip() for line in run("exchange", "export", "--help").out.splitlines()
    )
    assert "Default when not given: TLP:AMBER" in " ".join(words.split())
