"""evidence.timestamping against a real local TSA (``openssl ts``), and the case log's
time-stamps of its signed heads: stored after the change commits, checked against the
authority's certificate, never undoing the change when the authority is down."""

from __future__ import annotations

import hashlib
import logging
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rfc3161_client import decode_timestamp_response

from leaktrace.config import Settings
from leaktrace.errors import ConfigError
from leaktrace.evidence.timestamping import (
    TimestampError,
    load_chain,
    request_timestamp,
    verify_token,
)
from leaktrace.identity.actor import local_operator
from leaktrace.services import case_log
from leaktrace.services.context import build_context
from leaktrace.services.evidence import verify_logs
from leaktrace.store import evidence_log as log_store
from tests.evidence.tsa_server import TestTSA, make_authority, tsa_server
from tests.services.test_case_log import append, make_case

__all__ = ["tsa_server"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def other_authority() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="leaktrace-tsa2-") as folder:
        yield make_authority(Path(folder), "Other")


def test_a_granted_time_stamp_of_the_message(tsa_server: TestTSA, other_authority: Path) -> None:
    message = b'{"log_id":"x","root_hash":"00","timestamp":"t","tree_size":1}'
    stamp = request_timestamp(message, tsa_server.url, timeout=20, certificate=tsa_server.chain)
    assert stamp.message_imprint == hashlib.sha256(message).digest()
    assert stamp.gen_time.tzinfo is not None
    decoded = decode_timestamp_response(stamp.response)
    assert decoded.tst_info.message_imprint.message == hashlib.sha256(message).digest()
    verify_token(stamp.response, message, load_chain(tsa_server.chain))
    with pytest.raises(TimestampError, match="does not verify"):
        verify_token(stamp.response, message + b" ", load_chain(tsa_server.chain))
    with pytest.raises(TimestampError, match="does not verify"):
        verify_token(stamp.response, message, load_chain(other_authority))


def test_a_reply_signed_by_another_authority_is_refused(
    tsa_server: TestTSA, other_authority: Path
) -> None:
    with pytest.raises(TimestampError, match="does not verify"):
        request_timestamp(b"head", tsa_server.url, timeout=20, certificate=other_authority)


def test_unreachable_and_wrong_authorities(tsa_server: TestTSA, tmp_path: Path) -> None:
    with pytest.raises(TimestampError, match="cannot reach"):
        request_timestamp(b"head", f"http://127.0.0.1:{closed_port()}/", timeout=5)
    # the same server, but a URL it answers with an error status
    with pytest.raises(TimestampError, match="answered 404"):
        request_timestamp(b"head", tsa_server.url + "/elsewhere", timeout=5)
    missing = tmp_path / "missing.pem"
    with pytest.raises(ConfigError, match="cannot read the TSA certificate"):
        load_chain(missing)
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    with pytest.raises(ConfigError, match="no PEM certificate"):
        load_chain(junk)


@settings(max_examples=200, deadline=None)
@given(reply=st.binary(max_size=400))
def test_any_bytes_as_a_reply_are_refused_cleanly(other_authority: Path, reply: bytes) -> None:
    with pytest.raises(TimestampError):
        verify_token(reply, b"head", load_chain(other_authority))


# --- the case log's heads -------------------------------------------------------------


def with_tsa(settings: Settings, url: str, chain: Path | None, timeout: float = 20) -> Settings:
    evidence = settings.evidence.model_copy(
        update={"tsa_url": url, "tsa_certificate": chain, "tsa_timeout": timeout}
    )
    return settings.model_copy(update={"evidence": evidence})


def test_each_new_head_is_time_stamped_after_the_change_commits(
    settings: Settings, tsa_server: TestTSA
) -> None:
    with build_context(with_tsa(settings, tsa_server.url, tsa_server.chain)) as ctx:
        case = make_case(ctx)
        append(ctx, case, "case.opened", {"title": "t"})
        with case_log.writing(ctx) as conn:  # two entries in one transaction: two heads
            for text in ("a", "b"):
                case_log.append_event(
                    conn, ctx, case, local_operator(), "note.added", {"text": text}
                )
        with ctx.database.reading() as conn:
            heads = {h.tree_size: h for h in log_store.tree_heads(conn, case.case_id)}
            tokens = log_store.timestamps(conn, case.case_id)
            latest = case_log.tree_head_view(conn, case.case_id)
        assert sorted(t.tree_size for t in tokens) == [1, 2, 3]
        assert latest.rfc3161 is True
        for token in tokens:
            signed = heads[token.tree_size].head.signed_bytes()
            decoded = verify_token(token.token, signed, load_chain(tsa_server.chain))
            imprint = decoded.tst_info.message_imprint.message
            assert imprint == hashlib.sha256(signed).digest()
            assert token.tsa_url == tsa_server.url
        # evidence verify checks every stored token against its head (and the CA)
        assert verify_logs(ctx, local_operator()).ok
        with ctx.database.transaction() as conn:  # a real token, filed under another head
            log_store.insert_timestamp(
                conn,
                case_id=case.case_id,
                tree_size=2,
                tsa_url=tokens[0].tsa_url,
                token=next(t.token for t in tokens if t.tree_size == 1),
                gen_time=tokens[0].gen_time,
            )
        [problem] = verify_logs(ctx, local_operator()).problems
        assert problem.seq is None and "of the tree head of size 2" in problem.reason
        assert "does not verify" in problem.reason
    without_chain = with_tsa(settings, tsa_server.url, None)
    with build_context(without_chain) as ctx:
        [problem] = verify_logs(ctx, local_operator()).problems
        assert problem.reason.endswith("the time-stamp is of another message")


def test_a_dead_authority_does_not_undo_the_change(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/tsa"
    with build_context(with_tsa(settings, url, None, timeout=5)) as ctx:
        case = make_case(ctx)
        with caplog.at_level(logging.WARNING, logger="leaktrace.services.case_log"):
            assert append(ctx, case, "case.opened", {"title": "t"}) == 0
        with ctx.database.reading() as conn:
            head = case_log.tree_head_view(conn, case.case_id)
            assert log_store.timestamps(conn, case.case_id) == []
        assert head.tree_size == 1 and head.rfc3161 is False
        assert f"could not time-stamp case {case.case_id} tree head 1 at {url}" in caplog.text
