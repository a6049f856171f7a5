"""Bundles written by write_bundle verify: as a zip, as an unpacked folder, with
``python -I verify.py`` from the folder (no LeakTrace installed there), with the expected
key; the zip is deterministic and keeps evidence files (even zip bombs) as stored bytes."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import time
import zipfile
from dataclasses import replace as replace_field
from pathlib import Path

import pytest

from leaktrace.evidence import standalone
from leaktrace.evidence.bundle import BundleContents, write_bundle
from leaktrace.evidence.canonical import canonical_json
from leaktrace.evidence.signing import EvidenceKey
from leaktrace.evidence.standalone import main, verify_bundle
from tests.evidence.bundle_factory import CaseLog, members

BOMB_SIZE = 20 << 20
FAKE_TOKEN = b"0\x03\x02\x01\x00"
"""Not a time-stamp at all: verify.py does not read it (services/evidence does)."""


def _zip_bomb() -> bytes:
    """The same bytes on every call (a fixed member date, not the current time: the
    fixture and the test must name the same file)."""
    out = io.BytesIO()
    member = zipfile.ZipInfo("zeros.bin", date_time=(1980, 1, 1, 0, 0, 0))
    member.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(member, bytes(BOMB_SIZE))
    return out.getvalue()


def test_the_zip_bomb_is_the_same_bytes_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    first = _zip_bomb()
    later = time.time() + 7200  # as if the test ran hours after the fixture
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(time, "localtime", lambda *_: time.gmtime(later))
    assert _zip_bomb() == first


@pytest.fixture(scope="module")
def case_log(evidence_key: EvidenceKey) -> CaseLog:
    log = CaseLog(evidence_key)
    log.append("case.opened", {"title": "Operation Sunset"})
    log.append("item.added", {"kind": "file", "name": "../../etc/passwd"}, files=[b"seized"])
    log.append("item.added", {"kind": "file", "name": "bomb.zip"}, files=[_zip_bomb()])
    log.export()
    log.append("note.added")
    log.append("item.added", {"kind": "file", "name": "again"}, files=[b"seized"])
    log.export()
    log.append("status.changed", {"status": "closed"})
    log.timestamps[3] = FAKE_TOKEN  # verify.py lists time-stamps, it cannot check them
    return log


@pytest.fixture(scope="module")
def bundle_zip(case_log: CaseLog, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bundle") / "case-7.zip"
    path.write_bytes(case_log.export())
    return path


def _unpack(bundle: Path, folder: Path) -> Path:
    with zipfile.ZipFile(bundle) as archive:
        for info in archive.infolist():
            (folder / info.filename).parent.mkdir(parents=True, exist_ok=True)
            (folder / info.filename).write_bytes(archive.read(info))
    return folder


def test_a_written_bundle_verifies(bundle_zip: Path, case_log: CaseLog) -> None:
    report = verify_bundle(bundle_zip)
    assert report.ok, report.problem
    assert report.problem is None
    assert report.entries == report.tree_size == len(case_log.entries) == 9
    assert report.files == 2, "one blob for the file added twice"
    assert report.log_id == case_log.log_id
    assert report.root_hash == case_log.tree.root().hex()
    assert report.key_fingerprint == case_log.key.fingerprint
    assert any("proofs/: 2 consistency proofs" in check for check in report.checks)
    assert any("checkpoint.txt" in check for check in report.checks)
    assert any(
        check.startswith("tree_heads.jsonl: 9 signed heads, tree sizes 1 to 9, every Ed25519")
        and "each no earlier than the one before" in check
        for check in report.checks
    )
    assert [stamp.tree_size for stamp in report.timestamps] == [3]
    assert report.timestamps[0].message == case_log.heads[2].signed_bytes()
    assert report.notes == [
        "timestamps/: 1 RFC 3161 time-stamps (of the heads at tree sizes 3) present, not "
        "checked here: see VERIFY.md (openssl ts -verify)"
    ]


def test_the_zip_layout_is_fixed_and_deterministic(bundle_zip: Path, case_log: CaseLog) -> None:
    again = case_log.bundle()
    assert again == bundle_zip.read_bytes(), "the same log gives the same bytes"
    with zipfile.ZipFile(bundle_zip) as archive:
        infos = archive.infolist()
    names = [info.filename for info in infos]
    assert names[:5] == [
        "entries.jsonl",
        "tree_heads.jsonl",
        "checkpoint.json",
        "checkpoint.txt",
        "public_key.pem",
    ]
    assert names[-3:] == ["index.html", "VERIFY.md", "verify.py"]
    assert names[5:7] == sorted(names[5:7]) and all(n.startswith("files/") for n in names[5:7])
    assert names[7:9] == ["proofs/consistency-4-9.json", "proofs/consistency-7-9.json"]
    assert names[9:-3] == ["timestamps/3.tsr"]
    for info in infos:
        assert info.date_time == (1980, 1, 1, 0, 0, 0)
        expected = (
            zipfile.ZIP_STORED if info.filename.startswith("files/") else zipfile.ZIP_DEFLATED
        )
        assert info.compress_type == expected, info.filename
    contents = dict(members(bundle_zip.read_bytes()))
    assert contents["verify.py"] == Path(standalone.__file__).read_bytes()
    assert b"python verify.py" in contents["VERIFY.md"]
    assert contents["entries.jsonl"] == b"".join(entry + b"\n" for entry in case_log.entries)
    heads = contents["tree_heads.jsonl"].split(b"\n")
    assert heads[-1] == b"" and len(heads) == 10
    assert heads[:-1] == [canonical_json(head.as_json()) for head in case_log.heads]
    assert heads[-2] + b"\n" == contents["checkpoint.json"]
    assert contents["timestamps/3.tsr"] == FAKE_TOKEN


def test_a_zip_bomb_evidence_file_is_kept_as_bytes(bundle_zip: Path) -> None:
    bomb = _zip_bomb()
    with zipfile.ZipFile(bundle_zip) as archive:
        info = archive.getinfo(f"files/{hashlib.sha256(bomb).hexdigest()}")
    assert info.file_size == info.compress_size == len(bomb) < BOMB_SIZE


def test_an_unpacked_folder_verifies(bundle_zip: Path, tmp_path: Path) -> None:
    report = verify_bundle(_unpack(bundle_zip, tmp_path))
    assert report.ok, report.problem
    assert report.files == 2


def test_python_isolated_verify_py_in_the_unpacked_folder(bundle_zip: Path, tmp_path: Path) -> None:
    folder = _unpack(bundle_zip, tmp_path / "bundle")
    done = subprocess.run(
        [sys.executable, "-I", "verify.py"], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VALID: 9 entries and 2 files" in done.stdout
    assert verify_bundle(bundle_zip).key_fingerprint in done.stdout
    assert "\n  --  timestamps/: 1 RFC 3161 time-stamps" in done.stdout
    (folder / "notes.txt").write_text("a stray file")
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            str(folder / "verify.py"),
            str(bundle_zip),
            "--against",
            str(bundle_zip),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "extends OLDER" in done.stdout
    done = subprocess.run(
        [sys.executable, "-I", "verify.py"], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert "INVALID: member 'notes.txt' is not part of the bundle layout" in done.stdout


BLOCK_LEAKTRACE = """
import runpy, sys
class NoLeakTrace:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "leaktrace":
            raise ImportError("verify.py must not import " + name)
