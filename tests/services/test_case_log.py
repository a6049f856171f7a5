"""services.case_log: entries as RFC 8785 JSON, RFC 9162 roots, signed heads after every
change, the timeline in words, proofs bound to signed heads, concurrent appends."""

from __future__ import annotations

import base64
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import insert, select, update

from leaktrace.config import Settings, load_settings
from leaktrace.errors import InputError, NotFoundError, StoreError
from leaktrace.evidence.canonical import canonical_json
from leaktrace.evidence.checkpoint import c2sp_key_id, checkpoint_body
from leaktrace.evidence.merkle import MerkleTree, leaf_hash
from leaktrace.identity.actor import Actor, local_operator
from leaktrace.services import case_log, case_timeline
from leaktrace.services.case_access import CaseAccess
from leaktrace.services.case_views import TreeHeadView
from leaktrace.services.context import AppContext, build_context
from leaktrace.store.schema_cases import CASES, EVIDENCE_ENTRIES, EVIDENCE_TREE_HEADS
from tests.services.test_leaks import agency_actor, agency_id_of

# --- helpers shared by the evidence tests ---------------------------------------------


def make_case(ctx: AppContext, agency: str = "NL-POL", title: str = "Operation Test") -> CaseAccess:
    """A case row inserted directly (the cases service is another helper's), with its
    log id as the cases service names it."""
    now = datetime.now(UTC)
    with ctx.database.transaction() as conn:
        agency_id = agency_id_of(conn, agency)
        case_id = conn.execute(
            insert(CASES)
            .values(
                owner_agency_id=agency_id,
                title=title,
                status="open",
                legal_basis="",
                reference="",
                log_id=f"pending-{uuid.uuid4().hex}",
                created_at=now,
                created_by="test",
                updated_at=now,
            )
            .returning(CASES.c.id)
        ).scalar_one()
        log_id = case_log.log_id_for(ctx, case_id)
        conn.execute(update(CASES).where(CASES.c.id == case_id).values(log_id=log_id))
    return CaseAccess(
        case_id=case_id,
        log_id=log_id,
        title=title,
        status="open",
        owner_agency_id=int(agency_id),
        role="operator",
    )


def append(
    ctx: AppContext,
    case: CaseAccess,
    event: str,
    data: dict[str, Any],
    sha256: tuple[str, ...] = (),
    actor: Actor | None = None,
) -> int:
    with case_log.writing(ctx) as conn:
        return case_log.append_event(
            conn, ctx, case, actor or local_operator(), event, data, sha256
        )


def stored_entries(ctx: AppContext, case_id: int) -> list[bytes]:
    with ctx.database.reading() as conn:
        rows = conn.execute(
            select(EVIDENCE_ENTRIES.c.entry)
            .where(EVIDENCE_ENTRIES.c.case_id == case_id)
            .order_by(EVIDENCE_ENTRIES.c.seq)
        )
        return [bytes(r[0]) for r in rows]


def check_head(head: TreeHeadView, public_raw: bytes, entries: list[bytes], key_name: str) -> None:
    """``head`` signs the RFC 9162 root of ``entries`` in both its forms."""
    root = MerkleTree.of_entries(entries).root()
    assert head.tree_size == len(entries)
    assert head.root_hash == root.hex()
    key = Ed25519PublicKey.from_public_bytes(public_raw)
    signed = canonical_json(
        {
            "log_id": head.log_id,
            "tree_size": head.tree_size,
            "root_hash": head.root_hash,
            "timestamp": head.timestamp,
        }
    )
    key.verify(base64.b64decode(head.signature), signed)
    body, _, signature_line = head.checkpoint.partition("\n\n")
    assert body + "\n" == checkpoint_body(head.log_id, head.tree_size, root)
    dash, name, blob = signature_line.rstrip("\n").split(" ")
    assert (dash, name) == ("\u2014", key_name)
    raw = base64.b64decode(blob)
    assert raw[:4] == c2sp_key_id(key_name, public_raw)
    key.verify(raw[4:], body.encode() + b"\n")


