"""MerkleTree's proofs verify with the standalone verifier (every index and size up to 70,
random larger trees under hypothesis); a changed proof, index, size or root fails; roots
and inclusion paths equal pymerkle's (RFC 9162 compatible) on the same entries."""

from __future__ import annotations

import pymerkle
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaktrace.evidence.merkle import MerkleTree
from leaktrace.evidence.standalone import (
    VerificationError,
    merkle_root,
    prefix_roots,
    verify_consistency,
    verify_inclusion,
)

SMALL = 70


def _entries(count: int) -> list[bytes]:
    return [f"entry {i}".encode() for i in range(count)]


@pytest.fixture(scope="module")
def tree() -> MerkleTree:
    return MerkleTree.of_entries(_entries(SMALL))


def _flip(proof: list[bytes], which: int) -> list[bytes]:
    changed = list(proof)
    changed[which] = bytes([changed[which][0] ^ 1]) + changed[which][1:]
    return changed


def test_every_inclusion_proof_up_to_70_verifies(tree: MerkleTree) -> None:
    for size in range(1, SMALL + 1):
        root = tree.root(size)
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            verify_inclusion(index, size, tree.leaf(index), proof, root)
            if proof:
                with pytest.raises(VerificationError):
                    verify_inclusion(index, size, tree.leaf(index), _flip(proof, -1), root)
            if size > 1:
                with pytest.raises(VerificationError):
                    verify_inclusion((index + 1) % size, size, tree.leaf(index), proof, root)


def test_every_consistency_proof_up_to_70_verifies(tree: MerkleTree) -> None:
    for new in range(1, SMALL + 1):
        new_root = tree.root(new)
        for old in range(1, new + 1):
            proof = tree.consistency_proof(old, new)
            verify_consistency(old, new, tree.root(old), new_root, proof)
            if old < new:
                with pytest.raises(VerificationError):
                    verify_consistency(old, new, tree.root(old), new_root, _flip(proof, 0))
                with pytest.raises(VerificationError):
                    verify_consistency(old, new, tree.root(old), new_root, proof[:-1])
                with pytest.raises(VerificationError):
                    verify_consistency(old, new, new_root, new_root, proof)


def test_prefix_roots_are_the_tree_roots(tree: MerkleTree) -> None:
    leaves = [tree.leaf(i) for i in range(SMALL)]
    roots = prefix_roots(leaves, range(SMALL + 1))
    assert roots == {size: tree.root(size) for size in range(SMALL + 1)}
    assert merkle_root([]) == tree.root(0)


@settings(max_examples=30, deadline=None)
@given(size=st.integers(71, 3000), data=st.data())
def test_random_larger_trees_prove_and_verify(size: int, data: st.DataObject) -> None:
    tree = MerkleTree.of_entries(_entries(size))
    index = data.draw(st.integers(0, size - 1), label="index")
    old = data.draw(st.integers(1, size), label="old size")
    root = tree.root()
    verify_inclusion(index, size, tree.leaf(index), tree.inclusion_proof(index), root)
    verify_consistency(old, size, tree.root(old), root, tree.consistency_proof(old))
    with pytest.raises(VerificationError, match="leads to another root"):
        verify_inclusion(
            index, size, tree.leaf(index), tree.inclusion_proof(index), tree.root(size - 1)
        )
    if old < size:
        with pytest.raises(VerificationError):
            verify_consistency(old, size, tree.root(old), root, tree.consistency_proof(old)[1:])


@settings(max_examples=25, deadline=None)
@given(entries=st.lists(st.binary(max_size=40), min_size=1, max_size=300))
def test_roots_and_inclusion_paths_equal_pymerkle(entries: list[bytes]) -> None:
    ours = MerkleTree.of_entries(entries)
    theirs = pymerkle.InmemoryTree(algorithm="sha256")
    for entry in entries:
        theirs.append_entry(entry)
    for size in {1, len(entries) // 2 or 1, len(entries)}:
        assert ours.root(size) == theirs.get_root(size)
    for index in {0, len(entries) // 3, len(entries) - 1}:
        # pymerkle counts leaves from 1 and starts its path with the leaf itself
        path = theirs.prove_inclusion(index + 1).serialize()["path"]
        assert path[0] == ours.leaf(index).hex()
        assert path[1:] == [node.hex() for node in ours.inclusion_proof(index)]
