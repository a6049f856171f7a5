"""The installation's evidence key, verifying the stored logs, verifying a bundle.

:func:`verify_logs` trusts nothing stored but the entries' bytes: it recomputes every
leaf hash and every root from them, checks each signed head against the recomputed root
and the installation's key, and names the first entry of each log that does not match
(an entry changed, removed or inserted behind the application's back, with the triggers
dropped). Stored RFC 3161 tokens must time-stamp their head's signed bytes (and verify
against ``evidence.tsa_certificate`` when it is set). :func:`verify_bundle_file` runs the
bundle's own verifier and checks the bundle's time-stamps the same way.
:func:`stamp_pending` asks the time-stamping authority again for every stored head that
has no token yet (an authority that was down when the head was written). OWNER: F3.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.engine import Connection

from leaktrace.errors import ConfigError, InputError
from leaktrace.evidence import standalone, timestamping
from leaktrace.evidence.canonical import canonical_json
from leaktrace.evidence.checkpoint import c2sp_key_id, checkpoint_body, rfc3339
from leaktrace.evidence.merkle import MerkleTree, leaf_hash
from leaktrace.evidence.signing import EvidenceKey
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.case_access import case_access
from leaktrace.services.case_log import key_name, signing_key
from leaktrace.services.case_views import (
    BundleVerification,
    EvidenceKeyView,
    LogProblem,
    LogVerification,
)
from leaktrace.services.context import AppContext
from leaktrace.services.views import View
from leaktrace.store import evidence_log as log_store

__all__ = [
    "StampReport",
    "StampedHead",
    "evidence_key",
    "stamp_pending",
    "verify_bundle_file",
    "verify_logs",
]


class StampedHead(View):
    """One signed head time-stamped by :func:`stamp_pending`."""

    case_id: int
    tree_size: int
    gen_time: datetime
    """The authority's time (UTC)."""


class StampReport(View):
    """What :func:`stamp_pending` did: ``ok`` when no head is left without a token."""

    ok: bool
    tsa_url: str
    cases: int
    """How many cases were looked at (those the actor may see, or the one asked for)."""
    stamped: list[StampedHead]
    pending: int
    """Heads still without a token (after a failure the rest are not tried)."""
    problem: str | None = None
    """Why the authority did not time-stamp the first head that failed."""


def evidence_key(ctx: AppContext) -> EvidenceKeyView:
    """The signing key's name, fingerprint and public key (created on first use)."""
    key = signing_key(ctx)
    return EvidenceKeyView(
        key_name=key_name(ctx, key), fingerprint=key.fingerprint, public_key_pem=key.public_pem
    )


def verify_logs(ctx: AppContext, actor: Actor, case_id: int | None = None) -> LogVerification:
    """Recompute every leaf hash, root and signature of the stored logs (one case, or all
    the actor may see) and report the first entry of each log that does not match."""
    actor.require(Permission.read_cases)
    key = signing_key(ctx)
    certificate = ctx.settings.evidence.tsa_certificate
    chain = timestamping.load_chain(certificate) if certificate is not None else None
    problems: list[LogProblem] = []
    entries = heads = 0
    with ctx.database.transaction() as conn:
        ids = _visible_cases(conn, actor, case_id)
        for one in ids:
            found, n_entries, n_heads = _verify_case(conn, one, key)
            found.extend(_verify_timestamps(conn, one, chain))
            problems.extend(found)
            entries += n_entries
            heads += n_heads
        subject = f"case {case_id}" if case_id is not None else f"{len(ids)} cases"
        audit.record(
            conn,
            actor,
            "evidence.verify",
            subject,
            f"{entries} entries, {heads} tree heads, {len(problems)} problems",
            outcome="ok" if not problems else "failed",
        )
    return LogVerification(
        ok=not problems, cases=len(ids), entries=entries, tree_heads=heads, problems=problems
    )


