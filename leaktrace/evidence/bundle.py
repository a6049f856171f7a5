"""Writing an evidence bundle (a zip that verifies offline). OWNER: verifier helper (H1).

Layout (every name fixed; nothing else is written):

- ``entries.jsonl``: entry i on line i, exactly the bytes hashed, each line ending ``\\n``
- ``checkpoint.json`` (the signed head's JSON form) and ``checkpoint.txt`` (C2SP)
- ``public_key.pem``
- ``files/<sha256>`` for every file and snapshot an entry names
- ``proofs/consistency-<old>-<new>.json``: ``{"old_size", "new_size", "old_root",
  "new_root", "proof": [hex...], "old_checkpoint": {signed JSON of the old head}}``
- ``index.html`` (printable page for a judge), ``VERIFY.md``, ``verify.py``
  (:mod:`leaktrace.evidence.standalone`, verbatim)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

from leaktrace.evidence.checkpoint import SignedTreeHead

__all__ = ["BundleContents", "ConsistencyFile", "write_bundle"]


@dataclass(frozen=True, slots=True)
class ConsistencyFile:
    old_head: SignedTreeHead
    new_size: int
    new_root: str
    proof: list[bytes]


@dataclass(frozen=True, slots=True)
class BundleContents:
    entries: list[bytes]
    files: dict[str, bytes]
    """sha256 hex -> bytes."""
    checkpoint: SignedTreeHead
    public_key_pem: str
    index_html: str
    consistency: list[ConsistencyFile] = field(default_factory=list)


def write_bundle(contents: BundleContents, out: BinaryIO) -> None:
    """Write the zip to ``out`` (adds ``verify.py`` and ``VERIFY.md``)."""
    raise NotImplementedError
