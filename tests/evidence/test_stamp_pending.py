"""services.evidence.stamp_pending against a real local TSA (``openssl ts``): heads whose
time-stamp failed when they were written (the authority was down) get their token later;
scoped to the cases the actor may see; nothing to do the second time; audited."""

from __future__ import annotations

import pytest

from leaktrace.config import Settings
from leaktrace.errors import ConfigError, NotFoundError
from leaktrace.evidence.timestamping import load_chain, verify_token
from leaktrace.identity.actor import local_operator
from leaktrace.services.audit import list_audit
from leaktrace.services.context import build_context
from leaktrace.services.evidence import stamp_pending, verify_logs
from leaktrace.store import evidence_log as log_store
from tests.evidence.test_timestamping import closed_port, with_tsa
from tests.evidence.tsa_server import TestTSA, tsa_server
from tests.services.test_case_log import append, make_case
from tests.services.test_leaks import agency_actor

__all__ = ["tsa_server"]


def test_heads_left_without_a_token_are_stamped_later(
    settings: Settings, tsa_server: TestTSA
) -> None:
    dead = f"http://127.0.0.1:{closed_port()}/tsa"
    with build_context(with_tsa(settings, dead, None, timeout=5)) as ctx:
        first = make_case(ctx)
        for n in range(3):
            append(ctx, first, "note.added", {"text": f"note {n}"})
        second = make_case(ctx, title="Another")
        append(ctx, second, "case.opened", {"title": "Another"})
        with ctx.database.reading() as conn:
            assert log_store.timestamps(conn, first.case_id) == []  # the authority was down
        failed = stamp_pending(ctx, local_operator())
        assert not failed.ok and failed.stamped == [] and failed.pending == 4
        assert failed.problem is not None
        assert failed.problem.startswith(f"case {first.case_id}, tree head 1: cannot reach")

    with build_context(with_tsa(settings, tsa_server.url, tsa_server.chain)) as ctx:
        stranger = agency_actor(ctx, "ES-PN")  # a member of neither case
        with pytest.raises(NotFoundError):
            stamp_pending(ctx, stranger, first.case_id)
        nothing = stamp_pending(ctx, stranger)
        assert nothing.ok and nothing.cases == 0 and nothing.stamped == []

        one = stamp_pending(ctx, local_operator(), first.case_id)
        assert one.ok and one.cases == 1 and one.pending == 0 and one.problem is None
        assert [(s.case_id, s.tree_size) for s in one.stamped] == [
            (first.case_id, 1),
            (first.case_id, 2),
            (first.case_id, 3),
        ]
        with ctx.database.reading() as conn:
            heads = {r.tree_size: r.head for r in log_store.tree_heads(conn, first.case_id)}
            tokens = log_store.timestamps(conn, first.case_id)
            assert log_store.timestamps(conn, second.case_id) == []
        chain = load_chain(tsa_server.chain)
        assert sorted(t.tree_size for t in tokens) == [1, 2, 3]
        for token in tokens:
            verify_token(token.token, heads[token.tree_size].signed_bytes(), chain)
            assert token.tsa_url == tsa_server.url

        rest = stamp_pending(ctx, local_operator())  # every case: only the other is left
        assert rest.ok and rest.cases == 2
        assert [(s.case_id, s.tree_size) for s in rest.stamped] == [(second.case_id, 1)]
        again = stamp_pending(ctx, local_operator())
        assert again.ok and again.stamped == [] and again.pending == 0
        assert verify_logs(ctx, local_operator()).ok  # every stored token checks

        audited = list_audit(ctx, local_operator(), action="evidence.stamp").items
        outcomes = sorted((a.subject, a.outcome) for a in audited)
        assert ("2 cases", "failed") in outcomes and (f"case {first.case_id}", "ok") in outcomes
        assert len(audited) == 5  # the refused one (404) is not

    with build_context(settings) as ctx, pytest.raises(ConfigError, match="evidence.tsa_url"):
        stamp_pending(ctx, local_operator())
