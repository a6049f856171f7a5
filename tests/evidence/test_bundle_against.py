"""``--against OLDER``: a later export of the same log extends an earlier one; a shorter,
forked, foreign or re-keyed log does not, and the message says how. A log rewritten by
the key holder after an export is caught by the export's consistency proof too."""

from __future__ import annotations

from pathlib import Path

import pytest

from leaktrace.evidence.signing import EvidenceKey
from leaktrace.evidence.standalone import main, verify_bundle
from tests.evidence.bundle_factory import CaseLog, get, members, replace, rezip


def _log(
    key: EvidenceKey, log_id: str = "leaktrace.test/case/7", fork_at: int | None = None
) -> CaseLog:
    """Eight entries with two exports; ``fork_at`` changes that entry's text."""
    log = CaseLog(key, log_id=log_id)
    log.append("case.opened", {"title": "Operation Sunset"})
    for number in range(1, 4):
        text = "forked" if number == fork_at else f"note {number}"
        log.append("note.added", {"text": text}, files=[f"file {number}".encode()])
    log.export()  # entry 4: size 5
    log.append("note.added", {"text": "after"})
    log.append("status.changed", {"status": "closed"})
    log.export()  # entry 7: size 8
    return log


def _save(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture()
def older_and_newer(evidence_key: EvidenceKey, tmp_path: Path) -> tuple[Path, Path]:
    log = _log(evidence_key)
    return _save(tmp_path, "older.zip", log.bundle(5)), _save(tmp_path, "newer.zip", log.bundle())


def test_a_later_export_extends_the_earlier_one(older_and_newer: tuple[Path, Path]) -> None:
    older, newer = older_and_newer
    assert verify_bundle(older).ok and verify_bundle(older).tree_size == 5
    report = verify_bundle(newer, against=older)
    assert report.ok, report.problem
    assert any(check.startswith("extends OLDER: its 5 entries") for check in report.checks)
    assert verify_bundle(newer, against=newer).ok


def test_an_earlier_bundle_does_not_extend_a_later_one(
    older_and_newer: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    older, newer = older_and_newer
    report = verify_bundle(older, against=newer)
    assert not report.ok
    assert report.problem == (
        "this bundle has 5 entries, OLDER 8: the log was truncated, it is not an extension of OLDER"
    )
    assert main([str(older), "--against", str(newer)]) == 1
    assert "INVALID: this bundle has 5 entries, OLDER 8" in capsys.readouterr().out


def test_a_fork_is_not_an_extension(evidence_key: EvidenceKey, tmp_path: Path) -> None:
    """The key holder rewrote entry 2 and re-exported: the new bundle is valid on its own
    (its proofs are from its own heads) but not an extension of what was handed out."""
    older = _save(tmp_path, "older.zip", _log(evidence_key).bundle(5))
    forked = _save(tmp_path, "forked.zip", _log(evidence_key, fork_at=2).bundle())
    assert verify_bundle(forked).ok
    report = verify_bundle(forked, against=older)
    assert report.problem == "entry 2 differs from entry 2 of OLDER: not an extension of OLDER"


def test_a_rewrite_is_caught_by_the_earlier_exports_signed_head(
    evidence_key: EvidenceKey, tmp_path: Path
) -> None:
    original, forked = _log(evidence_key), _log(evidence_key, fork_at=2)
    own_heads = get(members(forked.bundle()), "tree_heads.jsonl")
    forked.heads[4] = original.heads[4]  # the head signed when size 5 was exported
    mixed = members(forked.bundle())
    report = verify_bundle(_save(tmp_path, "forked.zip", rezip(mixed)))
    assert report.problem == (
        "the head signed at tree size 5 (tree_heads.jsonl line 5) is not the root over "
        "entries 0..4, yet all 8 entries are the ones checkpoint.json signs: the same key "
        "signed two different histories of this log (it was rewritten and signed again)"
    )
    # with the rewritten log's own heads, the export's proof still has the old head
    only_proof = replace(mixed, "tree_heads.jsonl", own_heads)
    report = verify_bundle(_save(tmp_path, "forked.zip", rezip(only_proof)))
    assert report.problem is not None
    assert report.problem.startswith("proofs/consistency-5-8.json does not verify")


def test_another_log_or_key_is_not_an_extension(
    evidence_key: EvidenceKey, other_key: EvidenceKey, tmp_path: Path
) -> None:
    older = _save(tmp_path, "older.zip", _log(evidence_key).bundle(5))
    foreign = _save(
        tmp_path, "foreign.zip", _log(evidence_key, log_id="leaktrace.test/case/8").bundle()
    )
    assert verify_bundle(foreign, against=older).problem == (
        "OLDER is of log 'leaktrace.test/case/7', this bundle of 'leaktrace.test/case/8': "
        "not an extension of OLDER"
    )
    rekeyed = _save(tmp_path, "rekeyed.zip", _log(other_key).bundle())
    assert verify_bundle(rekeyed, against=older).problem == (
        "OLDER was signed by another key: not an extension of OLDER"
    )


def test_older_must_verify_itself(older_and_newer: tuple[Path, Path], tmp_path: Path) -> None:
    older, newer = older_and_newer
    items = members(older.read_bytes())
    entries = dict(items)["entries.jsonl"].replace(b"note 1", b"note 9")
    broken = _save(tmp_path, "broken.zip", rezip(replace(items, "entries.jsonl", entries)))
    report = verify_bundle(newer, against=broken)
    assert report.problem is not None
    assert report.problem == (
        f"OLDER ({broken}) does not verify: entry 1 was changed: the root over entries 0..1 "
        "is not the one signed at tree size 2"
    )