def _visible_cases(conn: Connection, actor: Actor, case_id: int | None) -> list[int]:
    """``[case_id]`` when the actor may read it (NotFoundError otherwise), or every case
    the actor's agency is a member of (every case for the local operator)."""
    if case_id is not None:
        case_access(conn, actor, case_id, "read")
        return [case_id]
    if actor.is_local:
        return log_store.case_ids(conn)
    return log_store.case_ids(conn, member_agency_id=actor.agency_id or -1)


def stamp_pending(ctx: AppContext, actor: Actor, case_id: int | None = None) -> StampReport:
    """Time-stamp every stored signed head that has no RFC 3161 token yet, of one case or
    of every case the actor may see, oldest first, at ``evidence.tsa_url`` (ConfigError
    when it is not set). Every head, not only each case's latest: a bundle carries the
    token of each head it holds. The authority is asked outside any transaction; each
    token is stored (and checked against ``evidence.tsa_certificate`` when set) as it
    comes. At the first failure the rest are left pending (an authority that is down
    would fail them all, each after the timeout); run it again later. Needs
    ``write:cases``; audited (``evidence.stamp``)."""
    actor.require(Permission.write_cases)
    settings = ctx.settings.evidence
    url = settings.tsa_url
    if not url:
        raise ConfigError(
            "no time-stamping authority configured: set evidence.tsa_url in the settings"
        )
    with ctx.database.reading() as conn:
        ids = _visible_cases(conn, actor, case_id)
        pending = log_store.unstamped_heads(conn, ids)
    stamped: list[StampedHead] = []
    problem: str | None = None
    for record in pending:
        try:
            stamp = timestamping.request_timestamp(
                record.head.signed_bytes(),
                url,
                timeout=settings.tsa_timeout,
                certificate=settings.tsa_certificate,
            )
        except (timestamping.TimestampError, ConfigError) as exc:
            problem = f"case {record.case_id}, tree head {record.tree_size}: {exc}"
            break
        with ctx.database.transaction() as conn:
            log_store.insert_timestamp(
                conn,
                case_id=record.case_id,
                tree_size=record.tree_size,
                tsa_url=url,
                token=stamp.response,
                gen_time=stamp.gen_time,
            )
        stamped.append(
            StampedHead(case_id=record.case_id, tree_size=record.tree_size, gen_time=stamp.gen_time)
        )
    left = len(pending) - len(stamped)
    with ctx.database.transaction() as conn:
        audit.record(
            conn,
            actor,
            "evidence.stamp",
            f"case {case_id}" if case_id is not None else f"{len(ids)} cases",
            f"{len(stamped)} tree heads time-stamped at {url}, {left} pending"
            + (f": {problem}" if problem else ""),
            outcome="ok" if not left else "failed",
        )
    return StampReport(
        ok=not left, tsa_url=url, cases=len(ids), stamped=stamped, pending=left, problem=problem
    )


def _entry_problem(raw: bytes, stored_leaf: bytes, case_id: int, seq: int, log_id: str) -> str:
    """Why entry ``seq`` as stored is not what the log wrote ("" when it is)."""
    if leaf_hash(raw) != stored_leaf:
        return "its bytes do not hash to the stored leaf hash"
    try:
        parsed = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return "it is not JSON"
    if not isinstance(parsed, dict):
        return "it is not a JSON object"
    try:
        if canonical_json(parsed) != raw:
            return "it is not in RFC 8785 canonical form"
    except InputError:
        return "it is not in RFC 8785 canonical form"
    if parsed.get("seq") != seq or parsed.get("case") != case_id:
        return f"it says it is entry {parsed.get('seq')} of case {parsed.get('case')}"
    if parsed.get("log") != log_id:
        return f"it names another log ({parsed.get('log')!r})"
    return ""


