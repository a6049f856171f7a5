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
