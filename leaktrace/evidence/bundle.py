"""Writing an evidence bundle (a zip that verifies offline). OWNER: bundle helper (H5).

Layout (every name fixed; nothing else is written):

- ``entries.jsonl``: entry i on line i, exactly the bytes hashed, each line ending ``\\n``
- ``tree_heads.jsonl``: line i the head signed at tree size i + 1 (one after every
  entry), in ``checkpoint.json``'s form, RFC 8785 canonical, each line ending ``\\n``;
  the last one is ``checkpoint.json``. With them a verifier names the first entry
  changed (the first size whose signed root is not the root it recomputes).
- ``checkpoint.json`` (the signed head's JSON form) and ``checkpoint.txt`` (C2SP)
- ``public_key.pem``
- ``files/<sha256>`` for every file and snapshot an entry names
- ``proofs/consistency-<old>-<new>.json``: ``{"old_size", "new_size", "old_root",
  "new_root", "proof": [hex...], "old_checkpoint": {signed JSON of the old head}}``
- ``timestamps/<tree_size>.tsr``: the RFC 3161 reply (DER ``TimeStampResp``, as the
  authority sent it) time-stamping the signed bytes of the head at that size
- ``index.html`` (printable page for a judge), ``VERIFY.md``, ``verify.py``
  (:mod:`leaktrace.evidence.standalone`, verbatim)

Files are read from ``BundleContents.files`` one at a time, as they are written (a lazy
mapping keeps at most one file in memory), and each is checked against its name then.

The zip is deterministic: the same contents give the same bytes (members in the order
above, files, proofs and time-stamps sorted, every timestamp 1980-01-01, Unix mode 0644).
Members are deflated, except ``files/`` which are stored as they are: an evidence file
that is itself a zip or a zip bomb is kept and hashed as bytes, never unpacked.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import BinaryIO

from leaktrace.evidence.canonical import canonical_json
from leaktrace.evidence.checkpoint import SignedTreeHead

__all__ = ["BundleContents", "ConsistencyFile", "standalone_source", "verify_guide", "write_bundle"]

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class ConsistencyFile:
    old_head: SignedTreeHead
    new_size: int
    new_root: str
    proof: list[bytes]

    @property
    def member(self) -> str:
        return f"proofs/consistency-{self.old_head.tree_size}-{self.new_size}.json"

    def as_json(self) -> dict[str, object]:
        return {
            "old_size": self.old_head.tree_size,
            "new_size": self.new_size,
            "old_root": self.old_head.root_hash,
            "new_root": self.new_root,
            "proof": [node.hex() for node in self.proof],
            "old_checkpoint": self.old_head.as_json(),
        }


@dataclass(frozen=True, slots=True)
class BundleContents:
    entries: list[bytes]
    files: Mapping[str, bytes]
    """sha256 hex -> bytes; read once per file, while writing (it may load lazily)."""
    checkpoint: SignedTreeHead
    public_key_pem: str
    index_html: str
    consistency: list[ConsistencyFile] = field(default_factory=list)
    heads: list[SignedTreeHead] = field(default_factory=list)
    """heads[i]: the head signed at tree size i + 1, for every size up to the checkpoint's
    (required: a bundle without them does not verify)."""
    timestamps: dict[int, bytes] = field(default_factory=dict)
    """tree size -> the RFC 3161 reply (DER) time-stamping that head's signed bytes."""


def standalone_source() -> bytes:
    """The text of :mod:`leaktrace.evidence.standalone`: the bundle's ``verify.py``."""
    return resources.files("leaktrace.evidence").joinpath("standalone.py").read_bytes()


def verify_guide() -> bytes:
    """``VERIFY.md``: how to check a bundle without LeakTrace."""
    return resources.files("leaktrace.evidence").joinpath("VERIFY.md").read_bytes()


def _member(name: str, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o100644 << 16
    return info


def _check(contents: BundleContents) -> None:
    """Refuse contents that would make a bundle that cannot verify (a bug upstream)."""
    for index, entry in enumerate(contents.entries):
        if b"\n" in entry or not entry:
            raise ValueError(f"entry {index} is empty or holds a newline")
    for sha in contents.files:
        if not HEX_SHA256.fullmatch(sha):
            raise ValueError(f"file {sha!r} is not named by a SHA-256")
    if len({proof.member for proof in contents.consistency}) < len(contents.consistency):
        raise ValueError("two consistency proofs from the same size")
    for proof in contents.consistency:
        if proof.new_size != contents.checkpoint.tree_size:
            raise ValueError(f"{proof.member} does not end at the checkpoint's size")
    head = contents.checkpoint
    if len(contents.heads) != head.tree_size:
        raise ValueError(f"{len(contents.heads)} signed heads for tree size {head.tree_size}")
    for size, one in enumerate(contents.heads, start=1):
        if one.tree_size != size or one.log_id != head.log_id:
            raise ValueError(f"heads[{size - 1}] is not the head of this log at size {size}")
    if contents.heads and contents.heads[-1].as_json() != head.as_json():
        raise ValueError("the last signed head is not the checkpoint")
    for size, token in contents.timestamps.items():
        if not 1 <= size <= head.tree_size or not token:
            raise ValueError(f"a time-stamp of tree size {size}, which the bundle has no head of")


def _head_line(head: SignedTreeHead) -> bytes:
    return canonical_json(head.as_json()) + b"\n"


def _file(files: Mapping[str, bytes], sha: str) -> Callable[[], bytes]:
    def read() -> bytes:
        data = files[sha]
        if hashlib.sha256(data).hexdigest() != sha:
            raise ValueError(f"file {sha!r} is not named by its SHA-256")
        return data

    return read


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _members(contents: BundleContents) -> Iterator[tuple[str, Callable[[], bytes], bool]]:
    """(name, its content when called, stored rather than deflated), in the zip's order."""
    head = contents.checkpoint
    fixed: list[tuple[str, bytes]] = [
        ("entries.jsonl", b"".join(entry + b"\n" for entry in contents.entries)),
        ("tree_heads.jsonl", b"".join(_head_line(one) for one in contents.heads)),
        ("checkpoint.json", _head_line(head)),
        ("checkpoint.txt", head.checkpoint_text().encode("utf-8")),
        ("public_key.pem", contents.public_key_pem.encode("ascii")),
    ]
    for name, data in fixed:
        yield name, _constant(data), False
    for sha in sorted(contents.files):
        yield f"files/{sha}", _file(contents.files, sha), True
    for proof in sorted(contents.consistency, key=lambda proof: proof.old_head.tree_size):
        yield proof.member, _constant(canonical_json(proof.as_json()) + b"\n"), False
    for size in sorted(contents.timestamps):
        yield f"timestamps/{size}.tsr", _constant(contents.timestamps[size]), False
    yield "index.html", _constant(contents.index_html.encode("utf-8")), False
    yield "VERIFY.md", verify_guide, False
    yield "verify.py", standalone_source, False


def write_bundle(contents: BundleContents, out: BinaryIO) -> None:
    """Write the zip to ``out`` (adds ``verify.py`` and ``VERIFY.md``), reading each file
    of ``contents.files`` once, when its turn comes (ValueError, with part of the zip
    written, for a file that is not named by its SHA-256: the caller discards ``out``)."""
    _check(contents)
    with zipfile.ZipFile(out, "w") as archive:
        for name, content, stored in _members(contents):
            archive.writestr(_member(name, stored), content())
