"""Signed tree heads, in the bundle's JSON form and in the C2SP tlog-checkpoint form.

JSON (``checkpoint.json``)::

    {"log_id", "tree_size", "root_hash" (lowercase hex), "timestamp" (RFC 3339 UTC),
     "signature" (base64 Ed25519 over the RFC 8785 canonical JSON of the other four)}

C2SP checkpoint (``checkpoint.txt``, https://c2sp.org/tlog-checkpoint and signed-note)::

    <log_id>\\n<tree_size>\\n<base64 root hash>\\n
    \\n
    — <key name> <base64(key id (4 bytes) || Ed25519 signature over the three lines)>\\n

The key id is the first four bytes of SHA-256(key name || 0x0A || 0x01 || public key).
Verification is in :mod:`leaktrace.evidence.standalone`.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from leaktrace.evidence.canonical import canonical_json

if TYPE_CHECKING:  # cryptography loads when a key is, not with every command
    from leaktrace.evidence.signing import EvidenceKey

__all__ = [
    "SignedTreeHead",
    "c2sp_key_id",
    "checkpoint_body",
    "rfc3339",
    "sign_tree_head",
]

ED25519_SIGNATURE_TYPE = b"\x01"


def rfc3339(at: datetime) -> str:
    """``2026-12-05T19:40:00.123Z``: UTC, milliseconds."""
    utc = at.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def c2sp_key_id(name: str, public_raw: bytes) -> bytes:
    """The C2SP signed-note key id of an Ed25519 key called ``name``."""
    return hashlib.sha256(name.encode() + b"\n" + ED25519_SIGNATURE_TYPE + public_raw).digest()[:4]


def checkpoint_body(log_id: str, tree_size: int, root_hash: bytes) -> str:
    """The three signed lines of a C2SP checkpoint (origin, size, base64 root), each
    ending with a newline."""
    return f"{log_id}\n{tree_size}\n{base64.b64encode(root_hash).decode('ascii')}\n"


@dataclass(frozen=True, slots=True)
class SignedTreeHead:
    log_id: str
    tree_size: int
    root_hash: str
    """Lowercase hex."""
    timestamp: str
    """RFC 3339 UTC, exactly as signed."""
    signature: str
    """Base64 Ed25519 over :meth:`signed_bytes`."""
    note_signature: str
    """The checkpoint's signature line: ``— <key name> <base64>`` (no newline)."""
    key_fingerprint: str

    def unsigned(self) -> dict[str, Any]:
        return {
            "log_id": self.log_id,
            "tree_size": self.tree_size,
            "root_hash": self.root_hash,
            "timestamp": self.timestamp,
        }

    def signed_bytes(self) -> bytes:
        """What :attr:`signature` signs: the RFC 8785 form of the other four fields."""
        return canonical_json(self.unsigned())

    def as_json(self) -> dict[str, Any]:
        """``checkpoint.json``'s object."""
        return self.unsigned() | {"signature": self.signature}

    def checkpoint_text(self) -> str:
        """``checkpoint.txt``: the C2SP signed note."""
        body = checkpoint_body(self.log_id, self.tree_size, bytes.fromhex(self.root_hash))
        return f"{body}\n{self.note_signature}\n"


def sign_tree_head(
    key: EvidenceKey, key_name: str, log_id: str, tree_size: int, root: bytes, at: datetime
) -> SignedTreeHead:
    """Sign the head of ``log_id`` at ``tree_size`` with root ``root``, at time ``at``."""
    unsigned = {
        "log_id": log_id,
        "tree_size": tree_size,
        "root_hash": root.hex(),
        "timestamp": rfc3339(at),
    }
    signature = key.sign_b64(canonical_json(unsigned))
    note = key.sign(checkpoint_body(log_id, tree_size, root).encode())
    blob = base64.b64encode(c2sp_key_id(key_name, key.public_raw) + note).decode("ascii")
    return SignedTreeHead(
        log_id=log_id,
        tree_size=tree_size,
        root_hash=root.hex(),
        timestamp=unsigned["timestamp"],  # type: ignore[arg-type]
        signature=signature,
        note_signature=f"\u2014 {key_name} {blob}",
        key_fingerprint=key.fingerprint,
    )