@pytest.fixture
def ctx(settings: Settings) -> Iterator[AppContext]:
    with build_context(settings) as context:
        yield context


# --- appending ------------------------------------------------------------------------

FILE = "ab" * 32
SNAPSHOT = "0f" * 32


def test_entries_are_canonical_json_with_a_signed_head_after_each(ctx: AppContext) -> None:
    case = make_case(ctx)
    nl = agency_actor(ctx, "NL-POL")
    assert append(ctx, case, "case.opened", {"title": "Operation Test", "agency": "NL-POL"}) == 0
    assert append(ctx, case, "member.added", {"agency": "DE-BKA", "role": "member"}, actor=nl) == 1
    seq = append(
        ctx,
        case,
        "item.added",
        {"kind": "file", "label": "ftp-listing.txt", "size": 12, "reason": "seen"},
        (FILE, SNAPSHOT, FILE),
        actor=nl,
    )
    assert seq == 2
    entries = stored_entries(ctx, case.case_id)
    assert len(entries) == 3
    third = json.loads(entries[2])
    assert canonical_json(third) == entries[2]  # exactly the RFC 8785 bytes
    assert third["v"] == 1 and third["log"] == case.log_id and third["case"] == case.case_id
    assert third["seq"] == 2 and third["event"] == "item.added"
    assert third["actor"] == {"name": "analyst@nl-pol.example", "agency": "NL-POL"}
    assert third["sha256"] == sorted({FILE, SNAPSHOT})  # sorted, each once
    assert third["data"]["label"] == "ftp-listing.txt"
    assert len(third["at"]) == len("2026-12-05T19:40:00.123Z") and third["at"].endswith("Z")
    assert json.loads(entries[0])["actor"]["agency"] is None  # the local operator
    key = case_log.signing_key(ctx)
    name = case_log.key_name(ctx)
    assert case.log_id == f"{name}/case/{case.case_id}"
    with ctx.database.reading() as conn:
        for size in (1, 2, 3):
            check_head(
                case_log.tree_head_view(conn, case.case_id, size),
                key.public_raw,
                entries[:size],
                name,
            )
        latest = case_log.tree_head_view(conn, case.case_id)
        stored_leaves = conn.execute(
            select(EVIDENCE_ENTRIES.c.leaf_hash).where(EVIDENCE_ENTRIES.c.case_id == case.case_id)
        ).scalars()
        assert sorted(bytes(x) for x in stored_leaves) == sorted(leaf_hash(e) for e in entries)
    assert latest.tree_size == 3 and latest.key_fingerprint == key.fingerprint
    assert latest.rfc3161 is False
    assert latest.timestamp == third["at"]  # the head is signed when the entry is made


def test_logs_of_two_cases_are_separate(ctx: AppContext) -> None:
    first, second = make_case(ctx), make_case(ctx, "DE-BKA")
    append(ctx, first, "case.opened", {"title": "a"})
    append(ctx, second, "case.opened", {"title": "b"})
    append(ctx, first, "note.added", {"text": "x"})
    assert len(stored_entries(ctx, first.case_id)) == 2
    assert [json.loads(e)["seq"] for e in stored_entries(ctx, second.case_id)] == [0]
    with ctx.database.reading() as conn:
        assert case_log.tree_head_view(conn, second.case_id).tree_size == 1


