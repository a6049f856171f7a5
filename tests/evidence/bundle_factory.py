"""Evidence logs and bundles for the tests, made the way the service makes them: RFC 8785
entries in a MerkleTree, a signed head after every entry, and on export a ``case.exported``
entry, its head, and consistency proofs from every earlier export's head."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from leaktrace.evidence.bundle import BundleContents, ConsistencyFile, write_bundle
from leaktrace.evidence.canonical import canonical_json
from leaktrace.evidence.checkpoint import SignedTreeHead, sign_tree_head
from leaktrace.evidence.merkle import MerkleTree
from leaktrace.evidence.signing import EvidenceKey

KEY_NAME = "leaktrace.test"


class CaseLog:
    """One case's evidence log, in memory."""

    def __init__(self, key: EvidenceKey, log_id: str = "leaktrace.test/case/7", case: int = 7):
        self.key, self.log_id, self.case = key, log_id, case
        self.tree = MerkleTree()
        self.entries: list[bytes] = []
        self.heads: list[SignedTreeHead] = []
        """heads[i]: the signed head at tree size i + 1."""
        self.files: dict[str, bytes] = {}
        self.timestamps: dict[int, bytes] = {}
        """tree size -> an RFC 3161 reply put in the bundle as timestamps/<size>.tsr."""
        self.clock = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def append(
        self,
        event: str = "note.added",
        data: dict[str, Any] | None = None,
        files: Iterable[bytes] = (),
    ) -> int:
        hashes = []
        for content in files:
            sha = hashlib.sha256(content).hexdigest()
            self.files[sha] = content
            hashes.append(sha)
        seq = len(self.entries)
        self.clock += timedelta(seconds=1)
        entry = canonical_json(
            {
                "v": 1,
                "log": self.log_id,
                "case": self.case,
                "seq": seq,
                "at": self.clock.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "event": event,
                "actor": {"name": "Inspector Ana Lima", "agency": "PF-BR"},
                "data": data if data is not None else {"text": f"note number {seq}: São Paulo"},
                "sha256": hashes,
            }
        )
        self.entries.append(entry)
        self.tree.append(entry)
        self.heads.append(
            sign_tree_head(
                self.key, KEY_NAME, self.log_id, self.tree.size, self.tree.root(), self.clock
            )
        )
        return seq

    def export(self) -> bytes:
        """Append the export entry and write the bundle of the log as it then is."""
        self.append("case.exported", {"format": "zip"})
        return self.bundle()

    def bundle(self, size: int | None = None) -> bytes:
        """The bundle at ``size`` entries (default: all), as an export at that size
        would have written it."""
        size = len(self.entries) if size is None else size
        head = self.heads[size - 1]
        named = {sha for entry in self.entries[:size] for sha in _hashes(entry)}
        proofs = [
            ConsistencyFile(
                old_head=self.heads[seq],
                new_size=size,
                new_root=head.root_hash,
                proof=self.tree.consistency_proof(seq + 1, size),
            )
            for seq in range(size - 1)
            if b'"event":"case.exported"' in self.entries[seq]
        ]
        contents = BundleContents(
            entries=self.entries[:size],
            files={sha: self.files[sha] for sha in named},
            checkpoint=head,
            public_key_pem=self.key.public_pem,
            index_html="<!doctype html><title>case 7</title><p>for people, never read</p>",
            consistency=proofs,
            heads=self.heads[:size],
            timestamps={n: token for n, token in self.timestamps.items() if n <= size},
        )
        out = io.BytesIO()
        write_bundle(contents, out)
        return out.getvalue()


def _hashes(entry: bytes) -> list[str]:
    return list(json.loads(entry)["sha256"])


def members(bundle: bytes) -> list[tuple[str, bytes]]:
    """The zip's members in order, as (name, bytes)."""
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def rezip(items: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of exactly these members (any names, duplicates included)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()


def replace(items: list[tuple[str, bytes]], name: str, data: bytes) -> list[tuple[str, bytes]]:
    assert any(member == name for member, _ in items), name
    return [(member, data if member == name else old) for member, old in items]


def get(items: list[tuple[str, bytes]], name: str) -> bytes:
    return next(data for member, data in items if member == name)
