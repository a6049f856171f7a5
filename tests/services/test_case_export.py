"""services.case_export end to end: a case made through the case services is exported,
the bundle verifies offline (the standalone verifier, as ``leaktrace verify`` and the
bundle's own ``verify.py`` run it); a changed byte fails with the right message; a second
export carries the consistency proof from the first and verifies ``--against`` it; who may
export; nothing half-written."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import subprocess
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from leaktrace.config import load_settings
from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.evidence.bundle import verify_guide
from leaktrace.evidence.canonical import canonical_json
from leaktrace.evidence.merkle import leaf_hash
from leaktrace.evidence.standalone import verify_bundle
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services import case_export, case_items, cases
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.evidence import evidence_key, verify_bundle_file
from leaktrace.store import evidence_log as log_store
from leaktrace.store.schema_cases import CASE_ITEMS
from tests.evidence.bundle_factory import members, replace, rezip
from tests.evidence.test_timestamping import with_tsa
from tests.evidence.tsa_server import TestTSA, tsa_server
from tests.services.test_leaks import agency_actor

__all__ = ["tsa_server"]

TITLE = 'Operation <script>alert("x")</script> & Co'


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[AppContext]:
    with build_context(load_settings(db=str(tmp_path / "export.db"))) as context:
        yield context


def zip_bomb() -> bytes:
    """A small zip that would unpack to 50 MB: evidence to keep as bytes, never unpack."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (50 << 20))
    return buffer.getvalue()


def a_case(ctx: AppContext) -> tuple[int, Actor]:
    """A case of NL-POL with a member, an observer, a subject, a task, a note and two
    files (one of them a zip bomb)."""
    nl = agency_actor(ctx, "NL-POL")
    agency_actor(ctx, "DE-BKA")
    agency_actor(ctx, "FR-PJ")
    case_id = cases.open_case(
        ctx, nl, TITLE, legal_basis="Art. 126 Sv", reference="NL-2026-0042"
    ).id
    cases.add_member(ctx, nl, case_id, "DE-BKA", "member")
    cases.add_member(ctx, nl, case_id, "FR-PJ", "observer")
    cases.add_subject(ctx, nl, case_id, "group", "G0X")
    cases.add_task(ctx, nl, case_id, "Subpoena the host")
    cases.add_note(ctx, nl, case_id, "Seen on the FTP <b>twice</b>")
    case_items.add_file(
        ctx, nl, case_id, name="listing.txt", content=io.BytesIO(b"ftp listing\n"), reason="seen"
    )
    case_items.add_file(ctx, nl, case_id, name="bomb.zip", content=io.BytesIO(zip_bomb()))
    return case_id, nl


def test_export_verifies_offline_and_is_an_entry_of_the_log(
    ctx: AppContext, tmp_path: Path
) -> None:
    case_id, nl = a_case(ctx)
    out = tmp_path / "out" / "case.zip"
    view = case_export.export_case(ctx, nl, case_id, out)
    assert view.file == str(out) and out.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["case.zip"]  # no temporary left
    data = out.read_bytes()
    assert view.bytes == len(data) and view.consistency_proofs == []
    with ctx.database.reading() as conn:
        stored = log_store.entries(conn, case_id)
    assert view.tree_size == view.entries == len(stored)
    assert stored[-1].event == "case.exported"
    exported = json.loads(stored[-1].entry)
    assert exported["data"] == {"tree_size": view.tree_size, "agency": "NL-POL"}
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        lines = archive.read("entries.jsonl")
        index = archive.read("index.html").decode()
        checkpoint = json.loads(archive.read("checkpoint.json"))
        assert archive.read("public_key.pem").decode() == evidence_key(ctx).public_key_pem
        bomb = [n for n in names if n.startswith("files/") and archive.getinfo(n).file_size < 1e6]
    assert lines == b"".join(r.entry + b"\n" for r in stored)  # exactly the bytes hashed
    assert checkpoint["tree_size"] == view.tree_size
    assert checkpoint["root_hash"] == view.root_hash
    assert len([n for n in names if n.startswith("files/")]) == view.files == 2
    assert len(bomb) == 2  # the zip bomb is kept as its own bytes
    report = verify_bundle_file(out)
    assert report.ok, report.problem
    assert (report.tree_size, report.entries, report.files) == (view.tree_size, view.tree_size, 2)
    assert report.key_fingerprint == evidence_key(ctx).fingerprint
    # the page for a judge: every hash in full, everything escaped, nothing external
    for record in stored:
        assert leaf_hash(record.entry).hex() in index
    detail = cases.show_case(ctx, nl, case_id)
    for item in detail.evidence:
        assert item.sha256 in index and f"{item.size:,} bytes" in index
    assert "<script>" not in index and "&lt;script&gt;" in index
    assert "<b>twice</b>" not in index and "&lt;b&gt;twice&lt;/b&gt;" in index
    assert not re.search(r"(src|href)\s*=", index, re.IGNORECASE)
    assert "@media print" in index and "default-src 'none'" in index
    assert "RFC 3161 time-stamps (0)" in index and "carries no RFC 3161 time-stamps" in index
    assert ">personal data</span>" not in index  # no item names people
    assert view.root_hash in index and "DE-BKA" in index and "Art. 126 Sv" in index
    audited = list_audit(ctx, local_operator(), action="case.export").items
    assert [(a.actor, a.subject) for a in audited] == [(nl.name, f"case {case_id}")]
    assert view.sha256 in audited[0].detail