def test_origin_setting_names_the_logs_and_the_signer(settings: Settings, tmp_path: Path) -> None:
    custom = settings.model_copy(
        update={
            "evidence": settings.evidence.model_copy(
                update={"origin": "leaktrace.police.example", "key_file": tmp_path / "k.pem"}
            )
        }
    )
    with build_context(custom) as ctx:
        case = make_case(ctx)
        assert case.log_id == f"leaktrace.police.example/case/{case.case_id}"
        append(ctx, case, "case.opened", {"title": "t"})
        with ctx.database.reading() as conn:
            head = case_log.tree_head_view(conn, case.case_id)
        assert "\n\n\u2014 leaktrace.police.example " in head.checkpoint
        assert (tmp_path / "k.pem").stat().st_mode & 0o777 == 0o600
        assert case_log.signing_key(ctx) is case_log.signing_key(ctx)  # loaded once


def test_bad_appends_write_nothing(ctx: AppContext) -> None:
    case = make_case(ctx)
    append(ctx, case, "case.opened", {"title": "t"})
    with pytest.raises(InputError) as floats:
        append(ctx, case, "note.added", {"weight": 0.5})
    assert "data.weight" in floats.value.reason
    with pytest.raises(InputError) as digest:
        append(ctx, case, "item.added", {}, ("AB" * 32,))
    assert digest.value.field == "sha256"
    with pytest.raises(ValueError, match="unknown evidence log event"):
        append(ctx, case, "case.deleted", {})
    with pytest.raises(RuntimeError):
        with case_log.writing(ctx) as conn:
            case_log.append_event(conn, ctx, case, local_operator(), "note.added", {"text": "x"})
            raise RuntimeError("the change fails after its entry was appended")
    gone = CaseAccess(
        case_id=999_999, log_id="x", title="", status="open", owner_agency_id=1, role="operator"
    )
    with pytest.raises(NotFoundError):
        append(ctx, gone, "note.added", {"text": "x"})
    assert len(stored_entries(ctx, case.case_id)) == 1
    with ctx.database.reading() as conn:
        assert case_log.tree_head_view(conn, case.case_id).tree_size == 1
        with pytest.raises(InputError) as size:
            case_log.tree_head_view(conn, case.case_id, 2)
        assert size.value.field == "tree_size"
        with pytest.raises(NotFoundError):
            case_log.tree_head_view(conn, 999_999)


def test_the_log_tables_refuse_changes_through_the_application(ctx: AppContext) -> None:
    case = make_case(ctx)
    append(ctx, case, "case.opened", {"title": "t"})
    with pytest.raises(StoreError, match="append-only"):
        with ctx.database.transaction() as conn:
            conn.execute(update(EVIDENCE_ENTRIES).values(event="case.updated"))
    with pytest.raises(StoreError, match="append-only"):
        with ctx.database.transaction() as conn:
            conn.execute(EVIDENCE_TREE_HEADS.delete())


# --- the timeline ---------------------------------------------------------------------


def test_timeline_in_words(ctx: AppContext) -> None:
    case = make_case(ctx)
    nl = agency_actor(ctx, "NL-POL")
    events: list[tuple[str, dict[str, Any], str]] = [
        (
            "case.opened",
            {"title": "Operation\nNorthern", "agency": "NL-POL"},
            "Case opened: Operation Northern (lead NL-POL)",
        ),
        (
            "case.updated",
            {"changed": {"reference": "X-1", "title": "T"}},
            "Case details changed: reference, title",
        ),
        ("member.added", {"agency": "DE-BKA", "role": "observer"}, "DE-BKA added as observer"),
        ("subject.added", {"kind": "group", "value": "G0X"}, "Subject added: group G0X"),
        (
            "item.added",
            {"kind": "leak", "label": "Leak 7: Northern.Lights", "reason": "first"},
            "Evidence added (leak): Leak 7: Northern.Lights: first",
        ),
        ("note.added", {"text": "x" * 300}, "Note: " + "x" * 119 + "\u2026"),
        (
            "task.added",
            {"title": "Subpoena the host", "assignee": "a@nl-pol.example"},
            "Task added: Subpoena the host (assigned to a@nl-pol.example)",
        ),
        (
            "task.updated",
            {"task": 3, "title": "Subpoena the host", "status": "done"},
            "Task Subpoena the host updated: now done",
        ),
        (
            "status.changed",
            {"from": "open", "to": "closed", "reason": "charged"},
            "Status changed from open to closed: charged",
        ),
        (
            "case.exported",
            {"tree_size": 10, "agency": "NL-POL"},
            "Exported as a bundle of 10 entries by NL-POL",
        ),
    ]
    for event, data, _ in events:
        append(ctx, case, event, data, (FILE,) if event == "item.added" else (), actor=nl)
    with ctx.database.reading() as conn:
        lines = case_timeline.timeline(conn, case.case_id)
    assert [(x.seq, x.event, x.summary) for x in lines] == [
        (i, event, words) for i, (event, _, words) in enumerate(events)
    ]
    entries = stored_entries(ctx, case.case_id)
    assert [x.leaf_hash for x in lines] == [leaf_hash(e).hex() for e in entries]
    assert lines[4].sha256 == [FILE] and lines[0].sha256 == []
    assert {(x.actor, x.agency) for x in lines} == {("analyst@nl-pol.example", "NL-POL")}
    assert all(x.at.tzinfo is not None for x in lines)


