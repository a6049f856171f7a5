"""Verify a LeakTrace evidence bundle offline (this file is the bundle's ``verify.py``).

Uses only the Python standard library and ``cryptography``. (Work in progress: the
hashing of RFC 9162 section 2.1 is here; the bundle checks follow.)
"""

from __future__ import annotations

import hashlib

__all__ = ["leaf_hash", "node_hash"]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 2.1.1: SHA-256(0x00 || entry)."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 2.1.1: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()