def _signature_problem(record: log_store.TreeHeadRecord, key: EvidenceKey) -> str:
    """Why the stored head's signatures do not verify with ``key`` ("" when they do)."""
    head = record.head
    if head.key_fingerprint != key.fingerprint:
        return f"it is signed by another key ({head.key_fingerprint[:16]}...)"
    public = Ed25519PublicKey.from_public_bytes(key.public_raw)
    try:
        public.verify(base64.b64decode(head.signature, validate=True), head.signed_bytes())
    except (InvalidSignature, binascii.Error, ValueError):
        return "its signature does not verify"
    parts = head.note_signature.split(" ")
    try:
        if len(parts) != 3 or parts[0] != "\u2014":
            raise ValueError
        blob = base64.b64decode(parts[2], validate=True)
        if blob[:4] != c2sp_key_id(parts[1], key.public_raw):
            raise ValueError
        body = checkpoint_body(head.log_id, head.tree_size, bytes.fromhex(head.root_hash))
        public.verify(blob[4:], body.encode())
    except (InvalidSignature, binascii.Error, ValueError):
        return "its checkpoint signature does not verify"
    return ""


def _verify_case(
    conn: Connection, case_id: int, key: EvidenceKey
) -> tuple[list[LogProblem], int, int]:
    """The problems of one case's log (at most the first bad entry and the first bad
    tree head), how many entries and heads were checked."""
    log_id = log_store.case_log_id(conn, case_id) or ""
    tree = MerkleTree()
    first_bad: LogProblem | None = None
    count = 0
    for record in log_store.iter_entries(conn, case_id):
        count += 1
        if first_bad is not None:
            continue
        if record.seq != tree.size:
            first_bad = LogProblem(
                case_id=case_id,
                seq=tree.size,
                reason=f"entry {tree.size} is missing (the next stored entry is {record.seq})",
            )
            continue
        why = _entry_problem(record.entry, record.leaf_hash, case_id, record.seq, log_id)
        if why:
            first_bad = LogProblem(
                case_id=case_id, seq=record.seq, reason=f"entry {record.seq}: {why}"
            )
            continue
        tree.append_leaf_hash(leaf_hash(record.entry))
    head_problem: LogProblem | None = None
    stored_heads = log_store.tree_heads(conn, case_id)
    sizes = {r.tree_size for r in stored_heads}
    for stored in stored_heads:
        head = stored.head
        size = head.tree_size
        why = _signature_problem(stored, key)
        if not why and head.log_id != log_id:
            why = "it names another log"
        if why:
            head_problem = head_problem or LogProblem(
                case_id=case_id, seq=None, reason=f"tree head of size {size}: {why}"
            )
            continue
        if size > tree.size:
            if first_bad is None:
                first_bad = LogProblem(
                    case_id=case_id,
                    seq=tree.size,
                    reason=f"entry {tree.size} is missing: a signed tree head covers {size} "
                    f"entries but only {tree.size} are stored",
                )
            continue
        if tree.root(size).hex() != head.root_hash:
            # heads follow every entry: the first head that does not match names the
            # first entry changed (unless an earlier one was already found)
            if first_bad is None or (first_bad.seq or 0) > size - 1:
                first_bad = LogProblem(
                    case_id=case_id,
                    seq=size - 1,
                    reason=f"entry {size - 1} does not match the signed tree head of size "
                    f"{size} (the entries were changed after it was signed)",
                )
    missing = [size for size in range(1, tree.size + 1) if size not in sizes]
    if missing and head_problem is None:
        head_problem = LogProblem(
            case_id=case_id, seq=None, reason=f"no signed tree head of size {missing[0]}"
        )
    problems = [p for p in (first_bad, head_problem) if p is not None]
    return problems, count, len(stored_heads)


