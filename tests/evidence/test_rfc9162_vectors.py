"""The verifier against the public RFC 9162 test vectors of transparency-dev/merkle:
every inclusion and consistency proof file, most of them deliberately broken, is accepted
exactly when its ``wantErr`` is false; and the standard trees' roots are MerkleTree's."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from leaktrace.evidence.merkle import MerkleTree
from leaktrace.evidence.standalone import (
    VerificationError,
    merkle_root,
    verify_consistency,
    verify_inclusion,
)


def _vectors() -> Path | None:
    for candidate in (
        Path(__file__).resolve().parents[2].parent / "shared" / "rfc9162-vectors",
        Path("/work/shared/rfc9162-vectors"),
    ):
        if candidate.is_dir():
            return candidate
    return None


VECTORS = _vectors()


def _cases(kind: str) -> list[Path]:
    if VECTORS is None:
        return []
    return sorted((VECTORS / "testdata" / kind).rglob("*.json"))


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _proof(case: dict[str, Any]) -> list[bytes]:
    return [_b64(node) for node in case["proof"] or []]


def _accepts(check: Any) -> bool:
    try:
        check()
    except VerificationError:
        return False
    return True


def _name(path: Path) -> str:
    assert VECTORS is not None
    return path.relative_to(VECTORS / "testdata").as_posix()


needs_vectors = pytest.mark.skipif(VECTORS is None, reason="../shared/rfc9162-vectors is absent")


@needs_vectors
@pytest.mark.parametrize("path", _cases("inclusion"), ids=_name)
def test_inclusion_vector(path: Path) -> None:
    case = json.loads(path.read_text())
    accepted = _accepts(
        lambda: verify_inclusion(
            case["leafIdx"],
            case["treeSize"],
            _b64(case["leafHash"]),
            _proof(case),
            _b64(case["root"]),
        )
    )
    assert accepted is not case["wantErr"], case["desc"]


@needs_vectors
@pytest.mark.parametrize("path", _cases("consistency"), ids=_name)
def test_consistency_vector(path: Path) -> None:
    case = json.loads(path.read_text())
    accepted = _accepts(
        lambda: verify_consistency(
            case["size1"], case["size2"], _b64(case["root1"]), _b64(case["root2"]), _proof(case)
        )
    )
    assert accepted is not case["wantErr"], case["desc"]


@needs_vectors
def test_the_vectors_hold_both_kinds_of_answer() -> None:
    """A guard against a vacuous run: the folders exist and hold happy and broken files."""
    for kind in ("inclusion", "consistency"):
        wanted = [json.loads(path.read_text())["wantErr"] for path in _cases(kind)]
        assert len(wanted) > 50 and wanted.count(False) >= 4 and wanted.count(True) > 40


@needs_vectors
def test_standard_roots_are_merkle_tree_roots() -> None:
    assert VECTORS is not None
    source = (VECTORS / "testonly" / "constants.go").read_text()
    leaves_block = source[source.index("func LeafInputs") : source.index("func NodeHashes")]
    roots_block = source[source.index("func RootHashes") : source.index("func CompactTrees")]
    leaves = [bytes.fromhex(h) for h in re.findall(r'hd\("([0-9a-f]*)"\)', leaves_block)]
    roots = [bytes.fromhex(h) for h in re.findall(r'hd\("([0-9a-f]+)"\)', roots_block)]
    assert len(leaves) == 8 and len(roots) == 8
    empty = re.search(r'EmptyRootHash\(\) \[\]byte \{\s*return hd\("([0-9a-f]+)"\)', source)
    assert empty is not None
    tree = MerkleTree()
    assert tree.root() == bytes.fromhex(empty.group(1))
    for size, (leaf, root) in enumerate(zip(leaves, roots, strict=True), start=1):
        tree.append(leaf)
        assert tree.root() == root, size
        assert merkle_root([tree.leaf(i) for i in range(size)]) == root, size
