"""Random logs, random tampering: the verifier ALWAYS refuses the bundle, and its message
names what was done (the entry, the file, the signature, the member)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leaktrace.evidence.signing import EvidenceKey
from leaktrace.evidence.standalone import verify_bundle
from tests.evidence.bundle_factory import CaseLog, get, members, replace, rezip

Items = list[tuple[str, bytes]]
Tampering = Callable[[Items, st.DataObject], tuple[Items, str]]
"""(the bundle's members, hypothesis data) -> (tampered members, the expected message)."""


def _lines(items: Items) -> list[bytes]:
    return get(items, "entries.jsonl")[:-1].split(b"\n")


def _with_lines(items: Items, lines: list[bytes]) -> Items:
    return replace(items, "entries.jsonl", b"".join(line + b"\n" for line in lines))


def _flip(data: bytes, at: int, mask: int) -> bytes:
    return data[:at] + bytes([data[at] ^ mask]) + data[at + 1 :]


def flip_entry_byte(items: Items, data: st.DataObject) -> tuple[Items, str]:
    lines = _lines(items)
    index = data.draw(st.integers(0, len(lines) - 1), label="entry")
    at = data.draw(st.integers(0, len(lines[index]) - 1), label="byte")
    lines[index] = _flip(lines[index], at, data.draw(st.integers(1, 255), label="mask"))
    return _with_lines(items, lines), rf"^entry {index}\b|Merkle root of the \d+ entries"


def remove_entry(items: Items, data: st.DataObject) -> tuple[Items, str]:
    lines = _lines(items)
    index = data.draw(st.integers(0, len(lines) - 1), label="entry")
    del lines[index]
    return _with_lines(items, lines), (
        "the log was truncated"
        if index == len(lines)
        else rf"^entry {index} .* has seq {index + 1}, not {index}: an entry was removed"
    )


def reorder_entries(items: Items, data: st.DataObject) -> tuple[Items, str]:
    lines = _lines(items)
    first = data.draw(st.integers(0, len(lines) - 2), label="first")
    second = data.draw(st.integers(first + 1, len(lines) - 1), label="second")
    lines[first], lines[second] = lines[second], lines[first]
    return _with_lines(
        items, lines
    ), rf"^entry {first} .* has seq {second}, not {first}: .*reordered"


def insert_copy(items: Items, data: st.DataObject) -> tuple[Items, str]:
    """A duplicate of an entry, anywhere (next to itself: a duplicated entry)."""
    lines = _lines(items)
    copied = data.draw(st.integers(0, len(lines) - 1), label="copied")
    at = data.draw(st.sampled_from([copied, copied + 1, 0, len(lines)]), label="at")
    lines.insert(at, lines[copied])
    return _with_lines(
        items, lines
    ), r"has seq \d+, not \d+: an entry was removed, reordered or inserted"


def append_forged(items: Items, data: st.DataObject) -> tuple[Items, str]:
    lines = _lines(items)
    forged = json.loads(lines[-1])
    forged["seq"] = len(lines)
    forged["data"] = {"text": "added later"}
    lines.append(
        json.dumps(forged, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    return _with_lines(items, lines), "entries were added after it was signed"


def truncate_log(items: Items, data: st.DataObject) -> tuple[Items, str]:
    lines = _lines(items)
    keep = data.draw(st.integers(0, len(lines) - 1), label="keep")
    return _with_lines(
        items, lines[:keep]
    ), rf"has {keep} entries but checkpoint.json signs {len(lines)}: the log was truncated"


def cut_last_newline(items: Items, data: st.DataObject) -> tuple[Items, str]:
    return replace(
        items, "entries.jsonl", get(items, "entries.jsonl")[:-1]
    ), "does not end with a newline"


def flip_file_byte(items: Items, data: st.DataObject) -> tuple[Items, str]:
    name, content = data.draw(st.sampled_from([m for m in items if m[0].startswith("files/")]))
    at = data.draw(st.integers(0, len(content) - 1), label="byte")
    return replace(
        items, name, _flip(content, at, 1 << data.draw(st.integers(0, 7)))
    ), rf"^{name} was changed"


def remove_file(items: Items, data: st.DataObject) -> tuple[Items, str]:
    name, _ = data.draw(st.sampled_from([m for m in items if m[0].startswith("files/")]))
    return [m for m in items if m[0] != name], rf"^{name} is missing: entry \d+ names it"


def change_checkpoint(items: Items, data: st.DataObject) -> tuple[Items, str]:
    head = json.loads(get(items, "checkpoint.json"))
    field = data.draw(
        st.sampled_from(["tree_size", "root_hash", "timestamp", "signature", "log_id"])
    )
    if field == "tree_size":
        head[field] += data.draw(st.sampled_from([-1, 1, 1000]))
    elif field == "root_hash":
        head[field] = hashlib.sha256(data.draw(st.binary(), label="root")).hexdigest()
    elif field == "timestamp":
        head[field] = "2031-01-01T00:00:00.000Z"
    elif field == "log_id":
        head[field] = head[field] + "x"
    else:
        signature = base64.b64decode(head[field])
        at = data.draw(st.integers(0, len(signature) - 1), label="byte")
        head[field] = base64.b64encode(_flip(signature, at, 0x80)).decode()
    changed = json.dumps(head).encode()
    return replace(
        items, "checkpoint.json", changed
    ), r"^checkpoint.json's signature does not verify"


def change_note(items: Items, data: st.DataObject) -> tuple[Items, str]:
    text = get(items, "checkpoint.txt")
    body, signature = text.split(b"\n\n", 1)
    if data.draw(st.booleans(), label="in the body"):
        lines = body.split(b"\n")
        lines[1] = str(int(lines[1]) + 1).encode()
        return replace(
            items, "checkpoint.txt", b"\n".join(lines) + b"\n\n" + signature
        ), "^checkpoint.txt does not name"
    dash, name, blob = signature.rstrip(b"\n").split(b" ")
    raw = base64.b64decode(blob)
    raw = _flip(raw, data.draw(st.integers(0, len(raw) - 1), label="byte"), 0x01)
    line = b" ".join([dash, name, base64.b64encode(raw)]) + b"\n"
    return replace(
        items, "checkpoint.txt", body + b"\n\n" + line
    ), r"^checkpoint.txt has no signature by|^checkpoint.txt's signature does not verify"


def stray_member(items: Items, data: st.DataObject) -> tuple[Items, str]:
    content = b"stray " + data.draw(st.binary(max_size=50), label="content")
    name = data.draw(
        st.sampled_from(
            [
                f"files/{hashlib.sha256(content).hexdigest()}",
                "notes.txt",
                "files/readme",
                "proofs/x.json",
                "files/sub/" + "a" * 64,
            ]
        ),
        label="name",
    )
    expected = "is named by no entry" if len(name) == 70 else "is not part of the bundle layout"
    return [*items, (name, content)], f"^(member {re.escape(repr(name))} )?.*{expected}"


def escaping_member(items: Items, data: st.DataObject) -> tuple[Items, str]:
    name, expected = data.draw(
        st.sampled_from(
            [
                ("../evil.py", "tries to leave the bundle"),
                ("files/../../evil", "tries to leave the bundle"),
                ("proofs/../verify.py", "tries to leave the bundle"),
                ("/etc/cron.d/evil", "has an absolute path"),
                ("C:/Windows/evil.dll", "has an absolute path"),
                ("files\\..\\evil", "has a backslash"),
            ]
        )
    )
    at = data.draw(st.integers(0, len(items)), label="position")
    return [
        *items[:at],
        (name, b"evil"),
        *items[at:],
    ], rf"^member {re.escape(repr(name))} {expected}"


def duplicate_member(items: Items, data: st.DataObject) -> tuple[Items, str]:
    name, content = data.draw(st.sampled_from(items))
    return [*items, (name, content)], rf"^member {re.escape(repr(name))} appears twice"


def drop_required(items: Items, data: st.DataObject) -> tuple[Items, str]:
    name = data.draw(
        st.sampled_from(["entries.jsonl", "checkpoint.json", "checkpoint.txt", "public_key.pem"])
    )
    return [m for m in items if m[0] != name], f"^the bundle has no {re.escape(name)}"


def swap_public_key(items: Items, data: st.DataObject) -> tuple[Items, str]:
    return replace(
        items, "public_key.pem", OTHER_PEM
    ), r"^checkpoint.json's signature does not verify with public_key.pem"


def tamper_proof(items: Items, data: st.DataObject) -> tuple[Items, str]:
    proofs = [m for m in items if m[0].startswith("proofs/")]
    name, content = data.draw(st.sampled_from(proofs))
    if data.draw(st.booleans(), label="remove"):
        return [
            m for m in items if m[0] != name
        ], rf"^{re.escape(name)} is missing: entry \d+ records an export"
    proof = json.loads(content)
    field = data.draw(st.sampled_from(["proof", "old_root", "old_checkpoint"]))
    if field == "proof" and proof["proof"]:
        which = data.draw(st.integers(0, len(proof["proof"]) - 1))
        proof["proof"][which] = hashlib.sha256(proof["proof"][which].encode()).hexdigest()
    elif field == "old_root" or field == "proof":
        proof["old_root"] = hashlib.sha256(proof["old_root"].encode()).hexdigest()
    else:
        proof["old_checkpoint"]["timestamp"] = "2020-01-01T00:00:00.000Z"
    return replace(items, name, json.dumps(proof).encode()), f"^{re.escape(name)}"


TAMPERINGS: dict[str, Tampering] = {
    tampering.__name__: tampering
    for tampering in (
        flip_entry_byte,
        remove_entry,
        reorder_entries,
        insert_copy,
        append_forged,
        truncate_log,
        cut_last_newline,
        flip_file_byte,
        remove_file,
        change_checkpoint,
        change_note,
        stray_member,
        escaping_member,
        duplicate_member,
        drop_required,
        swap_public_key,
        tamper_proof,
    )
}
OTHER_PEM = (
    Ed25519PrivateKey.generate()
    .public_key()
    .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
)
"""Another agency's key."""


@st.composite
def case_logs(draw: st.DrawFn, key: EvidenceKey) -> CaseLog:
    log = CaseLog(key, case=draw(st.integers(1, 10**6), label="case"))
    log.append("case.opened", {"title": draw(st.text(max_size=20), label="title")})
    log.append("item.added", {"kind": "file"}, files=[draw(st.binary(min_size=1, max_size=64))])
    for _ in range(draw(st.integers(0, 12), label="more entries")):
        kind = draw(st.sampled_from(["note", "file", "export"]))
        if kind == "note":
            log.append(
                "note.added",
                {
                    "text": draw(st.text(max_size=30)),
                    "n": draw(st.integers(-(2**53) + 1, 2**53 - 1)),
                },
            )
        elif kind == "file":
            log.append(
                "item.added", {"kind": "file"}, files=[draw(st.binary(min_size=1, max_size=64))]
            )
        else:
            log.export()
    if not any(b'"event":"case.exported"' in entry for entry in log.entries):
        log.export()  # at least one earlier export, hence one consistency proof
    log.append("note.added", {"text": "after the last export"})
    log.export()
    return log


def _bundle(tmp_path: Path, items: Items) -> Path:
    path = tmp_path / "bundle.zip"
    path.write_bytes(rezip(items))
    return path


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("name", sorted(TAMPERINGS))
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_tampering_is_detected_and_named(
    evidence_key: EvidenceKey, tmp_path: Path, data: st.DataObject, name: str
) -> None:
    log = data.draw(case_logs(evidence_key), label="log")
    items = members(log.bundle())
    assert verify_bundle(_bundle(tmp_path, items)).ok, "the untouched bundle verifies"
    tampered, expected = TAMPERINGS[name](items, data)
    report = verify_bundle(_bundle(tmp_path, tampered))
    assert not report.ok, f"{name} went unnoticed"
    assert report.problem is not None
    assert re.search(expected, report.problem), (name, report.problem)