def test_a_changed_byte_fails_verification_naming_it(ctx: AppContext, tmp_path: Path) -> None:
    case_id, nl = a_case(ctx)
    out = tmp_path / "case.zip"
    case_export.export_case(ctx, nl, case_id, out)

    def rewrite(name: str, change: bytes) -> Path:
        changed = tmp_path / f"changed-{len(list(tmp_path.iterdir()))}.zip"
        with zipfile.ZipFile(out) as source, zipfile.ZipFile(changed, "w") as target:
            for info in source.infolist():
                content = source.read(info)
                target.writestr(info, change if info.filename == name else content)
        return changed

    with zipfile.ZipFile(out) as archive:
        lines = archive.read("entries.jsonl").split(b"\n")
        listing = next(n for n in archive.namelist() if archive.read(n) == b"ftp listing\n")
    lines[3] = lines[3].replace(b"G0X", b"G0Y")
    report = verify_bundle_file(rewrite("entries.jsonl", b"\n".join(lines)))
    assert not report.ok and report.problem is not None
    assert report.problem == (
        "entry 3 was changed: the root over entries 0..3 is not the one signed at tree size 4"
    )
    report = verify_bundle_file(rewrite(listing, b"ftp listing!\n"))
    assert not report.ok and report.problem is not None
    assert listing in report.problem
    del lines[2]
    report = verify_bundle_file(rewrite("entries.jsonl", b"\n".join(lines)))
    assert not report.ok and report.problem is not None and "entry 2" in report.problem


def test_a_second_export_proves_it_extends_the_first(ctx: AppContext, tmp_path: Path) -> None:
    case_id, nl = a_case(ctx)
    first = case_export.export_case(ctx, nl, case_id, tmp_path / "first.zip")
    cases.add_note(ctx, nl, case_id, "after the first export")
    de = agency_actor(ctx, "DE-BKA")
    second = case_export.export_case(ctx, de, case_id, tmp_path / "second.zip")
    assert second.tree_size == first.tree_size + 2
    assert second.consistency_proofs == [first.tree_size]
    with zipfile.ZipFile(tmp_path / "second.zip") as archive:
        proof = json.loads(
            archive.read(f"proofs/consistency-{first.tree_size}-{second.tree_size}.json")
        )
    assert (proof["old_root"], proof["new_root"]) == (first.root_hash, second.root_hash)
    against = verify_bundle_file(tmp_path / "second.zip", against=tmp_path / "first.zip")
    assert against.ok, against.problem
    backwards = verify_bundle_file(tmp_path / "first.zip", against=tmp_path / "second.zip")
    assert not backwards.ok and backwards.problem is not None
    assert "not an extension" in backwards.problem
    # a third export proves it extends both earlier ones; the bytes download is the same kind
    third, data = case_export.export_case_bytes(ctx, nl, case_id)
    assert third.consistency_proofs == [first.tree_size, second.tree_size] and third.file is None
    (tmp_path / "third.zip").write_bytes(data)
    assert verify_bundle_file(tmp_path / "third.zip", against=tmp_path / "first.zip").ok
    # another case's bundle is not an extension of this one
    other_id, _ = a_case_of(ctx, nl)
    case_export.export_case(ctx, nl, other_id, tmp_path / "other.zip")
    mixed = verify_bundle_file(tmp_path / "other.zip", against=tmp_path / "first.zip")
    assert not mixed.ok and mixed.problem is not None and "not an extension" in mixed.problem