def test_operation_entries_in_words() -> None:
    """An action day's entries: ``[operation · handling] target: change``, one wording
    shared with the after-action report's Change column (a cleared checklist item says
    so; entries written before ``handling`` and ``done`` existed still read)."""
    op = {"operation": "Lantern", "operation_id": 3, "handling": "H2"}
    server = {**op, "target": "203.0.113.5"}
    cases: list[tuple[str, dict[str, Any], str]] = [
        (
            "operation.created",
            {**op, "date": "2026-12-07", "h_hour": "05:00", "agencies": ["EJ:coordinator"]},
            "[Lantern \u00b7 H2] Action day planned for 2026-12-07 05:00 UTC; agencies "
            "EJ:coordinator",
        ),
        (
            "operation.target",
            {**server, "kind": "server", "agency": "NL-POL"},
            "[Lantern \u00b7 H2] 203.0.113.5: Target added (server, assigned to NL-POL)",
        ),
        (
            "operation.assigned",
            {**server, "agency": "DE-BKA", "from": "NL-POL"},
            "[Lantern \u00b7 H2] 203.0.113.5: Assigned to DE-BKA (was NL-POL)",
        ),
        (
            "operation.status",
            {
                **server,
                "from": "in-progress",
                "to": "done",
                "note": "two\nracks",
                "outcome": {"seized": 2, "offline": True, "moved_to": "AS64500"},
            },
            "[Lantern \u00b7 H2] 203.0.113.5: in-progress \u2192 done (seized 2, offline, "
            "moved to AS64500): two racks",
        ),  # fmt: skip
        (
            "operation.checked",
            {**server, "item": "seizure", "done": True, "note": "EX-1"},
            "[Lantern \u00b7 H2] 203.0.113.5: Checklist: seizure checked: EX-1",
        ),
        (
            "operation.checked",
            {**server, "item": "seizure", "done": False},
            "[Lantern \u00b7 H2] 203.0.113.5: Checklist: seizure cleared",
        ),
        (
            "operation.checked",
            {**server, "item": "authorisation", "done": True},
            "[Lantern \u00b7 H2] 203.0.113.5: Checklist: legal authorisation reference checked",
        ),
        (
            "operation.issue",
            {**server, "issue": 4, "text": "x" * 100},
            "[Lantern \u00b7 H2] 203.0.113.5: Issue #4 raised: " + "x" * 79 + "\u2026",
        ),
        (
            "operation.resolved",
            {**server, "issue": 4, "note": "found"},
            "[Lantern \u00b7 H2] 203.0.113.5: Issue #4 resolved: found",
        ),
        (  # an entry from before the handling code and ``done`` were written
            "operation.checked",
            {"operation": "Lantern", "target": "h4x", "item": "arrest"},
            "[Lantern] h4x: Checklist: arrest checked",
        ),
    ]
    for event, data, words in cases:
        assert case_timeline.summarize(event, data) == words, event
    # the report's column: the same words, without the operation and the target, whole
    long = {**server, "issue": 4, "text": "x" * 100}
    assert case_timeline.operation_change("operation.issue", long, limit=None) == (
        "Issue #4 raised: " + "x" * 100
    )