def _verify_timestamps(
    conn: Connection, case_id: int, chain: list[x509.Certificate] | None
) -> list[LogProblem]:
    """The first stored RFC 3161 token of the case that is not a time-stamp of its
    head's signed bytes (checked against the authority's certificates when configured)."""
    heads = {r.tree_size: r.head for r in log_store.tree_heads(conn, case_id)}
    for token in log_store.timestamps(conn, case_id):
        head = heads.get(token.tree_size)
        where = f"time-stamp {token.id} of the tree head of size {token.tree_size}"
        if head is None:
            return [LogProblem(case_id=case_id, seq=None, reason=f"{where}: no such head")]
        signed = head.signed_bytes()
        try:
            if chain is not None:
                timestamping.verify_token(token.token, signed, chain)
            else:
                timestamping.check_imprint(token.token, signed)
        except timestamping.TimestampError as exc:
            return [LogProblem(case_id=case_id, seq=None, reason=f"{where}: {exc}")]
    return []


def verify_bundle_file(
    bundle: Path,
    *,
    against: Path | None = None,
    expect_key: str | None = None,
    tsa_certificate: Path | None = None,
) -> BundleVerification:
    """Check an exported bundle offline, as its own ``verify.py`` does, and also its RFC
    3161 time-stamps (which verify.py cannot check): each must be a granted time-stamp
    whose message imprint is the SHA-256 of its head's signed bytes, and, with
    ``tsa_certificate`` (PEM: the authority's certificate, then its issuers), be signed
    by that authority. Without it, who signed a time-stamp is not checked, and the
    checks say so."""
    for path in (bundle, against):
        if path is not None and not path.exists():
            raise InputError("no such bundle (a zip file or an unpacked folder)", file=str(path))
    chain = _tsa_chain(tsa_certificate)
    times: list[datetime] = []

    def check_timestamp(stamp: standalone.TimestampFile, reply: bytes) -> None:
        try:
            decoded = timestamping.check_imprint(reply, stamp.message)
            if chain is not None:
                timestamping.verify_token(decoded, stamp.message, chain)
        except timestamping.TimestampError as exc:
            raise standalone.VerificationError(
                f"{stamp.member} is not an RFC 3161 time-stamp of the head signed at tree "
                f"size {stamp.tree_size}: {exc}"
            ) from None
        times.append(decoded.tst_info.gen_time)

    report = standalone.verify_bundle(
        bundle, against=against, expect_key=expect_key, check_timestamp=check_timestamp
    )
    checks = list(report.checks)
    if report.ok:
        checks.append(_timestamps_check(report.timestamps, times, tsa_certificate))
    return BundleVerification(
        ok=report.ok,
        bundle=str(report.bundle),
        log_id=report.log_id,
        tree_size=report.tree_size,
        root_hash=report.root_hash,
        key_fingerprint=report.key_fingerprint,
        entries=report.entries,
        files=report.files,
        checks=checks,
        problem=report.problem,
    )


def _tsa_chain(path: Path | None) -> list[x509.Certificate] | None:
    """The certificates of ``--tsa-certificate`` (None without one)."""
    if path is None:
        return None
    if not path.is_file():
        raise InputError("no such file (the TSA's certificates, PEM)", file=str(path))
    try:
        return timestamping.load_chain(path)
    except ConfigError as exc:
        raise InputError(str(exc), file=str(path)) from None


def _timestamps_check(
    stamps: list[standalone.TimestampFile], times: list[datetime], certificate: Path | None
) -> str:
    """What was checked of the bundle's time-stamps, in words."""
    if not stamps:
        return "timestamps/: no RFC 3161 time-stamps in this bundle"
    sizes = ", ".join(str(stamp.tree_size) for stamp in stamps[:6])
    if len(stamps) > 6:
        sizes += f", ... {stamps[-1].tree_size}"
    who = (
        f"each signed by the time-stamping authority of {certificate} (its chain verified)"
        if certificate is not None
        else "NOT checked who signed them (no TSA certificate given: --tsa-certificate)"
    )
    utc = sorted(t if t.tzinfo else t.replace(tzinfo=UTC) for t in times)
    return (
        f"timestamps/: {len(stamps)} RFC 3161 time-stamps (of the heads at tree sizes "
        f"{sizes}), each granted and of the SHA-256 of its head's signed bytes; {who}; "
        f"times {rfc3339(utc[0])} to {rfc3339(utc[-1])}"
    )
