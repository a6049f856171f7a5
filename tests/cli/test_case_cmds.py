"""``leaktrace case``, ``verify`` and ``evidence``: through the real entry point, on a
copy of the demo scenario's SQLite database with two agencies."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.cli.conftest import Run
from tests.evidence.test_timestamping import closed_port
from tests.evidence.tsa_server import TestTSA, tsa_server
from tests.services.demo_world import demo_copy

__all__ = ["tsa_server"]

HEX64 = r"[0-9a-f]{64}"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo scenario's database (built once per test run), copied for the module."""
    return demo_copy(tmp_path_factory.mktemp("case-cli-demo"))


@pytest.fixture
def db(demo_db: Path, tmp_path: Path, run: Run) -> str:
    """A fresh copy of the demo database with the agencies NL-POL and DE-BKA."""
    copy = tmp_path / "cases.db"
    shutil.copyfile(demo_db, copy)
    for code, country in (("NL-POL", "NL"), ("DE-BKA", "DE")):
        added = run("agency", "add", code, "--name", f"Police {code}", "--country", country,
                    "--kind", "police", "--db", str(copy))  # fmt: skip
        assert added.code == 0, added.err
    return str(copy)


def _json(run: Run, *args: str) -> object:
    result = run(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def _json_code(run: Run, code: int, *args: str) -> dict[str, object]:
    result = run(*args, "--format", "json")
    assert result.code == code, result.err
    found: dict[str, object] = json.loads(result.out)
    return found


def _first_leak(run: Run, db: str) -> dict[str, object]:
    leaks = _json(run, "leaks", "--limit", "1", "--db", db)
    assert isinstance(leaks, list) and leaks
    leak: dict[str, object] = leaks[0]
    return leak


def test_open_add_show_list_export_verify(run: Run, db: str, tmp_path: Path) -> None:
    opened = run("case", "open", "Operation <b>Lantern</b>", "--agency", "nl-pol",
                 "--legal-basis", "Art. 126 Sv", "--reference", "NL-2025-001",
                 "--retention", "2035-12-31", "--db", db)  # fmt: skip
    assert opened.code == 0, opened.err
    case = opened.out.strip()
    assert case.isdigit()
    assert _json(run, "case", "open", "Second", "--agency", "DE-BKA", "--db", db) == {
        "id": int(case) + 1
    }

    leak = _first_leak(run, db)
    evidence = tmp_path / "tracker-log.txt"
    evidence.write_bytes(b"peer 203.0.113.11 seeded at 02:14\n")
    added = _json(run, "case", "add", case, "--leak", str(leak["id"]),
                  "--release", str(leak["release"]), "--group", str(leak["group"]),
                  "--host", "192.0.2.10", "--targets", "ca", "--supply-rank",
                  "--impact", str(leak["work_id"]), "--impact", "all", "--file", str(evidence),
                  "--note", "first look\nsecond line", "--reason", "seen on the tracker",
                  "--db", db)  # fmt: skip
    assert isinstance(added, list)
    assert [a["kind"] for a in added] == [
        "leak", "release", "group", "host", "supply-rank", "targets", "impact", "impact",
        "file", "note",
    ]  # fmt: skip
    assert [a["reference"] for a in added[3:8]] == [
        "192.0.2.10", "", "CA", leak["work_id"], ""
    ]  # fmt: skip
    items = [a for a in added if a["kind"] != "note"]
    assert all(len(a["sha256"]) == 64 and a["reason"] == "seen on the tracker" for a in items)
    assert added[8]["original_name"] == "tracker-log.txt" and added[8]["size"] == 34

    subject = run("case", "subject", "add", case, "group", str(leak["group"]), "--db", db)
    assert subject.code == 0, subject.err
    member = run("case", "member", "add", case, "de-bka", "--role", "observer", "--db", db)
    assert member.code == 0 and "DE-BKA is now observer" in member.err
    task = _json(run, "case", "task", "add", case, "Ask the host for logs", "--db", db)
    assert isinstance(task, dict) and task["status"] == "open"
    done = _json(run, "case", "task", "done", case, str(task["id"]), "--db", db)
    assert isinstance(done, dict) and done["status"] == "done"

    shown = run("case", "show", case, "--db", db)
    assert shown.code == 0, shown.err
    detail = _json(run, "case", "show", case, "--db", db)
    assert isinstance(detail, dict)
    assert detail["title"] == "Operation <b>Lantern</b>"
    assert detail["retention_until"] == "2035-12-31"
    assert "Operation <b>Lantern</b>" in shown.out  # Rich markup is not interpreted
    for item in detail["evidence"]:
        assert item["sha256"] in shown.out  # every hash in full
    assert [i["kind"] for i in detail["evidence"] if i["personal"]] == ["group", "supply-rank"]
    assert "supply-rank (personal data)" in shown.out
    for entry in detail["timeline"]:
        assert entry["leaf_hash"] in shown.out
    head = detail["tree_head"]
    assert head["tree_size"] == len(detail["timeline"]) == 15
    assert head["root_hash"] in shown.out and head["signature"] in shown.out
    assert head["checkpoint"].splitlines()[0] in shown.out
    assert [m["agency"] for m in detail["members"]] == ["NL-POL", "DE-BKA"]

    listed = _json(run, "case", "list", "--db", db)
    assert isinstance(listed, list)
    assert [c["id"] for c in listed] == [int(case) + 1, int(case)]
    assert _json(run, "case", "list", "--status", "closed", "--db", db) == []

    bundle = tmp_path / "case.zip"
    exported = _json(run, "case", "export", case, "--out", str(bundle), "--db", db)
    assert isinstance(exported, dict) and exported["tree_size"] == 16
    assert bundle.is_file() and zipfile.is_zipfile(bundle)

    valid = run("verify", str(bundle))
    assert valid.code == 0, valid.out + valid.err
    assert "VALID" in valid.out and head["key_fingerprint"] in valid.out
    key = _json(run, "evidence", "key", "--db", db)
    assert isinstance(key, dict) and key["fingerprint"] == head["key_fingerprint"]
    expected = run("verify", str(bundle), "--expect-key", str(key["fingerprint"]))
    assert expected.code == 0, expected.out
    wrong_key = run("verify", str(bundle), "--expect-key", "0" * 64, "--format", "json")
    assert wrong_key.code == 1
    assert json.loads(wrong_key.out)["ok"] is False

    # a later export extends the earlier one; the earlier does not extend the later
    assert run("case", "add", case, "--note", "after the export", "--db", db).code == 0
    later = tmp_path / "later.zip"
    assert run("case", "export", case, "--out", str(later), "--db", db).code == 0
    assert run("verify", str(later), "--against", str(bundle)).code == 0
    backwards = run("verify", str(bundle), "--against", str(later))
    assert backwards.code == 1 and "INVALID" in backwards.out


def test_a_changed_entry_fails_verify_naming_it(run: Run, db: str, tmp_path: Path) -> None:
    case = run("case", "open", "Tamper", "--agency", "NL-POL", "--db", db).out.strip()
    assert run("case", "add", case, "--note", "original words", "--db", db).code == 0
    bundle = tmp_path / "case.zip"
    assert run("case", "export", case, "--out", str(bundle), "--db", db).code == 0
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(bundle) as source, zipfile.ZipFile(tampered, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "entries.jsonl":
                data = data.replace(b"original words", b"altered words!")
            target.writestr(info, data)
    result = run("verify", str(tampered), "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    assert report["ok"] is False and "entr" in report["problem"]
    text = run("verify", str(tampered))
    assert text.code == 1 and "INVALID" in text.out


def test_evidence_verify_and_proofs(run: Run, db: str) -> None:
    case = run("case", "open", "Proofs", "--agency", "NL-POL", "--db", db).out.strip()
    for n in range(4):
        assert run("case", "add", case, "--note", f"note {n}", "--db", db).code == 0
    checked = run("evidence", "verify", "--db", db)
    assert checked.code == 0 and "VALID" in checked.out
    whole = _json(run, "evidence", "verify", "--case", case, "--db", db)
    assert isinstance(whole, dict) and whole["ok"] and whole["entries"] == 5

    inclusion = run("evidence", "proof", case, "--index", "2", "--db", db)
    assert inclusion.code == 0, inclusion.err
    proof = json.loads(inclusion.out)
    assert proof["index"] == 2 and proof["tree_size"] == 5 and proof["proof"]
    assert proof["tree_head"]["tree_size"] == 5
    at_three = json.loads(run("evidence", "proof", case, "--index", "1", "--size", "3",
                              "--db", db).out)  # fmt: skip
    assert at_three["tree_size"] == 3 and at_three["tree_head"]["tree_size"] == 3
    consistency = json.loads(run("evidence", "proof", case, "--consistency", "2",
                                 "--db", db).out)  # fmt: skip
    assert (consistency["old_size"], consistency["new_size"]) == (2, 5)
    assert consistency["old_root"] == consistency["old_tree_head"]["root_hash"]

    # an entry changed behind the application's back (its trigger dropped): exit 1, named
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER evidence_entries_no_update")
        conn.execute(
            "UPDATE evidence_entries SET entry = "
            "CAST(replace(CAST(entry AS TEXT), 'note 2', 'note X') AS BLOB) "
            "WHERE case_id = ? AND seq = 3",
            (int(case),),
        )
    broken = run("evidence", "verify", "--case", case, "--db", db)
    assert broken.code == 1 and "INVALID" in broken.out
    assert f"case {case}, entry 3" in broken.out, broken.out
    report = _json_code(run, 1, "evidence", "verify", "--db", db)
    problems = report["problems"]
    assert isinstance(problems, list)
    assert report["ok"] is False and [p["seq"] for p in problems] == [3]

    neither = run("evidence", "proof", case, "--db", db)
    assert neither.code == 2 and "exactly one" in neither.err
    beyond = run("evidence", "proof", case, "--index", "5", "--db", db)
    assert beyond.code == 65, beyond.err


def test_errors_use_the_exit_code_table(run: Run, db: str, tmp_path: Path) -> None:
    missing = run("case", "show", "999", "--db", db)
    assert missing.code == 66 and "999" in missing.err
    unknown_agency = run("case", "open", "x", "--agency", "NOPE", "--db", db)
    assert unknown_agency.code == 66 and "NOPE" in unknown_agency.err
    assert run("case", "open", "   ", "--agency", "NL-POL", "--db", db).code == 65
    bad_date = run("case", "open", "x", "--agency", "NL-POL", "--retention", "soon",
                   "--db", db)  # fmt: skip
    assert bad_date.code == 65 and "--retention" in bad_date.err
    case = run("case", "open", "Errors", "--agency", "NL-POL", "--db", db).out.strip()
    # a missing file is found before anything is added: the note is not added either
    no_file = run("case", "add", case, "--note", "n", "--file", str(tmp_path / "nope"),
                  "--db", db)  # fmt: skip
    assert no_file.code == 65 and "no such file" in no_file.err
    nothing = run("case", "add", case, "--db", db)
    assert nothing.code == 2
    detail = _json(run, "case", "show", case, "--db", db)
    assert isinstance(detail, dict) and detail["notes"] == [] and detail["tree_size"] == 1
    assert run("case", "status", case, "frozen", "--db", db).code == 2
    assert run("case", "status", case, "closed", "--db", db).code == 0
    closed = run("case", "add", case, "--note", "late", "--db", db)
    assert closed.code == 73, closed.err
    assert run("case", "status", case, "open", "--db", db).code == 0
    absent = run("case", "add", case, "--leak", "999999", "--db", db)
    assert absent.code == 66, absent.err
    assert run("verify", str(tmp_path / "none.zip")).code == 65
    not_zip = tmp_path / "not.zip"
    not_zip.write_text("hello")
    assert run("verify", str(not_zip)).code == 1


def _help(run: Run, *args: str) -> str:
    shown = run(*args, "--help")
    assert shown.code == 0, shown.err
    return " ".join(shown.out.replace("│", " ").split())


def test_verify_warns_unless_the_key_is_expected_and_takes_folders(
    run: Run, db: str, tmp_path: Path
) -> None:
    case = run("case", "open", "Keys", "--agency", "NL-POL", "--db", db).out.strip()
    bundle = tmp_path / "case.zip"
    assert run("case", "export", case, "--out", str(bundle), "--db", db).code == 0

    unchecked = run("verify", str(bundle))
    assert unchecked.code == 0, unchecked.out
    assert "VALID" in unchecked.out
    said = " ".join(unchecked.out.split())
    assert "key was NOT checked against a published fingerprint" in said
    assert "--expect-key" in said
    fingerprint = _json(run, "evidence", "key", "--db", db)
    assert isinstance(fingerprint, dict)
    checked = run("verify", str(bundle), "--expect-key", str(fingerprint["fingerprint"]))
    assert checked.code == 0 and "NOT checked" not in checked.out
    as_json = _json(run, "verify", str(bundle))  # JSON: the view, no warning text added
    assert isinstance(as_json, dict) and as_json["ok"] is True

    # an unpacked bundle verifies like its zip; a tampered folder does not
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    assert run("verify", str(folder)).code == 0
    assert run("verify", str(bundle), "--against", str(folder)).code == 0
    entries = folder / "entries.jsonl"
    entries.write_bytes(entries.read_bytes().replace(b"Keys", b"Kays"))
    broken = run("verify", str(folder))
    assert broken.code == 1 and "INVALID" in broken.out

    # --tsa-certificate reaches the verifier: a missing one is named (65), none is said
    no_pem = run("verify", str(bundle), "--tsa-certificate", str(tmp_path / "tsa.pem"))
    assert no_pem.code == 65 and "tsa.pem" in no_pem.err
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("not a certificate\n")
    bad_pem = run("verify", str(bundle), "--tsa-certificate", str(not_pem))
    assert bad_pem.code == 65 and "not.pem" in bad_pem.err


def test_not_a_regular_file_is_named(run: Run, db: str, tmp_path: Path) -> None:
    device = run("verify", "/dev/null")
    assert device.code == 65 and "not a regular file" in device.err
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    case = run("case", "open", "Fifo", "--agency", "NL-POL", "--db", db).out.strip()
    piped = run("case", "add", case, "--file", str(fifo), "--db", db)
    assert piped.code == 65 and "not a regular file" in piped.err
    assert run("case", "add", case, "--file", str(tmp_path / "gone"), "--db", db).code == 65


def test_export_refuses_an_existing_file_unless_forced(run: Run, db: str, tmp_path: Path) -> None:
    case = run("case", "open", "Overwrite", "--agency", "NL-POL", "--db", db).out.strip()
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    refused = run("case", "export", case, "--out", str(precious), "--db", db)
    assert refused.code == 73, refused.err
    assert "--force" in refused.err and "precious.txt" in refused.err
    assert precious.read_text() == "keep me\n"
    detail = _json(run, "case", "show", case, "--db", db)
    assert isinstance(detail, dict) and detail["tree_size"] == 1  # nothing was exported
    forced = run("case", "export", case, "--out", str(precious), "--force", "--db", db)
    assert forced.code == 0, forced.err
    assert zipfile.is_zipfile(precious)
    assert "--force" in _help(run, "case", "export")


def test_report_formats_and_help_texts(run: Run, db: str, tmp_path: Path) -> None:
    for args in (("verify", str(tmp_path / "x.zip")), ("evidence", "verify", "--db", db),
                 ("evidence", "key", "--db", db)):  # fmt: skip
        refused = run(*args, "--format", "csv")
        assert refused.code == 2, (args, refused.err)
        assert "<table|json>" in _help(run, *args[:2] if args[0] == "evidence" else args[:1])
    verify_help = _help(run, "verify")
    assert "0 valid, 1 invalid" in verify_help and "usual codes" in verify_help
    assert "--tsa-certificate" in verify_help and "unpacked" in verify_help
    assert "usual codes" in _help(run, "evidence", "verify")
    status_help = _help(run, "case", "status")
    assert "Why the status changes" in status_help
    add_help = _help(run, "case", "add")
    assert "Why these findings and files are evidence" in add_help
    assert "Notes take no reason" in add_help
    assert "Why the status changes" not in add_help
    assert "e-mail of an active user of a member agency" in _help(run, "case", "task", "add")
    export_help = _help(run, "case", "export")
    assert "an existing file is refused unless --force" in export_help


def test_case_add_is_all_or_nothing(run: Run, db: str, tmp_path: Path) -> None:
    case = run("case", "open", "Atomic", "--agency", "NL-POL", "--db", db).out.strip()
    leak = _first_leak(run, db)
    evidence = tmp_path / "seized.bin"
    evidence.write_bytes(b"seized\n")
    failed = run("case", "add", case, "--leak", str(leak["id"]), "--release", "nosuch",
                 "--file", str(evidence), "--note", "not kept", "--db", db)  # fmt: skip
    assert failed.code == 66, failed.err
    assert "nosuch" in failed.err
    detail = _json(run, "case", "show", case, "--db", db)
    assert isinstance(detail, dict)
    assert (detail["evidence"], detail["notes"], detail["tree_size"]) == ([], [], 1)

    added = _json(run, "case", "add", case, "--leak", str(leak["id"]), "--file", str(evidence),
                  "--note", "kept", "--reason", "both", "--db", db)  # fmt: skip
    assert isinstance(added, list)
    assert [a["kind"] for a in added] == ["leak", "file", "note"]
    assert [a.get("reason") for a in added] == ["both", "both", None]  # notes take no reason


def test_case_status_changes_in_one_step(run: Run, db: str) -> None:
    case = run("case", "open", "Status", "--agency", "NL-POL", "--db", db).out.strip()
    closed = _json(run, "case", "status", case, "closed", "--reason", "done", "--db", db)
    assert isinstance(closed, dict) and closed["status"] == "closed"
    again = run("case", "status", case, "closed", "--db", db)  # already so: no new entry
    assert again.code == 0 and f"case {case} is closed" in again.err
    detail = _json(run, "case", "show", case, "--db", db)
    assert isinstance(detail, dict)
    events = [e["event"] for e in detail["timeline"]]
    assert events == ["case.opened", "status.changed"]


def test_evidence_stamp_retries_failed_time_stamps(
    run: Run, db: str, tsa_server: TestTSA, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_set = run("evidence", "stamp", "--db", db)
    assert not_set.code == 78 and "tsa_url" in not_set.err
    case = run("case", "open", "Stamps", "--agency", "NL-POL", "--db", db).out.strip()
    assert run("case", "add", case, "--note", "one", "--db", db).code == 0  # 2 heads, no tokens

    monkeypatch.setenv("LEAKTRACE_EVIDENCE__TSA_URL", f"http://127.0.0.1:{closed_port()}/tsa")
    monkeypatch.setenv("LEAKTRACE_EVIDENCE__TSA_TIMEOUT", "5")
    down = run("evidence", "stamp", "--db", db)
    assert down.code == 1, down.err
    assert "PENDING" in down.out and f"case {case}, tree head 1" in down.out
    failed = _json_code(run, 1, "evidence", "stamp", "--case", case, "--db", db)
    assert failed["ok"] is False and failed["pending"] == 2 and failed["stamped"] == []

    monkeypatch.setenv("LEAKTRACE_EVIDENCE__TSA_URL", tsa_server.url)
    monkeypatch.setenv("LEAKTRACE_EVIDENCE__TSA_CERTIFICATE", str(tsa_server.chain))
    done = run("evidence", "stamp", "--case", case, "--db", db)
    assert done.code == 0, done.out + done.err
    assert "DONE" in done.out
    assert f"case {case}, tree head 1" in done.out and f"case {case}, tree head 2" in done.out
    again = _json(run, "evidence", "stamp", "--case", case, "--db", db)
    assert isinstance(again, dict) and again["ok"] is True and again["stamped"] == []
    shown = _json(run, "case", "show", case, "--db", db)
    assert isinstance(shown, dict) and shown["tree_head"]["rfc3161"] is True
    assert run("evidence", "stamp", "--case", "999999", "--db", db).code == 66