# --- PostgreSQL: concurrent appends ---------------------------------------------------


def test_concurrent_appends_on_postgresql_get_consecutive_seqs(
    postgres_database: str, tmp_path: Path
) -> None:
    settings = load_settings(db=postgres_database)
    with build_context(settings) as ctx:
        case = make_case(ctx)
        threads, per_thread = 4, 6
        errors: list[BaseException] = []
        start = threading.Barrier(threads)

        def work(n: int) -> None:
            try:
                start.wait()
                for i in range(per_thread):
                    append(ctx, case, "note.added", {"text": f"thread {n} note {i}"})
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert errors == []
        entries = stored_entries(ctx, case.case_id)
        total = threads * per_thread
        assert [json.loads(e)["seq"] for e in entries] == list(range(total))
        texts = {json.loads(e)["data"]["text"] for e in entries}
        assert len(texts) == total
        key = case_log.signing_key(ctx)
        with ctx.database.reading() as conn:
            for size in range(1, total + 1):
                check_head(
                    case_log.tree_head_view(conn, case.case_id, size),
                    key.public_raw,
                    entries[:size],
                    case_log.key_name(ctx),
                )


# --- heads and proofs for members of the case -----------------------------------------


def test_proofs_are_bound_to_signed_heads_and_verify(ctx: AppContext) -> None:
    from leaktrace.evidence.standalone import (
        VerificationError,
        verify_consistency,
        verify_inclusion,
    )
    from leaktrace.services import cases
    from leaktrace.services.audit import list_audit

    nl = agency_actor(ctx, "NL-POL")
    agency_actor(ctx, "DE-BKA")
    case_id = cases.open_case(ctx, nl, "Proofs").id
    for i in range(6):
        cases.add_note(ctx, nl, case_id, f"note {i}")
    cases.add_member(ctx, nl, case_id, "DE-BKA", "observer")  # 8 entries
    de = agency_actor(ctx, "DE-BKA")
    key = case_log.signing_key(ctx)
    entries = stored_entries(ctx, case_id)
    latest = case_log.tree_head(ctx, de, case_id)  # an observer reads heads and proofs
    check_head(latest, key.public_raw, entries, case_log.key_name(ctx))
    assert case_log.tree_head(ctx, nl, case_id, 3).root_hash == (
        MerkleTree.of_entries(entries[:3]).root().hex()
    )
    for size in (1, 5, 8):
        for index in range(size):
            proof = case_log.inclusion_proof(ctx, de, case_id, index, size)
            assert proof.tree_head.tree_size == proof.tree_size == size
            assert proof.leaf_hash == leaf_hash(entries[index]).hex()
            verify_inclusion(
                index,
                size,
                bytes.fromhex(proof.leaf_hash),
                [bytes.fromhex(h) for h in proof.proof],
                bytes.fromhex(proof.tree_head.root_hash),
            )
    default = case_log.inclusion_proof(ctx, de, case_id, 2)
    assert default.tree_size == 8 and default.tree_head == latest
    for old in range(1, 9):
        view = case_log.consistency_proof(ctx, de, case_id, old)
        assert (view.old_size, view.new_size) == (old, 8)
        assert view.old_tree_head.root_hash == view.old_root
        assert view.tree_head.root_hash == view.new_root == latest.root_hash
        check_head(view.old_tree_head, key.public_raw, entries[:old], case_log.key_name(ctx))
        verify_consistency(
            old,
            8,
            bytes.fromhex(view.old_root),
            bytes.fromhex(view.new_root),
            [bytes.fromhex(h) for h in view.proof],
        )
    bad = case_log.consistency_proof(ctx, nl, case_id, 3, 6)
    with pytest.raises(VerificationError):
        verify_consistency(
            3, 6, bytes.fromhex(bad.old_root), bytes.fromhex(latest.root_hash),
            [bytes.fromhex(h) for h in bad.proof],
        )  # fmt: skip
    with pytest.raises(InputError) as bad_index:
        case_log.inclusion_proof(ctx, nl, case_id, 8)
    assert bad_index.value.field == "index"
    with pytest.raises(InputError) as bad_size:
        case_log.inclusion_proof(ctx, nl, case_id, 0, 9)
    assert bad_size.value.field == "tree_size"
    with pytest.raises(InputError) as old_size:
        case_log.consistency_proof(ctx, nl, case_id, 0)
    assert old_size.value.field == "old_size"
    with pytest.raises(InputError):
        case_log.consistency_proof(ctx, nl, case_id, 7, 5)
    with pytest.raises(NotFoundError):
        case_log.tree_head(ctx, agency_actor(ctx, "ES-PN"), case_id)
    audited = list_audit(ctx, local_operator(), action="case.proof").items
    assert audited[0].detail == "consistency 3 -> 6" and audited[0].actor == nl.name