def a_case_of(ctx: AppContext, actor: Actor) -> tuple[int, Actor]:
    return cases.open_case(ctx, actor, "Another case").id, actor


def test_who_may_export(ctx: AppContext, tmp_path: Path) -> None:
    """Any member agency's actor with read:cases (lead, member, observer, a viewer of the
    lead) exports; the entry names who did; strangers and unknown cases are 404."""
    case_id, nl = a_case(ctx)
    observer = agency_actor(ctx, "FR-PJ")
    viewer = agency_actor(ctx, "NL-POL", "viewer")
    stranger = agency_actor(ctx, "ES-PN")
    with ctx.database.reading() as conn:
        before = log_store.log_size(conn, case_id)
    with pytest.raises(NotFoundError):
        case_export.export_case_bytes(ctx, stranger, case_id)
    with pytest.raises(NotFoundError):
        case_export.export_case_bytes(ctx, nl, 999_999)
    with ctx.database.reading() as conn:
        assert log_store.log_size(conn, case_id) == before
    for actor in (observer, viewer):
        view, _ = case_export.export_case_bytes(ctx, actor, case_id)
        with ctx.database.reading() as conn:
            [record] = log_store.entries(conn, case_id, view.tree_size - 1)
        entry = json.loads(record.entry)
        assert entry["event"] == "case.exported"
        assert entry["actor"] == {"name": actor.name, "agency": actor.agency_code}
    # a closed case is exported for the court; the operator may export any case
    cases.set_status(ctx, nl, case_id, "closed", reason="charged")
    view, _ = case_export.export_case_bytes(ctx, nl, case_id)
    operator_view, _ = case_export.export_case_bytes(ctx, local_operator(), case_id)
    assert operator_view.tree_size == view.tree_size + 1


def _mark_personal(ctx: AppContext, case_id: int) -> None:
    """Give the case an item that names people (as a supply-ranking snapshot is): a row
    like the service writes, pointing at a stored blob of the case."""
    with ctx.database.transaction() as conn:
        item = (
            conn.execute(select(CASE_ITEMS).where(CASE_ITEMS.c.case_id == case_id).limit(1))
            .one()
            ._mapping
        )
        values = {k: v for k, v in item.items() if k != "id"}
        conn.execute(insert(CASE_ITEMS).values(values | {"personal": True, "kind": "supply-rank"}))


def test_a_case_with_personal_items_needs_read_personal_and_is_audited_so(
    ctx: AppContext,
) -> None:
    case_id, nl = a_case(ctx)
    viewer = agency_actor(ctx, "NL-POL", "viewer")  # read:cases, not read:personal
    observer = agency_actor(ctx, "FR-PJ")  # an analyst: read:personal
    case_export.export_case_bytes(ctx, viewer, case_id)  # nothing personal yet
    assert list_audit(ctx, local_operator(), action="case.read.personal").items == []
    _mark_personal(ctx, case_id)
    with ctx.database.reading() as conn:
        before = log_store.log_size(conn, case_id)
    with pytest.raises(PermissionDeniedError, match="name people") as denied:
        case_export.export_case_bytes(ctx, viewer, case_id)
    assert denied.value.permission == "read:personal"
    with ctx.database.reading() as conn:
        assert log_store.log_size(conn, case_id) == before
    _, data = case_export.export_case_bytes(ctx, observer, case_id)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        index = archive.read("index.html").decode()
    marked = re.findall(r"<strong>([^<]*)</strong> <span class=\"personal\">personal data", index)
    assert [m.split(" ")[0] for m in marked] == ["listing.txt"]  # the item naming people
    audited = list_audit(ctx, local_operator(), action="case.read.personal").items
    assert [(a.actor, a.subject) for a in audited] == [(observer.name, f"case {case_id}")]
    assert "export" in audited[0].detail