sys.meta_path.insert(0, NoLeakTrace())
sys.argv = ["verify.py"]
runpy.run_path("verify.py", run_name="__main__")
"""


def test_verify_py_runs_where_leaktrace_cannot_be_imported(
    bundle_zip: Path, tmp_path: Path
) -> None:
    """The venv has LeakTrace installed, so ``-I`` alone would not show that verify.py
    does without it: here any import of it fails."""
    folder = _unpack(bundle_zip, tmp_path / "bundle")
    done = subprocess.run(
        [sys.executable, "-I", "-c", BLOCK_LEAKTRACE],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VALID: 9 entries and 2 files" in done.stdout


def test_expect_key(bundle_zip: Path, evidence_key: EvidenceKey, other_key: EvidenceKey) -> None:
    assert verify_bundle(bundle_zip, expect_key=evidence_key.fingerprint.upper()).ok
    report = verify_bundle(bundle_zip, expect_key=other_key.fingerprint)
    assert not report.ok
    assert report.problem is not None and "not the expected" in report.problem


def test_main_exit_status_and_usage(
    bundle_zip: Path, case_log: CaseLog, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(bundle_zip)]) == 0
    out = capsys.readouterr().out
    assert "VALID" in out
    assert "the key was NOT checked against a published fingerprint (use --expect-key" in out
    assert out.rstrip().endswith(standalone.KEY_NOT_CHECKED)
    fingerprint = hashlib.sha256(case_log.key.public_raw).hexdigest()
    assert main([str(bundle_zip), "--expect-key", fingerprint]) == 0
    out = capsys.readouterr().out
    assert "VALID" in out and "NOT checked" not in out
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip at all")
    assert main([str(broken)]) == 1
    assert "INVALID: " in capsys.readouterr().out
    assert main([str(tmp_path / "missing.zip")]) == 2
    assert main([str(bundle_zip), "--expect-key", "abc"]) == 2
    assert main([str(bundle_zip), "--no-such-option"]) == 2


def test_write_bundle_refuses_contents_without_every_signed_head(case_log: CaseLog) -> None:
    """A bundle without the head of every size, or whose last head is not the checkpoint,
    or with a time-stamp of a head it does not have, would not verify: not written."""
    good = dict(
        entries=case_log.entries,
        files=case_log.files,
        checkpoint=case_log.heads[-1],
        public_key_pem=case_log.key.public_pem,
        index_html="<p>x</p>",
    )
    heads = case_log.heads
    for wrong, message in (
        ({"heads": []}, "0 signed heads for tree size 9"),
        ({"heads": heads[:-1]}, "8 signed heads for tree size 9"),
        ({"heads": [heads[1], heads[0], *heads[2:]]}, r"heads\[0\] is not the head"),
        ({"heads": [*heads[:-1], heads[-2]]}, r"heads\[8\] is not the head"),
        ({"heads": heads, "timestamps": {10: b"x"}}, "a time-stamp of tree size 10"),
        ({"heads": heads, "timestamps": {0: b"x"}}, "a time-stamp of tree size 0"),
    ):
        with pytest.raises(ValueError, match=message):
            write_bundle(BundleContents(**good, **wrong), io.BytesIO())  # type: ignore[arg-type]
    resigned = replace_field(heads[-1], timestamp="2031-01-01T00:00:00.000Z")
    with pytest.raises(ValueError, match="the last signed head is not the checkpoint"):
        write_bundle(
            BundleContents(**good, heads=[*heads[:-1], resigned]),  # type: ignore[arg-type]
            io.BytesIO(),
        )