def test_verify_logs_sees_the_cases_of_the_actors_agency(ctx: AppContext) -> None:
    from leaktrace.services import cases
    from leaktrace.services.evidence import verify_logs

    nl, de = agency_actor(ctx, "NL-POL"), agency_actor(ctx, "DE-BKA")
    mine = cases.open_case(ctx, nl, "Ours").id
    cases.open_case(ctx, de, "Theirs")
    cases.add_note(ctx, nl, mine, "x")
    assert (verify_logs(ctx, nl).cases, verify_logs(ctx, nl).entries) == (1, 2)
    assert verify_logs(ctx, local_operator()).cases == 2
    assert verify_logs(ctx, nl, mine).entries == 2
    with pytest.raises(NotFoundError):
        verify_logs(ctx, de, mine)


def test_the_kept_tree_is_only_reused_while_it_matches_the_signed_log(ctx: AppContext) -> None:
    """Appends reuse the process's tree of the case only when it has the log's size and
    the stored head's root: after a rolled-back append, or another process's appends
    (a stale tree), or a tree of other leaves, the tree is rebuilt from the database."""
    case = make_case(ctx)
    for i in range(4):
        append(ctx, case, "note.added", {"text": f"n{i}"})
    with pytest.raises(RuntimeError):
        with case_log.writing(ctx) as conn:
            case_log.append_event(conn, ctx, case, local_operator(), "note.added", {"text": "x"})
            raise RuntimeError("rolled back")
    assert append(ctx, case, "note.added", {"text": "after the rollback"}) == 4
    cache_key = (ctx.database.url, case.case_id)
    stale = MerkleTree(leaf_hash(e) for e in stored_entries(ctx, case.case_id))
    assert append(ctx, case, "note.added", {"text": "elsewhere"}) == 5
    case_log._trees[cache_key] = stale  # as if another process had appended entry 5
    assert append(ctx, case, "note.added", {"text": "after the stale tree"}) == 6
    case_log._trees[cache_key] = MerkleTree([b"\x07" * 32] * 7)  # right size, other leaves
    assert append(ctx, case, "note.added", {"text": "after the wrong tree"}) == 7
    entries = stored_entries(ctx, case.case_id)
    key = case_log.signing_key(ctx)
    with ctx.database.reading() as conn:
        for size in range(1, len(entries) + 1):
            check_head(
                case_log.tree_head_view(conn, case.case_id, size),
                key.public_raw,
                entries[:size],
                case_log.key_name(ctx),
            )
