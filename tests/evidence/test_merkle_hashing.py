"""The tree's hash functions and the standalone verifier's copies are the same functions
of their input (the verifier must stand alone, so it keeps its own)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from leaktrace.evidence import merkle, standalone


@given(st.binary(max_size=300))
def test_leaf_hashes_agree(entry: bytes) -> None:
    assert merkle.leaf_hash(entry) == standalone.leaf_hash(entry)


@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_node_hashes_agree(left: bytes, right: bytes) -> None:
    assert merkle.node_hash(left, right) == standalone.node_hash(left, right)
    assert merkle.node_hash(left, right) != merkle.node_hash(right, left) or left == right


def test_the_rfc_prefixes() -> None:
    assert merkle.leaf_hash(b"") == bytes.fromhex(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
    )  # SHA-256(0x00): the leaf hash of an empty entry (RFC 6962/9162 test vectors)