def test_bad_output_paths_and_failed_writes_leave_nothing(
    ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id, nl = a_case(ctx)
    with ctx.database.reading() as conn:
        before = log_store.log_size(conn, case_id)
    with pytest.raises(InputError) as folder:
        case_export.export_case(ctx, nl, case_id, tmp_path)
    assert folder.value.file == str(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(InputError) as under_file:
        case_export.export_case(ctx, nl, case_id, blocker / "case.zip")
    assert under_file.value.file is not None

    def disk_full(contents: object, out: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(case_export, "write_bundle", disk_full)
    target = tmp_path / "full" / "case.zip"
    with pytest.raises(InputError, match="No space left on device") as full:
        case_export.export_case(ctx, nl, case_id, target)
    assert full.value.file == str(target)
    assert list(target.parent.iterdir()) == []
    with ctx.database.reading() as conn:
        assert log_store.log_size(conn, case_id) == before  # no export entry committed
    assert list_audit(ctx, local_operator(), action="case.export").items == []


def test_export_on_postgresql(postgres_database: str, tmp_path: Path) -> None:
    with build_context(load_settings(db=postgres_database)) as ctx:
        case_id, nl = a_case(ctx)
        first = case_export.export_case(ctx, nl, case_id, tmp_path / "a.zip")
        second = case_export.export_case(ctx, nl, case_id, tmp_path / "b.zip")
        assert second.consistency_proofs == [first.tree_size]
        report = verify_bundle_file(tmp_path / "b.zip", against=tmp_path / "a.zip")
        assert report.ok, report.problem


def test_verify_bundle_file_checks_the_key_and_names_a_missing_bundle(
    ctx: AppContext, tmp_path: Path
) -> None:
    case_id, nl = a_case(ctx)
    out = tmp_path / "case.zip"
    case_export.export_case(ctx, nl, case_id, out)
    fingerprint = evidence_key(ctx).fingerprint
    assert verify_bundle_file(out, expect_key=fingerprint).ok
    wrong = verify_bundle_file(out, expect_key="00" * 32)
    assert not wrong.ok and wrong.problem is not None and fingerprint in wrong.problem
    with pytest.raises(InputError) as missing:
        verify_bundle_file(tmp_path / "nowhere.zip")
    assert missing.value.file == str(tmp_path / "nowhere.zip")
    with pytest.raises(InputError) as older:
        verify_bundle_file(out, against=tmp_path / "older.zip")
    assert older.value.file == str(tmp_path / "older.zip")


# --- RFC 3161 time-stamps in the bundle (a real local TSA made with openssl ts) ---------


@pytest.fixture
def stamped(tsa_server: TestTSA, tmp_path: Path) -> Iterator[tuple[AppContext, Path, int]]:
    """A case whose every change was time-stamped, exported: (ctx, bundle, tree size)."""
    settings = with_tsa(load_settings(db=str(tmp_path / "stamped.db")), tsa_server.url, None)
    with build_context(settings) as context:
        case_id, nl = a_case(context)
        view = case_export.export_case(context, nl, case_id, tmp_path / "stamped.zip")
        yield context, tmp_path / "stamped.zip", view.tree_size


def _with_member(bundle: Path, name: str, data: bytes, out: Path) -> Path:
    out.write_bytes(rezip(replace(members(bundle.read_bytes()), name, data)))
    return out


def test_time_stamps_are_exported_and_checked_by_leaktrace_verify(
    stamped: tuple[AppContext, Path, int], tsa_server: TestTSA, tmp_path: Path
) -> None:
    ctx, bundle, size = stamped
    items = dict(members(bundle.read_bytes()))
    with ctx.database.reading() as conn:
        case_id = log_store.case_ids(conn)[0]
        stored = {t.tree_size: t.token for t in log_store.timestamps(conn, case_id)}
    # the export's own head is time-stamped after the export commits: not in this bundle
    assert sorted(stored) == list(range(1, size + 1))
    tokens = {name: data for name, data in items.items() if name.startswith("timestamps/")}
    assert tokens == {f"timestamps/{n}.tsr": stored[n] for n in range(1, size)}

    offline = verify_bundle(bundle)  # verify.py: present, not checked there
    assert offline.ok, offline.problem
    assert offline.notes == [
        f"timestamps/: {size - 1} RFC 3161 time-stamps (of the heads at tree sizes 1, 2, 3, "
        f"..., {size - 1}) present, not checked here: see VERIFY.md (openssl ts -verify)"
    ]
    report = verify_bundle_file(bundle, tsa_certificate=tsa_server.chain)
    assert report.ok, report.problem
    [line] = [c for c in report.checks if c.startswith("timestamps/")]
    assert line.startswith(f"timestamps/: {size - 1} RFC 3161 time-stamps (of the heads at")
    assert f"each signed by the time-stamping authority of {tsa_server.chain}" in line
    unsigned = verify_bundle_file(bundle)
    assert unsigned.ok and "NOT checked who signed them" in unsigned.checks[-1]
    # index.html lists each time-stamp: its tree size, member and the file's SHA-256
    index = items["index.html"].decode()
    assert f"RFC 3161 time-stamps ({size - 1})" in index
    for n in range(1, size):
        assert f"timestamps/{n}.tsr" in index
        assert hashlib.sha256(stored[n]).hexdigest() in index

    # a real token filed under another head
    moved = _with_member(bundle, "timestamps/3.tsr", stored[2], tmp_path / "moved.zip")
    for certificate in (tsa_server.chain, None):
        failed = verify_bundle_file(moved, tsa_certificate=certificate)
        assert not failed.ok and failed.problem == (
            "timestamps/3.tsr is not an RFC 3161 time-stamp of the head signed at tree size 3: "
            "the time-stamp is of another message"
        )
    # its signature changed (the last byte of the reply is the signer's signature)
    token = stored[2]
    corrupt = _with_member(
        bundle, "timestamps/2.tsr", token[:-1] + bytes([token[-1] ^ 1]), tmp_path / "bad.zip"
    )
    failed = verify_bundle_file(corrupt, tsa_certificate=tsa_server.chain)
    assert not failed.ok and failed.problem is not None
    assert failed.problem.startswith(
        "timestamps/2.tsr is not an RFC 3161 time-stamp of the head signed at tree size 2: "
        "the time-stamp does not verify"
    )
    cut = _with_member(bundle, "timestamps/2.tsr", token[: len(token) // 2], tmp_path / "cut.zip")
    failed = verify_bundle_file(cut)
    assert not failed.ok and failed.problem is not None
    assert failed.problem.startswith("timestamps/2.tsr is not an RFC 3161 time-stamp of the head")
    assert "not an RFC 3161 time-stamp reply" in failed.problem
    with pytest.raises(InputError) as missing:
        verify_bundle_file(bundle, tsa_certificate=tmp_path / "no-such.pem")
    assert missing.value.file == str(tmp_path / "no-such.pem")


def _verify_md_commands(folder: str, size: int) -> str:
    """The shell commands VERIFY.md gives for checking a time-stamp with openssl, for the
    bundle unpacked in ``folder`` and the head at ``size``."""
    text = verify_guide().decode()
    found = re.search(r"\n(    B=case-7 .*?\n    openssl ts -verify [^\n]*)\n", text, re.DOTALL)
    assert found, "VERIFY.md shows the openssl commands"
    commands = textwrap.dedent(found.group(1))
    commands = commands.replace("B=case-7", f"B={folder}", 1).replace("N=3", f"N={size}", 1)
    return "set -euo pipefail\n" + commands


def test_the_openssl_commands_of_verify_md_check_a_time_stamp(
    stamped: tuple[AppContext, Path, int], tsa_server: TestTSA, tmp_path: Path
) -> None:
    _, bundle, size = stamped
    folder = tmp_path / "case-unpacked"
    for name, data in members(bundle.read_bytes()):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    shutil.copy(tsa_server.ca, tmp_path / "tsa-root.pem")  # the TSA's root, not the bundle's

    def run(n: int) -> subprocess.CompletedProcess[str]:
        script = _verify_md_commands(folder.name, n)
        return subprocess.run(
            ["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60
        )

    for n in (1, size - 1):
        done = run(n)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Verification: OK" in done.stdout
        signed = (tmp_path / f"head-{n}.json").read_bytes()
        with zipfile.ZipFile(bundle) as archive:
            line = archive.read("tree_heads.jsonl").split(b"\n")[n - 1]
        head = json.loads(line)
        del head["signature"]
        assert signed == canonical_json(head)  # the head's signed bytes, exactly
        assert hashlib.sha256(signed).hexdigest() in done.stdout  # sha256sum's line
    assert verify_bundle(folder).ok, "the commands leave the bundle's folder as it was"
    (folder / "timestamps" / "3.tsr").write_bytes((folder / "timestamps" / "2.tsr").read_bytes())
    done = run(3)
    assert done.returncode != 0 and "Verification: OK" not in done.stdout
