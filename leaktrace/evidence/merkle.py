"""RFC 9162 section 2.1 Merkle trees over a log's leaf hashes: roots, inclusion proofs
(2.1.3.1) and consistency proofs (2.1.4.1).

:class:`MerkleTree` keeps every complete subtree's hash (about two hashes per leaf), so
an append costs one leaf hash and on average one node hash, and a root or a proof at any
tree size costs O(log n) stored hashes plus O(log n) node hashes for the ragged right edge.
Verification lives in :mod:`leaktrace.evidence.standalone` (the bundle's ``verify.py``),
which has its own copy of the two hash functions (it must stand alone; it also loads
``cryptography``, which the command line does not load at start): a test keeps them equal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from leaktrace.errors import InputError

__all__ = ["EMPTY_ROOT", "MerkleTree", "largest_power_of_two_below", "leaf_hash", "node_hash"]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""RFC 9162 2.1.1: the hash of an empty tree is the hash of the empty string."""


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 2.1.1: SHA-256(0x00 || entry)."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 2.1.1: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1): where RFC 9162 splits."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """An append-only tree over leaf hashes (32 bytes each)."""

    __slots__ = ("_levels",)

    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[list[bytes]] = [[]]
        """``_levels[k][i]``: the hash of the complete subtree over leaves
        ``[i * 2**k, (i + 1) * 2**k)``."""
        for leaf in leaf_hashes:
            self.append_leaf_hash(leaf)

    @classmethod
    def of_entries(cls, entries: Iterable[bytes]) -> MerkleTree:
        tree = cls()
        for entry in entries:
            tree.append(entry)
        return tree

    @property
    def size(self) -> int:
        return len(self._levels[0])

    def append(self, entry: bytes) -> bytes:
        """Add an entry; its leaf hash."""
        leaf = leaf_hash(entry)
        self.append_leaf_hash(leaf)
        return leaf

    def append_leaf_hash(self, leaf: bytes) -> None:
        levels = self._levels
        levels[0].append(leaf)
        level = 0
        while len(levels[level]) % 2 == 0:
            row = levels[level]
            parent = node_hash(row[-2], row[-1])
            if level + 1 == len(levels):
                levels.append([])
            levels[level + 1].append(parent)
            level += 1

    def leaf(self, index: int) -> bytes:
        return self._levels[0][index]

    def _hash(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) for a range the RFC's recursion visits (start aligned)."""
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            return self._levels[width.bit_length() - 1][start // width]
        k = largest_power_of_two_below(width)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def _check_size(self, size: int | None) -> int:
        n = self.size if size is None else size
        if not 0 <= n <= self.size:
            raise InputError(f"the log has {self.size} entries", field="tree_size")
        return n

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the tree over the first ``size`` leaves (default: all)."""
        n = self._check_size(size)
        return EMPTY_ROOT if n == 0 else self._hash(0, n)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 2.1.3.1, leaf to root."""
        n = self._check_size(size)
        if not 0 <= index < n:
            raise InputError(f"must be below the tree size {n}", field="index")
        proof: list[bytes] = []
        start, end, m = 0, n, index
        while end - start > 1:
            k = largest_power_of_two_below(end - start)
            if m < k:
                proof.append(self._hash(start + k, end))
                end = start + k
            else:
                proof.append(self._hash(start, start + k))
                start, m = start + k, m - k
        proof.reverse()
        return proof

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 9162 2.1.4.1 (empty when the sizes are
        equal; old_size must be at least 1)."""
        n = self._check_size(new_size)
        if not 1 <= old_size <= n:
            raise InputError(f"must be between 1 and the tree size {n}", field="old_size")
        proof: list[bytes] = []
        start, end, m, complete = 0, n, old_size, True
        while m != end - start:
            k = largest_power_of_two_below(end - start)
            if m <= k:
                proof.append(self._hash(start + k, end))
                end = start + k
            else:
                proof.append(self._hash(start, start + k))
                start, m, complete = start + k, m - k, False
        if not complete:
            proof.append(self._hash(start, end))
        proof.reverse()
        return proof
