"""tree_heads.jsonl: a line with the exact RFC 8785 form of a head of the bundle's log is
read by a regular expression (fast: a 100,000-entry bundle has 100,000 of them), any
other line by the JSON parser, to say what is wrong with it. Whatever the expression
accepts, the parser accepts too, as the same head signing the same bytes. Heads whose
clock stepped back still verify, and the checks say so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.evidence.canonical import canonical_json
from leaktrace.evidence.checkpoint import sign_tree_head
from leaktrace.evidence.signing import EvidenceKey
from leaktrace.evidence.standalone import (
    VerificationError,
    _head_line_pattern,
    _parse_head,
    _read_head_line,
    parse_canonical,
    signed_bytes,
    verify_bundle,
)
from tests.evidence.bundle_factory import CaseLog

log_ids = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), min_size=1, max_size=12
)


@settings(max_examples=200, deadline=None)
@given(
    log_id=log_ids,
    size=st.integers(0, 2**49),
    root=st.binary(min_size=32, max_size=32),
    millis=st.integers(0, 10**12),
)
def test_a_genuine_head_line_is_read_by_the_expression(
    evidence_key: EvidenceKey, log_id: str, size: int, root: bytes, millis: int
) -> None:
    at = datetime(2000, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
    head = sign_tree_head(evidence_key, "k", log_id, size, root, at)
    line = canonical_json(head.as_json())
    pattern = _head_line_pattern(log_id)
    assert pattern.fullmatch(line), line
    read, signature, message = _read_head_line(line, size, pattern, log_id)
    assert message == head.signed_bytes() == signed_bytes(read)
    assert (read.log_id, read.tree_size, read.root.hex(), read.stamp) == (
        head.log_id,
        head.tree_size,
        head.root_hash,
        head.timestamp,
    )
    assert signature is not None
    evidence_key.private.public_key().verify(signature, message)


@settings(max_examples=500, deadline=None)
@given(
    log_id=st.sampled_from(["leaktrace.test/case/7", 'a"\\\u00e9\u2028\x01']),
    at=st.integers(0, 300),
    byte=st.integers(0, 255),
)
def test_whatever_the_expression_accepts_the_parser_accepts_alike(
    evidence_key: EvidenceKey, log_id: str, at: int, byte: int
) -> None:
    """A changed byte anywhere in a head line: when the expression still matches, the
    parser reads the same head, and the bytes signed are the canonical ones."""
    head = sign_tree_head(
        evidence_key, "k", log_id, 12, bytes(range(32)), datetime(2026, 3, 1, tzinfo=UTC)
    )
    line = bytearray(canonical_json(head.as_json()))
    line[at % len(line)] = byte
    changed = bytes(line)
    match = _head_line_pattern(log_id).fullmatch(changed)
    if match is None:
        return
    fast, fast_signature, message = _read_head_line(changed, 11, _head_line_pattern(log_id), log_id)
    value = parse_canonical(changed)  # raises if the expression let a wrong line through
    slow, slow_signature = _parse_head(value, "line")
    assert fast == slow and fast_signature == slow_signature
    assert message == signed_bytes(slow)


def test_a_line_in_another_form_is_named(evidence_key: EvidenceKey) -> None:
    head = sign_tree_head(evidence_key, "k", "log", 1, bytes(32), datetime(2026, 1, 1, tzinfo=UTC))
    spaced = canonical_json(head.as_json()).replace(b",", b", ")
    with pytest.raises(VerificationError, match=r"^tree_heads.jsonl line 4 was changed: it is"):
        _read_head_line(spaced, 3, _head_line_pattern("log"), "log")
    other = canonical_json(head.as_json() | {"log_id": "other"})
    with pytest.raises(VerificationError, match="^tree_heads.jsonl line 1 names the log 'other'"):
        _read_head_line(other, 0, _head_line_pattern("log"), "log")


def test_a_clock_that_steps_back_is_reported_not_refused(
    evidence_key: EvidenceKey, tmp_path: Path
) -> None:
    log = CaseLog(evidence_key)
    log.append("case.opened", {"title": "t"})
    log.append("note.added")
    log.clock -= timedelta(hours=2)  # the signer's clock was set back
    log.append("note.added")
    path = tmp_path / "bundle.zip"
    path.write_bytes(log.export())
    report = verify_bundle(path)
    assert report.ok, report.problem
    [check] = [c for c in report.checks if c.startswith("tree_heads.jsonl: 4 signed heads")]
    assert check.endswith(
        "1 of them earlier than the head before (the signer's clock stepped back; heads need "
        "not be in time order)"
    )
    assert f"timestamps {log.heads[0].timestamp} to {log.heads[-1].timestamp}" in check
