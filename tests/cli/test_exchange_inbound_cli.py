"""``leaktrace exchange pull|push|import`` through the real entry point, against a real
medallion on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.medallion_server import MedallionServer, start_medallion
from tests.services.inbound_data import by_name, partner_bundle, partner_objects
from tests.services.inbound_fixtures import RECEIVER, make_context

USER, PASSWORD, VARIABLE = "partner", "partner-secret", "LEAKTRACE_TEST_PEER_PASSWORD"


@pytest.fixture(scope="module")
def medallion() -> Iterator[MedallionServer]:
    with start_medallion(("from-peer", "to-peer"), {USER: PASSWORD}) as m:
        m.add("from-peer", partner_objects())
        yield m


@pytest.fixture
def db(tmp_path: Path) -> str:
    for _ in make_context(tmp_path, ("inbox", "outbox")):
        pass
    return str(tmp_path / "inbound.db")


def test_pull_push_and_import_report_in_words_and_json(
    run: Run, db: str, medallion: MedallionServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(VARIABLE, PASSWORD)
    peer = ["--user", USER, "--password-env", VARIABLE, "--db", db]
    pulled = run(
        "exchange",
        "pull",
        medallion.api_root,
        "--collection",
        medallion.collection_ids["from-peer"],
        "--into",
        "inbox",
        "--agency",
        RECEIVER,
        "--limit",
        "5",
        *peer,
        "--format",
        "json",
    )
    assert pulled.code == 0, pulled.err
    report = json.loads(pulled.out)
    assert (report["pages"], report["stored"], report["refused"]) == (3, 15, 0)
    assert report["agency"] == RECEIVER and report["checkpoint"]
    again = run(
        "exchange",
        "pull",
        medallion.api_root,
        "--collection",
        medallion.collection_ids["from-peer"],
        "--into",
        "inbox",
        "--agency",
        RECEIVER,
        *peer,
    )
    assert again.code == 0 and "0 stored" in again.out and "0 refused" in again.out

    pushed = run(
        "exchange",
        "push",
        medallion.api_root,
        "--collection",
        medallion.collection_ids["to-peer"],
        "--from",
        "inbox",
        "--agency",
        RECEIVER,
        *peer,
    )
    assert pushed.code == 0, pushed.err
    assert "skipped" in pushed.out and "never pushed" in pushed.out
    assert set(by_name(medallion.objects("to-peer"))) == {"GREENGRP", "AMBERH3", "GRANULAR"}

    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(partner_bundle()), encoding="utf-8")
    imported = run(
        "exchange", "import", str(bundle), "--into", "outbox", "--db", db, "--format", "json"
    )
    assert imported.code == 0, imported.err
    assert json.loads(imported.out)["stored"] == 15
    assert "no agency can see them" in imported.err


def test_errors_are_one_clear_line_with_the_right_exit_code(
    run: Run, db: str, medallion: MedallionServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(VARIABLE, raising=False)
    target = [medallion.api_root, "--collection", medallion.collection_ids["to-peer"]]
    no_agency = run("exchange", "push", *target, "--from", "inbox", "--db", db)
    assert no_agency.code == 65 and "--agency" in no_agency.err
    no_password = run(
        "exchange",
        "pull",
        *target,
        "--into",
        "inbox",
        "--user",
        USER,
        "--password-env",
        VARIABLE,
        "--db",
        db,
    )
    assert no_password.code == 65 and VARIABLE in no_password.err
    not_bundle = tmp_path / "list.json"
    not_bundle.write_text("[]", encoding="utf-8")
    refused = run("exchange", "import", str(not_bundle), "--into", "inbox", "--db", db)
    assert refused.code == 65 and str(not_bundle) in refused.err and "bundle" in refused.err
    missing = run("exchange", "pull", *target, "--into", "nowhere", "--db", db)
    assert missing.code == 66 and "nowhere" in missing.err
    for result in (no_agency, no_password, refused, missing):
        assert "Traceback" not in result.err


def test_credentials_csv_and_max_pages(
    run: Run, db: str, medallion: MedallionServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review M3, M6, M7: a password in the URL is refused and never printed; csv is not
    offered (these reports have no rows); --max-pages caps a run."""
    peer = medallion.collection_ids["from-peer"]
    with_password = medallion.api_root.replace("http://", f"http://{USER}:S3cretPW@")
    leaked = run(
        "exchange", "pull", with_password, "--collection", peer, "--into", "inbox", "--db", db
    )
    assert leaked.code == 65 and "--password-env" in leaked.err
    assert "S3cretPW" not in leaked.out + leaked.err and "Traceback" not in leaked.err
    for command in ("pull", "push", "import"):
        csv = run("exchange", command, "--help")
        assert csv.code == 0 and "csv" not in csv.out
    refused = run(
        "exchange", "pull", medallion.api_root, "--collection", peer, "--into", "inbox",
        "--format", "csv", "--db", db,
    )  # fmt: skip
    assert refused.code == 2 and "csv" in refused.err
    monkeypatch.setenv(VARIABLE, PASSWORD)
    capped = run(
        "exchange", "pull", medallion.api_root, "--collection", peer, "--into", "inbox",
        "--agency", RECEIVER, "--user", USER, "--password-env", VARIABLE, "--limit", "5",
        "--max-pages", "1", "--db", db, "--format", "json",
    )  # fmt: skip
    assert capped.code == 0, capped.err
    report = json.loads(capped.out)
    assert (report["pages"], report["stored"]) == (1, 5) and "--max-pages" in capped.err


def test_exchange_help_lists_each_inbound_command_on_one_line(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    listing = run("exchange", "--help")
    assert listing.code == 0
    lines = listing.out.splitlines()
    start = next(n for n, line in enumerate(lines) if "Commands" in line)
    rows = [line.strip("│ ") for line in lines[start + 1 :] if line.startswith("│")]
    names = {row.split()[0] for row in rows}
    # one line per command: no continuation lines of a docstring's second sentence
    assert len(rows) == len(names) and {"pull", "push", "import"} <= names
    summaries = {row.split()[0]: row.split(None, 1)[1] for row in rows}
    assert summaries["pull"] == "Pull a peer's TAXII collection into a local collection."
    assert summaries["import"] == "Import a STIX 2.1 bundle file into a local collection."
    assert summaries["push"].startswith("Push what an agency may see of a local collection")
