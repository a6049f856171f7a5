"""Reading a bundle safely: nothing is extracted, size caps hold before anything is read,
encrypted members, symbolic links and unexpected folders are refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leaktrace.evidence import standalone
from leaktrace.evidence.signing import EvidenceKey
from leaktrace.evidence.standalone import verify_bundle
from tests.evidence.bundle_factory import CaseLog, members, rezip


@pytest.fixture(scope="module")
def bundle(evidence_key: EvidenceKey) -> bytes:
    log = CaseLog(evidence_key)
    log.append("case.opened", {"title": "Limits"})
    log.append("item.added", {"kind": "file"}, files=[bytes(300_000)])
    return log.export()


def _save(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    return path


def _problem(path: Path) -> str:
    report = verify_bundle(path)
    assert not report.ok and report.problem is not None
    return report.problem


def test_caps_hold(bundle: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _save(tmp_path, bundle)
    assert verify_bundle(path).ok
    monkeypatch.setattr(standalone, "MAX_TOTAL_BYTES", 200_000)
    assert _problem(path).startswith("the bundle holds ")
    monkeypatch.setattr(standalone, "MAX_TOTAL_BYTES", 1 << 30)
    monkeypatch.setattr(standalone, "MAX_FILE_MEMBER", 100_000)
    assert "is 300000 bytes, more than 100000" in _problem(path)
    monkeypatch.setattr(standalone, "MAX_FILE_MEMBER", 1 << 30)
    monkeypatch.setattr(standalone, "MAX_SMALL_MEMBER", 100)
    assert _problem(path).startswith("public_key.pem is ")


def test_a_highly_compressed_member_is_refused_by_its_declared_size(
    bundle: bytes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    items = [*members(bundle), ("files/" + "0" * 64, bytes(5 << 20))]
    data = rezip(items)
    assert len(data) < 1 << 20, "a small zip"
    monkeypatch.setattr(standalone, "MAX_TOTAL_BYTES", 4 << 20)
    assert _problem(_save(tmp_path, data)).startswith("the bundle holds ")


def test_nothing_is_extracted(bundle: bytes, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    path = _save(work, rezip([*members(bundle), ("../escaped.txt", b"x")]))
    before = set(os.listdir(tmp_path)), set(os.listdir(work))
    cwd = os.getcwd()
    os.chdir(work)
    try:
        assert "tries to leave the bundle" in _problem(path)
        assert verify_bundle(_save(work, bundle)).ok
    finally:
        os.chdir(cwd)
    assert (set(os.listdir(tmp_path)), set(os.listdir(work))) == before


def test_an_encrypted_member_is_refused(bundle: bytes, tmp_path: Path) -> None:
    """The central directory says checkpoint.json is encrypted (zipfile cannot write
    that, so the flag is set in the bytes)."""
    data = bytearray(bundle)
    at = 0
    while (at := data.find(b"PK\x01\x02", at + 1)) >= 0:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_length] == b"checkpoint.json":
            data[at + 8] |= 0x1
            break
    else:
        pytest.fail("no central directory record for checkpoint.json")
    assert _problem(_save(tmp_path, bytes(data))) == "member 'checkpoint.json' is encrypted"


def test_not_a_zip(tmp_path: Path) -> None:
    assert "is not a readable zip file" in _problem(_save(tmp_path, b"PK\x03\x04 broken"))


def _unpack(bundle: bytes, folder: Path) -> Path:
    for name, data in members(bundle):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def test_folder_symlinks_and_subfolders_are_refused(bundle: bytes, tmp_path: Path) -> None:
    folder = _unpack(bundle, tmp_path / "bundle")
    assert verify_bundle(folder).ok
    (folder / "files" / ("a" * 64)).symlink_to("/etc/passwd")
    assert _problem(folder) == f"'files/{'a' * 64}' is a symbolic link"
    (folder / "files" / ("a" * 64)).unlink()
    (folder / "files" / "sub").mkdir()
    assert _problem(folder) == "member 'files/sub/' is not part of the bundle layout"


def test_a_changed_byte_in_the_zip_names_the_member(bundle: bytes, tmp_path: Path) -> None:
    """Evidence files are stored: a byte changed in the zip itself is a changed file."""
    (name, content) = next(item for item in members(bundle) if item[0].startswith("files/"))
    at = bundle.index(content[:1000])  # the stored file: 300,000 zero bytes
    changed = bundle[: at + 100] + bytes([bundle[at + 100] ^ 1]) + bundle[at + 101 :]
    assert _problem(_save(tmp_path, changed)).startswith(f"{name} cannot be read: Bad CRC-32")
