"""services.evidence: the installation key; ``evidence verify`` recomputes every stored log
and names the first entry changed behind the application's back (triggers dropped)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import and_, delete, select, text, update
from sqlalchemy.engine import Connection

from leaktrace.config import load_settings
from leaktrace.evidence.merkle import leaf_hash
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_log
from leaktrace.services.audit import list_audit
from leaktrace.services.context import AppContext, build_context
from leaktrace.services.evidence import evidence_key, verify_logs
from leaktrace.store.schema_cases import EVIDENCE_ENTRIES, EVIDENCE_TREE_HEADS
from tests.services.test_case_log import append, ctx, make_case

__all__ = ["ctx"]


def unprotect(conn: Connection) -> None:
    """Drop the append-only triggers of the log tables (what an attacker with the database
    file could do)."""
    if conn.dialect.name == "postgresql":
        for table in ("evidence_entries", "evidence_tree_heads"):
            conn.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
    else:
        for table in ("evidence_entries", "evidence_tree_heads"):
            for verb in ("update", "delete"):
                conn.execute(text(f"DROP TRIGGER {table}_no_{verb}"))


def entry_of(conn: Connection, case_id: int, seq: int) -> bytes:
    where = and_(EVIDENCE_ENTRIES.c.case_id == case_id, EVIDENCE_ENTRIES.c.seq == seq)
    return bytes(conn.execute(select(EVIDENCE_ENTRIES.c.entry).where(where)).scalar_one())


def set_entry(conn: Connection, case_id: int, seq: int, entry: bytes, *, rehash: bool) -> None:
    where = and_(EVIDENCE_ENTRIES.c.case_id == case_id, EVIDENCE_ENTRIES.c.seq == seq)
    values: dict[str, bytes] = {"entry": entry}
    if rehash:
        values["leaf_hash"] = leaf_hash(entry)
    conn.execute(update(EVIDENCE_ENTRIES).where(where).values(**values))


def fill(ctx: AppContext, entries: int) -> int:
    case = make_case(ctx)
    append(ctx, case, "case.opened", {"title": "t", "agency": "NL-POL"})
    for i in range(entries - 1):
        append(ctx, case, "note.added", {"text": f"note {i}"})
    return case.case_id


def test_evidence_key_is_the_signing_key(ctx: AppContext) -> None:
    view = evidence_key(ctx)
    key = case_log.signing_key(ctx)
    assert view.fingerprint == key.fingerprint == hashlib.sha256(key.public_raw).hexdigest()
    assert view.key_name == "leaktrace-" + view.fingerprint[:16]
    public = serialization.load_pem_public_key(view.public_key_pem.encode())
    assert (
        public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        == key.public_raw
    )
    assert ctx.settings.evidence_key_path().stat().st_mode & 0o777 == 0o600


def test_untouched_logs_verify_and_the_check_is_audited(ctx: AppContext) -> None:
    fill(ctx, 5)
    fill(ctx, 1)
    result = verify_logs(ctx, local_operator())
    assert (result.ok, result.cases, result.entries, result.tree_heads) == (True, 2, 6, 6)
    assert result.problems == []
    audited = list_audit(ctx, local_operator(), action="evidence.verify").items
    assert [(a.subject, a.outcome) for a in audited] == [("2 cases", "ok")]


def test_a_changed_byte_is_found_at_its_entry(ctx: AppContext) -> None:
    clean, case_id = fill(ctx, 3), fill(ctx, 6)
    with ctx.database.transaction() as conn:
        unprotect(conn)
        entry = entry_of(conn, case_id, 3)
        set_entry(conn, case_id, 3, entry.replace(b"note 2", b"note X"), rehash=False)
    result = verify_logs(ctx, local_operator())
    assert not result.ok
    assert [(p.case_id, p.seq, p.reason) for p in result.problems] == [
        (case_id, 3, "entry 3: its bytes do not hash to the stored leaf hash")
    ]
    assert clean not in {p.case_id for p in result.problems}
    audited = list_audit(ctx, local_operator(), action="evidence.verify").items
    assert audited[0].outcome == "failed"


def test_an_entry_rewritten_with_its_leaf_hash_is_caught_by_the_signed_heads(
    ctx: AppContext,
) -> None:
    case_id = fill(ctx, 6)
    with ctx.database.transaction() as conn:
        unprotect(conn)
        entry = entry_of(conn, case_id, 2)
        set_entry(conn, case_id, 2, entry.replace(b"note 1", b"note Y"), rehash=True)
    [problem] = verify_logs(ctx, local_operator()).problems
    assert problem.seq == 2
    assert problem.reason == (
        "entry 2 does not match the signed tree head of size 3 "
        "(the entries were changed after it was signed)"
    )


def test_removed_entries_and_forged_heads(ctx: AppContext) -> None:
    middle, last, forged = fill(ctx, 5), fill(ctx, 4), fill(ctx, 3)
    with ctx.database.transaction() as conn:
        unprotect(conn)
        for case_id, seq in ((middle, 2), (last, 3)):
            conn.execute(
                delete(EVIDENCE_ENTRIES).where(
                    EVIDENCE_ENTRIES.c.case_id == case_id, EVIDENCE_ENTRIES.c.seq == seq
                )
            )
        conn.execute(
            update(EVIDENCE_TREE_HEADS)
            .where(EVIDENCE_TREE_HEADS.c.case_id == forged, EVIDENCE_TREE_HEADS.c.tree_size == 2)
            .values(root_hash="00" * 32)
        )
    problems = {p.case_id: (p.seq, p.reason) for p in verify_logs(ctx, local_operator()).problems}
    assert problems == {
        middle: (2, "entry 2 is missing (the next stored entry is 3)"),
        last: (3, "entry 3 is missing: a signed tree head covers 4 entries but only 3 are stored"),
        forged: (None, "tree head of size 2: its signature does not verify"),
    }


def test_random_tampering_is_always_detected(ctx: AppContext) -> None:
    """Property: whatever single change is made to a stored log (a byte of an entry, an
    entry rewritten with its hash, an entry removed, two swapped, one appended without
    a head), ``verify_logs`` reports that case."""
    with ctx.database.transaction() as conn:
        unprotect(conn)

    @settings(max_examples=25, deadline=None)
    @given(
        size=st.integers(min_value=2, max_value=7),
        how=st.sampled_from(["byte", "rehash", "remove", "swap", "extra"]),
        pick=st.integers(min_value=0, max_value=1000),
        byte=st.integers(min_value=0, max_value=1000),
    )
    def run(size: int, how: str, pick: int, byte: int) -> None:
        case_id = fill(ctx, size)
        seq = pick % size
        with ctx.database.transaction() as conn:
            entry = entry_of(conn, case_id, seq)
            if how in ("byte", "rehash"):
                at = byte % len(entry)
                changed = entry[:at] + bytes([entry[at] ^ 0x01]) + entry[at + 1 :]
                set_entry(conn, case_id, seq, changed, rehash=how == "rehash")
            elif how == "remove":
                conn.execute(
                    delete(EVIDENCE_ENTRIES).where(
                        EVIDENCE_ENTRIES.c.case_id == case_id, EVIDENCE_ENTRIES.c.seq == seq
                    )
                )
            elif how == "swap":
                other = (seq + 1) % size
                second = entry_of(conn, case_id, other)
                set_entry(conn, case_id, seq, second, rehash=True)
                set_entry(conn, case_id, other, entry, rehash=True)
            else:
                conn.execute(
                    EVIDENCE_ENTRIES.insert().values(
                        case_id=case_id,
                        seq=size,
                        entry=entry,
                        leaf_hash=leaf_hash(entry),
                        event="note.added",
                        at=conn.execute(select(EVIDENCE_ENTRIES.c.at).limit(1)).scalar_one(),
                    )
                )
        result = verify_logs(ctx, local_operator(), None)
        assert case_id in {p.case_id for p in result.problems}, (how, seq)

    run()


@pytest.fixture
def pg_ctx(postgres_database: str) -> Iterator[AppContext]:
    with build_context(load_settings(db=postgres_database)) as context:
        yield context


def test_postgresql_log_changed_behind_the_application(pg_ctx: AppContext) -> None:
    case_id = fill(pg_ctx, 4)
    assert verify_logs(pg_ctx, local_operator()).ok
    with pg_ctx.database.transaction() as conn:
        unprotect(conn)
        entry = entry_of(conn, case_id, 1)
        set_entry(conn, case_id, 1, entry.replace(b"note 0", b"note 9"), rehash=False)
    [problem] = verify_logs(pg_ctx, local_operator()).problems
    assert (problem.case_id, problem.seq) == (case_id, 1)
