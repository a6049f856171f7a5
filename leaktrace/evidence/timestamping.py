"""RFC 3161 time-stamps of signed tree heads, from a time-stamping authority (TSA).

A signed head proves what the log held, signed by the installation's own key; a TSA's
token proves, by a third party's signature, that the head existed no later than the
token's time. The message time-stamped is the head's signed bytes (the RFC 8785 JSON of
log_id, tree_size, root_hash and timestamp), hashed with SHA-256.

Requests are built and replies decoded and checked with ``rfc3161-client``; the reply
(DER ``TimeStampResp``) is kept as the authority sent it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
from cryptography import x509
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

from leaktrace.errors import ConfigError, LeakTraceError

__all__ = [
    "QUERY_MEDIA_TYPE",
    "REPLY_MEDIA_TYPE",
    "Stamp",
    "TimestampError",
    "check_imprint",
    "load_chain",
    "request_timestamp",
    "verify_token",
]

QUERY_MEDIA_TYPE = "application/timestamp-query"
REPLY_MEDIA_TYPE = "application/timestamp-reply"
MAX_REPLY_BYTES = 1 << 20
SHA256_OID = "2.16.840.1.101.3.4.2.1"


class TimestampError(LeakTraceError):
    """The authority could not be reached, refused, or sent a reply that does not check."""


@dataclass(frozen=True, slots=True)
class Stamp:
    response: bytes
    """The DER ``TimeStampResp`` as received."""
    gen_time: datetime
    """The authority's time (UTC)."""
    message_imprint: bytes
    """SHA-256 of the message time-stamped."""


def load_chain(path: Path) -> list[x509.Certificate]:
    """The PEM certificates in ``path``: the time-stamping certificate first, then its
    issuers (the last one is trusted as the root)."""
    try:
        data = path.expanduser().read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the TSA certificate {path}: {exc.strerror}") from None
    try:
        chain = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise ConfigError(f"{path} holds no PEM certificate") from None
    return chain


def _verifier(chain: list[x509.Certificate], nonce: int | None) -> VerifierBuilder:
    builder = VerifierBuilder().tsa_certificate(chain[0]).add_root_certificate(chain[-1])
    for middle in chain[1:-1]:
        builder = builder.add_intermediate_certificate(middle)
    if nonce is not None:
        builder = builder.nonce(nonce)
    return builder


def verify_token(
    response: bytes | TimeStampResponse,
    message: bytes,
    chain: list[x509.Certificate],
    *,
    nonce: int | None = None,
) -> TimeStampResponse:
    """Check that ``response`` is a granted time-stamp of ``message`` signed by the
    authority of ``chain`` (TimestampError otherwise); the decoded reply."""
    try:
        decoded = decode_timestamp_response(response) if isinstance(response, bytes) else response
    except ValueError as exc:
        raise TimestampError(f"not an RFC 3161 time-stamp reply: {exc}") from None
    try:
        _verifier(chain, nonce).build().verify_message(decoded, message)
    except (VerificationError, ValueError) as exc:
        raise TimestampError(f"the time-stamp does not verify: {exc}") from None
    return decoded


def check_imprint(response: bytes, message: bytes) -> TimeStampResponse:
    """Check that ``response`` is a granted time-stamp whose message imprint is the
    SHA-256 of ``message`` (without checking who signed it: :func:`verify_token` does)."""
    try:
        decoded = decode_timestamp_response(response)
    except ValueError as exc:
        raise TimestampError(f"not an RFC 3161 time-stamp reply: {exc}") from None
    if decoded.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError(f"the time-stamp was not granted (status {decoded.status})")
    imprint = decoded.tst_info.message_imprint
    if imprint.hash_algorithm.dotted_string != SHA256_OID:
        raise TimestampError("the time-stamp is not of a SHA-256 digest")
    if imprint.message != hashlib.sha256(message).digest():
        raise TimestampError("the time-stamp is of another message")
    return decoded


def request_timestamp(
    message: bytes,
    url: str,
    *,
    timeout: float = 10,
    certificate: Path | None = None,
) -> Stamp:
    """Ask the authority at ``url`` to time-stamp ``message`` (SHA-256, with a nonce and
    the authority's certificate requested); check the reply's status, nonce and message
    imprint, and its signature against ``certificate`` when given."""
    request = (
        TimestampRequestBuilder()
        .data(message)
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )
    try:
        reply = httpx.post(
            url,
            content=request.as_bytes(),
            headers={"Content-Type": QUERY_MEDIA_TYPE, "Accept": REPLY_MEDIA_TYPE},
            timeout=timeout,
        )
    except httpx.HTTPError as exc:
        raise TimestampError(f"cannot reach the time-stamping authority {url}: {exc}") from None
    if reply.status_code != 200:
        raise TimestampError(f"the time-stamping authority {url} answered {reply.status_code}")
    body = reply.content
    if len(body) > MAX_REPLY_BYTES:
        raise TimestampError(f"the reply of {url} is larger than {MAX_REPLY_BYTES} bytes")
    try:
        decoded = decode_timestamp_response(body)
    except ValueError as exc:
        raise TimestampError(f"{url} sent no RFC 3161 reply: {exc}") from None
    if decoded.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
        raise TimestampError(
            f"{url} refused the time-stamp (status {decoded.status}: "
            f"{'; '.join(decoded.status_string) or 'no reason given'})"
        )
    imprint = hashlib.sha256(message).digest()
    info = decoded.tst_info
    if info.message_imprint.message != imprint:
        raise TimestampError(f"{url} time-stamped another message")
    if info.nonce != request.nonce:
        raise TimestampError(f"{url} answered with another nonce")
    if certificate is not None:
        verify_token(decoded, message, load_chain(certificate), nonce=request.nonce)
    gen_time = info.gen_time
    if gen_time.tzinfo is None:
        gen_time = gen_time.replace(tzinfo=UTC)
    return Stamp(response=body, gen_time=gen_time.astimezone(UTC), message_imprint=imprint)
