"""Verify a LeakTrace evidence bundle offline (this file is the bundle's ``verify.py``).

Usage: ``python verify.py [BUNDLE] [--against OLDER] [--expect-key FINGERPRINT]``, where
BUNDLE is the exported ``.zip`` or its unpacked folder (default: this file's folder).
Exit status 0: valid; 1: invalid (the first failure is printed); 2: usage error.

It uses only the Python standard library and ``cryptography`` (``pip install
cryptography``) and trusts nothing in the bundle it has not checked: entries are
RFC 8785 canonical JSON, hashed into an RFC 9162 section 2.1 Merkle tree; the head signed
after every entry (``tree_heads.jsonl``, Ed25519) must name the root over the entries up
to it, so the first head that does not names the first entry changed; the last head is
the checkpoint; every file an entry names must hash to its name; consistency proofs from
earlier exports must verify against the signed heads. RFC 3161 time-stamps
(``timestamps/``) are listed, not checked: that needs CMS (see VERIFY.md, ``openssl ts
-verify``). A zip is never extracted: members are read in memory with size caps, and
only the fixed layout (see VERIFY.md) is accepted. ``index.html`` is for people and is
never read.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import re
import stat
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

__all__ = [
    "Report",
    "TimestampCheck",
    "TimestampFile",
    "VerificationError",
    "canonical_entry",
    "leaf_hash",
    "main",
    "merkle_root",
    "node_hash",
    "signed_bytes",
    "verify_bundle",
    "verify_consistency",
    "verify_inclusion",
]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32

MAX_SMALL_MEMBER = 1 << 20
"""checkpoint.json, checkpoint.txt, public_key.pem and each proof file."""
MAX_ENTRIES_BYTES = 1 << 30
MAX_HEADS_BYTES = 1 << 30
MAX_FILE_MEMBER = 4 << 30
"""One evidence file (hashed in pieces, never held whole)."""
MAX_TOTAL_BYTES = 64 << 30
"""Everything in the bundle, uncompressed."""
MAX_MEMBERS = 1_000_000
JSON_INT_LIMIT = 2**53 - 1
"""RFC 8785 numbers are IEEE doubles: larger integers have no exact canonical form."""

FIXED_MEMBERS = (
    "entries.jsonl",
    "tree_heads.jsonl",
    "checkpoint.json",
    "checkpoint.txt",
    "public_key.pem",
    "index.html",
    "VERIFY.md",
    "verify.py",
)
REQUIRED_MEMBERS = FIXED_MEMBERS[:5]
FILE_MEMBER = re.compile(r"files/([0-9a-f]{64})")
PROOF_MEMBER = re.compile(r"proofs/consistency-([1-9][0-9]{0,17})-([1-9][0-9]{0,17})\.json")
TIMESTAMP_MEMBER = re.compile(r"timestamps/([1-9][0-9]{0,17})\.tsr")
FOLDERS = ("files/", "proofs/", "timestamps/")
HEX_HASH = re.compile(r"[0-9a-f]{64}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z")
CHECKPOINT_FIELDS = ("log_id", "tree_size", "root_hash", "timestamp")


class VerificationError(Exception):
    """A check failed; the message says which and why."""


# --- RFC 9162 section 2.1: hashes, roots, proofs ---------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """RFC 9162 2.1.1: SHA-256(0x00 || entry)."""
    return hashlib.sha256(LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 2.1.1: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def prefix_roots(leaves: Sequence[bytes], sizes: Sequence[int] = ()) -> dict[int, bytes]:
    """The root of the tree over the first ``size`` leaves for each size in ``sizes`` and
    for all of them, in one pass: a stack of complete subtrees, folded from the right
    (the tree over n leaves is the complete one over the largest power of two below n,
    then the tree over the rest)."""
    wanted = set(sizes) | {len(leaves)}
    roots: dict[int, bytes] = {}
    if 0 in wanted:
        roots[0] = hashlib.sha256(b"").digest()
    stack: list[tuple[int, bytes]] = []
    for count, leaf in enumerate(leaves, start=1):
        height, value = 0, leaf
        while stack and stack[-1][0] == height:
            value = node_hash(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
        if count in wanted:
            root = stack[-1][1]
            for _, left in reversed(stack[:-1]):
                root = node_hash(left, root)
            roots[count] = root
    return roots


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """MTH over the leaf hashes (RFC 9162 2.1.1); SHA-256 of nothing for an empty tree."""
    return prefix_roots(leaves)[len(leaves)]


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    for number, value in enumerate(proof):
        if len(value) != HASH_SIZE:
            raise VerificationError(f"proof hash {number} is {len(value)} bytes, not 32")


def verify_inclusion(
    leaf_index: int, tree_size: int, leaf: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 2.1.3.2: raise :class:`VerificationError` unless ``proof`` shows that
    ``leaf`` (a leaf hash) is leaf ``leaf_index`` of the tree of ``tree_size`` with
    ``root``."""
    if not 0 <= leaf_index < tree_size:
        raise VerificationError(f"leaf index {leaf_index} is not below the tree size {tree_size}")
    if len(leaf) != HASH_SIZE:
        raise VerificationError(f"the leaf hash is {len(leaf)} bytes, not 32")
    _check_proof_hashes(proof)
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("the inclusion proof is longer than the tree needs")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("the inclusion proof is shorter than the tree needs")
    if r != root:
        raise VerificationError("the inclusion proof leads to another root")


def verify_consistency(
    first: int, second: int, first_hash: bytes, second_hash: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 2.1.4.2: raise :class:`VerificationError` unless ``proof`` shows that the
    tree of size ``first`` with root ``first_hash`` is a prefix of the tree of size
    ``second`` with root ``second_hash``. Equal sizes need an empty proof and equal roots;
    an empty old tree proves nothing and is refused."""
    if first > second:
        raise VerificationError(f"the old size {first} is larger than the new size {second}")
    if first == 0:
        raise VerificationError("a consistency proof from an empty tree proves nothing")
    if first == second:
        if proof:
            raise VerificationError("the sizes are equal but the proof is not empty")
        if first_hash != second_hash:
            raise VerificationError("the sizes are equal but the roots differ")
        return
    if not proof:
        raise VerificationError("the consistency proof is empty")
    _check_proof_hashes(proof)
    path = list(proof)
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("the consistency proof is longer than the trees need")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("the consistency proof is shorter than the trees need")
    if fr != first_hash:
        raise VerificationError("the consistency proof leads to another old root")
    if sr != second_hash:
        raise VerificationError("the consistency proof leads to another new root")


# --- RFC 8785 for float-free JSON -------------------------------------------------------


def _utf16_sorted(value: Any) -> Any:
    """A copy of ``value`` with every object's keys in UTF-16 code unit order."""
    if isinstance(value, dict):
        ordered = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be"))
        return {key: _utf16_sorted(item) for key, item in ordered}
    if isinstance(value, list):
        return [_utf16_sorted(item) for item in value]
    return value


def canonical_entry(value: Any) -> bytes:
    """RFC 8785 bytes of float-free JSON (objects, arrays, strings, booleans, null and
    integers of at most 2**53 - 1 in size). Python's JSON writer already escapes strings
    as RFC 8785 does (only ``"``, ``\\`` and control characters; lowercase ``\\u00xx``)."""
    text = json.dumps(
        _utf16_sorted(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def _parse_int(text: str) -> int:
    number = int(text)
    if abs(number) > JSON_INT_LIMIT:
        raise ValueError(f"the integer {text} is too large for RFC 8785")
    return number


def _refuse_number(text: str) -> Any:
    raise ValueError(f"the number {text} is not an integer (entries hold no floats)")


def _keys_in_order(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's members, refused unless the keys are in strictly increasing UTF-16
    code unit order (RFC 8785 3.2.3), which also refuses repeated keys."""
    keys: list[Any] = [key for key, _ in pairs]
    if not all(key.isascii() for key in keys):  # ASCII code points sort as UTF-16 does
        keys = [key.encode("utf-16-be") for key in keys]
    if any(keys[i] >= keys[i + 1] for i in range(len(keys) - 1)):
        raise ValueError("it is not in RFC 8785 canonical form (keys out of order or repeated)")
    return dict(pairs)


def parse_canonical(data: bytes) -> Any:
    """Parse ``data`` and check that it is exactly its own RFC 8785 form; raise
    ValueError saying what is wrong. (Keys are checked for order while parsing; the
    value is then written back in that order and must give the same bytes.)"""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"it is not UTF-8 (byte {exc.start})") from None
    try:
        value = json.loads(
            text,
            parse_int=_parse_int,
            parse_float=_refuse_number,
            parse_constant=_refuse_number,
            object_pairs_hook=_keys_in_order,
        )
    except json.JSONDecodeError as exc:
        raise ValueError(f"it is not JSON ({exc.msg} at character {exc.pos})") from None
    written = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    try:
        canonical = written.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("it holds an unpaired surrogate") from None
    if canonical != data:
        raise ValueError("it is not in RFC 8785 canonical form (spaces or escapes)")
    return value


# --- reading a bundle without extracting it ---------------------------------------------


def _check_member_name(name: str) -> None:
    if "\\" in name:
        raise VerificationError(f"member {name!r} has a backslash in its name")
    if name.startswith("/") or re.match(r"[A-Za-z]:", name):
        raise VerificationError(f"member {name!r} has an absolute path")
    if ".." in name.split("/") or "\x00" in name:
        raise VerificationError(f"member {name!r} tries to leave the bundle ('..')")
    if not (
        name in FIXED_MEMBERS
        or name in FOLDERS
        or FILE_MEMBER.fullmatch(name)
        or PROOF_MEMBER.fullmatch(name)
        or TIMESTAMP_MEMBER.fullmatch(name)
    ):
        raise VerificationError(f"member {name!r} is not part of the bundle layout")


class _Bundle:
    """The members of a zip or a folder, read with size caps."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.sizes: dict[str, int] = {}
        self._zip: zipfile.ZipFile | None = None
        self._infos: dict[str, zipfile.ZipInfo] = {}

    def list_members(self) -> None:
        """Read the member list; refuse names outside the layout, duplicates, and sizes
        over the caps before anything is read."""
        path = self.path
        if path.is_dir():
            self._list_folder()
        else:
            self._list_zip()
        total = sum(self.sizes.values())
        if total > MAX_TOTAL_BYTES:
            raise VerificationError(f"the bundle holds {total} bytes, more than {MAX_TOTAL_BYTES}")
        missing = [name for name in REQUIRED_MEMBERS if name not in self.sizes]
        if missing:
            raise VerificationError(f"the bundle has no {', '.join(missing)}")

    def _add(self, name: str, size: int) -> None:
        _check_member_name(name)
        if name in self.sizes:
            raise VerificationError(f"member {name!r} appears twice")
        if len(self.sizes) >= MAX_MEMBERS:
            raise VerificationError(f"the bundle has more than {MAX_MEMBERS} members")
        self.sizes[name] = size

    def _list_zip(self) -> None:
        try:
            self._zip = zipfile.ZipFile(self.path)
            infos = self._zip.infolist()
        except (OSError, zipfile.BadZipFile) as exc:
            raise VerificationError(f"{self.path} is not a readable zip file: {exc}") from None
        for info in infos:
            self._add(info.filename, info.file_size)
            if info.flag_bits & 0x1:
                raise VerificationError(f"member {info.filename!r} is encrypted")
            self._infos[info.filename] = info

    def _list_folder(self) -> None:
        for folder, subfolders, names in os.walk(self.path):
            relative = Path(folder).relative_to(self.path).as_posix()
            prefix = "" if relative == "." else relative + "/"
            if prefix:
                self._add(prefix, 0)
            for name in sorted(names) + sorted(subfolders):
                full = Path(folder) / name
                info = full.lstat()
                if stat.S_ISLNK(info.st_mode):
                    raise VerificationError(f"{prefix + name!r} is a symbolic link")
                if stat.S_ISREG(info.st_mode):
                    self._add(prefix + name, info.st_size)
                elif not stat.S_ISDIR(info.st_mode):
                    raise VerificationError(f"{prefix + name!r} is not a regular file")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def names(self) -> list[str]:
        return sorted(self.sizes)

    def _chunks(self, name: str, cap: int) -> Iterator[bytes]:
        if self.sizes[name] > cap:
            raise VerificationError(f"{name} is {self.sizes[name]} bytes, more than {cap}")
        read = 0
        try:
            if self._zip is not None:
                handle: Any = self._zip.open(self._infos[name])
            else:
                handle = open(self.path / name, "rb")
            with handle:
                while chunk := handle.read(1 << 20):
                    read += len(chunk)
                    if read > cap:
                        raise VerificationError(f"{name} is larger than {cap} bytes")
                    yield chunk
        except (
            OSError,
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            RuntimeError,
            NotImplementedError,
        ) as exc:
            raise VerificationError(f"{name} cannot be read: {exc}") from None

    def read(self, name: str, cap: int | None = None) -> bytes:
        return b"".join(self._chunks(name, MAX_SMALL_MEMBER if cap is None else cap))

    def sha256(self, name: str) -> str:
        digest = hashlib.sha256()
        for chunk in self._chunks(name, MAX_FILE_MEMBER):
            digest.update(chunk)
        return digest.hexdigest()


# --- signed tree heads -------------------------------------------------------------------


@dataclass(frozen=True)
class _Head:
    log_id: str
    tree_size: int
    root: bytes
    stamp: str
    """The timestamp as signed."""


def _load_json(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_number)
    except (UnicodeDecodeError, ValueError) as exc:
        raise VerificationError(f"{what} is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise VerificationError(f"{what} is not a JSON object")
    return value


def _hex_hash(value: Any, what: str) -> bytes:
    if not isinstance(value, str) or not HEX_HASH.fullmatch(value):
        raise VerificationError(f"{what} is not 64 lowercase hex digits")
    return bytes.fromhex(value)


def _size(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= JSON_INT_LIMIT:
        raise VerificationError(f"{what} is not a whole number")
    return value


def signed_bytes(head: _Head) -> bytes:
    """What a head's signature signs (and what an RFC 3161 time-stamp of it stamps): the
    RFC 8785 JSON of log_id, root_hash, timestamp and tree_size."""
    return canonical_entry(
        {
            "log_id": head.log_id,
            "tree_size": head.tree_size,
            "root_hash": head.root.hex(),
            "timestamp": head.stamp,
        }
    )


def _parse_head(value: Any, what: str) -> tuple[_Head, bytes | None]:
    """A tree head in its JSON form: exactly five fields, each well formed; the head and
    its decoded signature (None when it is not base64). The signature is not checked."""
    if not isinstance(value, dict) or sorted(value) != sorted((*CHECKPOINT_FIELDS, "signature")):
        raise VerificationError(
            f"{what} must have exactly the fields {', '.join(CHECKPOINT_FIELDS)}, signature"
        )
    log_id, timestamp = value["log_id"], value["timestamp"]
    if not isinstance(log_id, str) or not log_id or "\n" in log_id:
        raise VerificationError(f"{what}'s log_id is not a one-line string")
    size = _size(value["tree_size"], f"{what}'s tree_size")
    root = _hex_hash(value["root_hash"], f"{what}'s root_hash")
    if not isinstance(timestamp, str) or not TIMESTAMP.fullmatch(timestamp):
        raise VerificationError(f"{what}'s timestamp is not RFC 3339 UTC")
    try:
        signature: bytes | None = base64.b64decode(value["signature"], validate=True)
    except (binascii.Error, TypeError, ValueError):
        signature = None
    return _Head(log_id=log_id, tree_size=size, root=root, stamp=timestamp), signature


def _signature_valid(key: Ed25519PublicKey, signature: bytes | None, message: bytes) -> bool:
    if signature is None:
        return False
    try:
        key.verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _check_head(value: Any, key: Ed25519PublicKey, what: str) -> _Head:
    """A signed tree head in its JSON form: exactly five fields, the signature checked."""
    head, signature = _parse_head(value, what)
    if not _signature_valid(key, signature, signed_bytes(head)):
        raise VerificationError(
            f"{what}'s signature does not verify with public_key.pem: it was changed or "
            "signed by another key"
        )
    return head


def _first_bad_signature(
    key: Ed25519PublicKey, signatures: Sequence[bytes | None], messages: Sequence[bytes]
) -> int | None:
    """The index of the first signature that does not verify over its message, or None.
    Checked in slices on a few threads (Ed25519 verification lets other threads run):
    this is most of the time a large bundle takes."""

    def first_bad(start: int) -> int | None:
        for index in range(start, min(start + step, len(messages))):
            if not _signature_valid(key, signatures[index], messages[index]):
                return index
        return None

    workers = max(1, min(8, os.cpu_count() or 1, len(messages) // 2048))
    step = -(-len(messages) // workers) or 1
    if workers == 1:
        return first_bad(0)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        found = list(pool.map(first_bad, range(0, len(messages), step)))
    return min((index for index in found if index is not None), default=None)


def _value_or_none(line: bytes) -> Any:
    try:
        return parse_canonical(line)
    except ValueError:  # pragma: no cover - the line was read as canonical already
        return None


def _stamp_order(stamp: str) -> str:
    """An RFC 3339 UTC timestamp as a string that sorts by time (fractions padded)."""
    return stamp[:19] + (stamp[19:-1] or ".").ljust(10, "0")


def _head_line_pattern(log_id: str) -> re.Pattern[bytes]:
    """The exact RFC 8785 form of a head of ``log_id`` (keys in order, nothing escaped
    but in the log id): lines that match are read without a JSON parser; the others are
    parsed, to say what is wrong with them."""
    return re.compile(
        rb'\{"log_id":'
        + re.escape(canonical_entry(log_id))
        + rb',"root_hash":"([0-9a-f]{64})"(,"signature":"([A-Za-z0-9+/]*={0,2})")'
        + rb',"timestamp":"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z)"'
        + rb',"tree_size":(0|[1-9][0-9]{0,14})\}'
    )


def _read_head_line(
    line: bytes, index: int, pattern: re.Pattern[bytes], log_id: str
) -> tuple[_Head, bytes | None, bytes]:
    """Line ``index`` of tree_heads.jsonl: the head, its decoded signature (None if not
    base64) and the bytes it signs (the line without its signature member)."""
    match = pattern.fullmatch(line)
    if match is None:
        where = f"tree_heads.jsonl line {index + 1}"
        try:
            value = parse_canonical(line)
        except ValueError as exc:
            raise VerificationError(f"{where} was changed: {exc}") from None
        head, signature = _parse_head(value, where)
        if head.log_id != log_id:
            raise VerificationError(
                f"{where} names the log {head.log_id!r}, not checkpoint.json's {log_id!r}"
            )
        return head, signature, signed_bytes(head)
    try:
        decoded: bytes | None = base64.b64decode(match.group(3), validate=True)
    except binascii.Error:
        decoded = None
    head = _Head(
        log_id=log_id,
        tree_size=int(match.group(5)),
        root=bytes.fromhex(match.group(1).decode()),
        stamp=match.group(4).decode(),
    )
    return head, decoded, line[: match.start(2)] + line[match.end(2) :]


def _check_heads(
    data: bytes, checkpoint: _Head, checkpoint_value: dict[str, Any], key: Ed25519PublicKey
) -> tuple[list[_Head], str]:
    """tree_heads.jsonl: line i is the head signed at tree size i + 1, canonical JSON of
    checkpoint.json's form, of the same log, signed by the key; the last one is
    checkpoint.json. The heads, and a line saying what was checked."""
    if data and not data.endswith(b"\n"):
        raise VerificationError(
            "tree_heads.jsonl does not end with a newline: its last head was cut or changed"
        )
    lines = data[:-1].split(b"\n") if data else []
    heads: list[_Head] = []
    signatures: list[bytes | None] = []
    messages: list[bytes] = []
    pattern = _head_line_pattern(checkpoint.log_id)
    for index, line in enumerate(lines):
        head, signature, message = _read_head_line(line, index, pattern, checkpoint.log_id)
        if head.tree_size != index + 1:
            raise VerificationError(
                f"tree_heads.jsonl line {index + 1} is the head of tree size "
                f"{head.tree_size}, not {index + 1}: a head was removed, reordered or inserted"
            )
        heads.append(head)
        signatures.append(signature)
        messages.append(message)
    if len(heads) != checkpoint.tree_size:
        what = "removed" if len(heads) < checkpoint.tree_size else "added"
        raise VerificationError(
            f"tree_heads.jsonl has {len(heads)} signed heads but checkpoint.json is the head "
            f"of tree size {checkpoint.tree_size}: heads were {what}"
        )
    bad = _first_bad_signature(key, signatures, messages)
    if bad is not None:
        raise VerificationError(
            f"tree_heads.jsonl line {bad + 1} (the head at tree size {bad + 1}): its signature "
            "does not verify with public_key.pem: it was changed or forged"
        )
    if heads and _value_or_none(lines[-1]) != checkpoint_value:
        raise VerificationError(
            "the last line of tree_heads.jsonl is not checkpoint.json's head (another head "
            f"signed for tree size {checkpoint.tree_size})"
        )
    back = sum(
        _stamp_order(heads[i].stamp) < _stamp_order(heads[i - 1].stamp)
        for i in range(1, len(heads))
    )
    order = (
        "each no earlier than the one before"
        if not back
        else f"{back} of them earlier than the head before (the signer's clock stepped back; "
        "heads need not be in time order)"
    )
    span = f", timestamps {heads[0].stamp} to {heads[-1].stamp}, {order}" if heads else ""
    return heads, (
        f"tree_heads.jsonl: {len(heads)} signed heads, tree sizes 1 to {len(heads)}, every "
        f"Ed25519 signature valid, all of this log, the last one = checkpoint.json{span}"
    )


def _check_roots(leaves: Sequence[bytes], heads: Sequence[_Head]) -> None:
    """One pass over the leaves: a stack of complete subtrees (one per set bit of the
    count, largest first), folded from the right at every size to give the root over the
    entries so far, compared with the root signed at that size. The first size that does
    not match names the entry changed (every later root covers it too), unless the
    entries match the last head: then the key signed two different histories."""
    sha256 = hashlib.sha256
    stack: list[bytes] = []
    first_bad: int | None = None
    for count, leaf in enumerate(leaves, start=1):
        value = leaf
        for _ in range((count & -count).bit_length() - 1):  # merges: trailing zero bits
            value = sha256(NODE_PREFIX + stack.pop() + value).digest()
        stack.append(value)
        if first_bad is None:
            root = value
            for index in range(len(stack) - 2, -1, -1):
                root = sha256(NODE_PREFIX + stack[index] + root).digest()
            if root != heads[count - 1].root:
                first_bad = count
    if first_bad is None:
        return
    root = stack[-1] if stack else hashlib.sha256(b"").digest()
    for index in range(len(stack) - 2, -1, -1):
        root = node_hash(stack[index], root)
    entry = first_bad - 1
    if root == heads[-1].root:
        raise VerificationError(
            f"the head signed at tree size {first_bad} (tree_heads.jsonl line {first_bad}) "
            f"is not the root over entries 0..{entry}, yet all {len(leaves)} entries are "
            "the ones checkpoint.json signs: the same key signed two different histories of "
            "this log (it was rewritten and signed again)"
        )
    raise VerificationError(
        f"entry {entry} was changed: the root over entries 0..{entry} is not the one signed "
        f"at tree size {first_bad}"
    )


def _c2sp_key_id(name: str, public_raw: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n\x01" + public_raw).digest()[:4]


def _check_note(text: bytes, head: _Head, key: Ed25519PublicKey, public_raw: bytes) -> str:
    """checkpoint.txt: the C2SP checkpoint of the same head, signed by the same key;
    the key name it was signed under."""
    body = f"{head.log_id}\n{head.tree_size}\n{base64.b64encode(head.root).decode()}\n"
    if not text.startswith(body.encode() + b"\n"):
        raise VerificationError(
            "checkpoint.txt does not name the log, size and root of checkpoint.json"
        )
    lines = text[len(body) + 1 :].decode("utf-8", "replace").split("\n")
    if not lines or lines[-1] != "" or len(lines) < 2:
        raise VerificationError("checkpoint.txt's signature lines do not end with a newline")
    names: list[str] = []
    for line in lines[:-1]:
        parts = line.split(" ")
        if len(parts) != 3 or parts[0] != "\u2014" or not parts[1]:
            raise VerificationError(f"checkpoint.txt has a malformed signature line {line!r}")
        try:
            blob = base64.b64decode(parts[2], validate=True)
        except binascii.Error:
            raise VerificationError("checkpoint.txt has a signature that is not base64") from None
        if blob[:4] != _c2sp_key_id(parts[1], public_raw):
            continue  # a cosignature by another key: allowed by C2SP, not relied on
        try:
            key.verify(blob[4:], body.encode())
        except InvalidSignature:
            raise VerificationError(
                "checkpoint.txt's signature does not verify with public_key.pem"
            ) from None
        names.append(parts[1])
    if not names:
        raise VerificationError("checkpoint.txt has no signature by public_key.pem's key")
    return names[0]


# --- the bundle ----------------------------------------------------------------------------


@dataclass
class Report:
    """What :func:`verify_bundle` checked, and the first thing that failed."""

    ok: bool
    bundle: str
    log_id: str | None = None
    tree_size: int | None = None
    root_hash: str | None = None
    """Lowercase hex, as signed."""
    key_fingerprint: str | None = None
    """SHA-256 of the raw Ed25519 public key, lowercase hex."""
    entries: int = 0
    files: int = 0
    checks: list[str] = field(default_factory=list)
    """What was checked and passed, in words."""
    notes: list[str] = field(default_factory=list)
    """What is in the bundle but was not checked here (RFC 3161 time-stamps), and why."""
    problem: str | None = None
    """The first failure, naming the entry, file or signature."""
    timestamps: list[TimestampFile] = field(default_factory=list)
    """The RFC 3161 time-stamps in ``timestamps/``, by tree size."""


@dataclass(frozen=True)
class TimestampFile:
    """``timestamps/<tree_size>.tsr``: an RFC 3161 reply (DER ``TimeStampResp``), as
    the time-stamping authority sent it, for the head signed at ``tree_size``."""

    member: str
    tree_size: int
    message: bytes
    """The head's signed bytes: what the token must time-stamp (SHA-256 imprint)."""


TimestampCheck = Callable[[TimestampFile, bytes], None]
"""Checks one time-stamp (its member and the reply's bytes); raises
:class:`VerificationError` saying what is wrong. verify.py has none (CMS needs more than
``cryptography``); LeakTrace passes one built on ``rfc3161-client``."""


@dataclass(frozen=True)
class _Verified:
    entries: list[bytes]
    public_raw: bytes
    head: _Head
    proofs: list[str]


def _parse_entry(line: bytes, index: int) -> dict[str, Any]:
    """Entry ``index`` as read: RFC 8785 canonical JSON, an object, with its own seq."""
    where = f"entry {index} (line {index + 1} of entries.jsonl)"
    if not line:
        raise VerificationError(f"{where} is empty")
    try:
        value = parse_canonical(line)
    except ValueError as exc:
        raise VerificationError(f"{where} was changed: {exc}") from None
    if not isinstance(value, dict):
        raise VerificationError(f"{where} is not a JSON object")
    seq = value.get("seq")
    if type(seq) is not int or seq != index:
        raise VerificationError(
            f"{where} has seq {seq!r}, not {index}: an entry was removed, reordered or "
            "inserted at this point (or its seq was changed)"
        )
    return value


def _check_entry_fields(value: dict[str, Any], index: int, log_id: str, case: Any) -> None:
    """The fields of an entry whose bytes are the signed ones: its log, its case, its
    event name and file hashes."""
    where = f"entry {index} (line {index + 1} of entries.jsonl)"
    if value.get("log") != log_id:
        raise VerificationError(
            f"{where} belongs to log {value.get('log')!r}, not checkpoint.json's {log_id!r}"
        )
    if "case" not in value or (
        index and (value["case"] != case or type(value["case"]) is not type(case))
    ):
        raise VerificationError(
            f"{where} belongs to case {value.get('case')!r}, entry 0 to case "
            f"{case!r}: an entry of another case or a changed entry 0"
        )
    hashes = value.get("sha256", [])
    if not isinstance(value.get("event"), str) or not isinstance(hashes, list):
        raise VerificationError(f"{where} has no event name or a malformed sha256 list")
    for item in hashes:
        if not isinstance(item, str) or not HEX_HASH.fullmatch(item):
            raise VerificationError(f"{where} names a file hash {item!r} that is not hex SHA-256")


def _read_entries(data: bytes, head: _Head) -> tuple[list[bytes], list[dict[str, Any]]]:
    """entries.jsonl's lines and values: each canonical with its own seq, as many as the
    checkpoint signs. (Their fields are checked once their bytes are known to be the
    signed ones, so that a changed byte is named by the signed heads.)"""
    if data and not data.endswith(b"\n"):
        raise VerificationError(
            "entries.jsonl does not end with a newline: its last entry was cut or changed"
        )
    lines = data[:-1].split(b"\n") if data else []
    values = [_parse_entry(line, index) for index, line in enumerate(lines)]
    if len(lines) < head.tree_size:
        raise VerificationError(
            f"entries.jsonl has {len(lines)} entries but checkpoint.json signs "
            f"{head.tree_size}: the log was truncated"
        )
    if len(lines) > head.tree_size:
        raise VerificationError(
            f"entries.jsonl has {len(lines)} entries but checkpoint.json signs only "
            f"{head.tree_size}: entries were added after it was signed"
        )
    return lines, values


def _check_files(bundle: _Bundle, values: list[dict[str, Any]]) -> int:
    named: dict[str, int] = {}
    for index, value in enumerate(values):
        for sha in value.get("sha256", []):
            named.setdefault(sha, index)
    for sha, index in named.items():
        if f"files/{sha}" not in bundle.sizes:
            raise VerificationError(f"files/{sha} is missing: entry {index} names it")
    for name in bundle.names():
        match = FILE_MEMBER.fullmatch(name)
        if match and match.group(1) not in named:
            raise VerificationError(f"{name} is named by no entry: it was added to the bundle")
    for sha, index in named.items():
        actual = bundle.sha256(f"files/{sha}")
        if actual != sha:
            raise VerificationError(
                f"files/{sha} was changed: its SHA-256 is {actual}, not its name "
                f"(named by entry {index})"
            )
    return len(named)


PROOF_FIELDS = ("new_root", "new_size", "old_checkpoint", "old_root", "old_size", "proof")


def _check_proof_file(
    bundle: _Bundle,
    name: str,
    old: int,
    new: int,
    head: _Head,
    heads: Sequence[_Head],
    key: Ed25519PublicKey,
) -> None:
    """One proofs/consistency-<old>-<new>.json: the proof, its roots and its old head
    (which must be the head tree_heads.jsonl has at that size)."""
    data = _load_json(bundle.read(name), name)
    if sorted(data) != list(PROOF_FIELDS):
        raise VerificationError(f"{name} must have exactly the fields {', '.join(PROOF_FIELDS)}")
    if data["old_size"] != old or data["new_size"] != new or not 1 <= old < new:
        raise VerificationError(f"{name}'s sizes do not match its name or are out of order")
    if new != head.tree_size:
        raise VerificationError(
            f"{name} ends at size {new}, not at the checkpoint's {head.tree_size}"
        )
    old_root = _hex_hash(data["old_root"], f"{name}'s old_root")
    if _hex_hash(data["new_root"], f"{name}'s new_root") != head.root:
        raise VerificationError(f"{name}'s new_root is not checkpoint.json's root")
    proof = data["proof"]
    if not isinstance(proof, list):
        raise VerificationError(f"{name}'s proof is not a list")
    hashes = [_hex_hash(item, f"{name}'s proof[{i}]") for i, item in enumerate(proof)]
    try:
        verify_consistency(old, new, old_root, head.root, hashes)
    except VerificationError as exc:
        raise VerificationError(f"{name} does not verify (RFC 9162 2.1.4.2): {exc}") from None
    old_head = _check_head(data["old_checkpoint"], key, f"{name}'s old_checkpoint")
    if (old_head.log_id, old_head.tree_size, old_head.root) != (head.log_id, old, old_root):
        raise VerificationError(f"{name}'s old_checkpoint is not the signed head it proves from")
    if heads[old - 1].root != old_root:
        raise VerificationError(
            f"{name}: the signed root at size {old} is not the root of the first {old} "
            "entries here: the log was rewritten after that export"
        )
    if heads[old - 1] != old_head:
        raise VerificationError(
            f"{name}'s old_checkpoint is not the head signed at tree size {old} in "
            "tree_heads.jsonl (another head signed for the same size)"
        )


def _check_proofs(
    bundle: _Bundle,
    values: list[dict[str, Any]],
    head: _Head,
    heads: Sequence[_Head],
    key: Ed25519PublicKey,
) -> int:
    proofs: dict[str, tuple[int, int]] = {}
    for name in bundle.names():
        if match := PROOF_MEMBER.fullmatch(name):
            proofs[name] = (int(match.group(1)), int(match.group(2)))
    for value in values:
        size = value["seq"] + 1
        wanted = f"proofs/consistency-{size}-{head.tree_size}.json"
        if value["event"] == "case.exported" and size < head.tree_size and wanted not in proofs:
            raise VerificationError(
                f"{wanted} is missing: entry {value['seq']} records an export at size {size}"
            )
    for name, (old, new) in proofs.items():
        _check_proof_file(bundle, name, old, new, head, heads, key)
    return len(proofs)


def _load_key(bundle: _Bundle, report: Report, expect_key: str | None) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(bundle.read("public_key.pem"))
    except (ValueError, UnsupportedAlgorithm):
        raise VerificationError("public_key.pem is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise VerificationError("public_key.pem is not an Ed25519 public key")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    report.key_fingerprint = hashlib.sha256(raw).hexdigest()
    if expect_key is not None and expect_key.strip().lower() != report.key_fingerprint:
        raise VerificationError(
            f"public_key.pem has the fingerprint {report.key_fingerprint}, not the expected "
            f"{expect_key.strip().lower()}: the bundle was signed by another key"
        )
    expected = " (the one expected)" if expect_key is not None else ""
    report.checks.append(
        f"public_key.pem: an Ed25519 key, fingerprint {report.key_fingerprint}{expected}"
    )
    return key


def _verify(bundle: _Bundle, report: Report, expect_key: str | None) -> _Verified:
    checks = report.checks
    checks.append(f"{len(bundle.sizes)} members, all in the fixed layout (nothing extracted)")
    key = _load_key(bundle, report, expect_key)
    checkpoint = _load_json(bundle.read("checkpoint.json"), "checkpoint.json")
    head = _check_head(checkpoint, key, "checkpoint.json")
    report.log_id, report.tree_size, report.root_hash = head.log_id, head.tree_size, head.root.hex()
    checks.append(
        f"checkpoint.json: Ed25519 signature valid (log {head.log_id!r}, "
        f"{head.tree_size} entries, root {head.root.hex()}, signed {head.stamp})"
    )
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    name = _check_note(bundle.read("checkpoint.txt"), head, key, raw)
    checks.append(f"checkpoint.txt: the same head, C2SP signature by {name!r} valid")
    heads, heads_check = _check_heads(
        bundle.read("tree_heads.jsonl", MAX_HEADS_BYTES),
        head,
        checkpoint,
        key,
    )
    checks.append(heads_check)
    entries, values = _read_entries(bundle.read("entries.jsonl", MAX_ENTRIES_BYTES), head)
    report.entries = len(entries)
    _check_roots([leaf_hash(entry) for entry in entries], heads)
    checks.append(
        f"Merkle roots (RFC 9162 2.1): for every k from 1 to {len(entries)}, the root over "
        "the first k entries = the root signed at tree size k"
    )
    case = values[0].get("case") if values else None
    for index, value in enumerate(values):
        _check_entry_fields(value, index, head.log_id, case)
    checks.append(
        f"entries.jsonl: {len(entries)} entries, each RFC 8785 canonical JSON, seq 0 to "
        f"{len(entries) - 1} in order, all of this log and case"
    )
    report.files = _check_files(bundle, values)
    checks.append(f"files/: {report.files} files, each hashes to its name and is named by an entry")
    proofs = _check_proofs(bundle, values, head, heads, key)
    checks.append(
        f"proofs/: {proofs} consistency proofs from earlier exports verify against the "
        "heads signed at both sizes"
    )
    report.timestamps = _list_timestamps(bundle, heads)
    if report.timestamps:
        report.notes.append(
            f"timestamps/: {len(report.timestamps)} RFC 3161 time-stamps (of the heads at "
            f"tree sizes {_sizes(report.timestamps)}) present, not checked here: see "
            "VERIFY.md (openssl ts -verify)"
        )
    proof_names = [name for name in bundle.names() if PROOF_MEMBER.fullmatch(name)]
    return _Verified(entries=entries, public_raw=raw, head=head, proofs=proof_names)


def _sizes(stamps: Sequence[TimestampFile]) -> str:
    """``1, 2, 5`` (or ``1, 2, ... 9`` when there are many)."""
    sizes = [str(stamp.tree_size) for stamp in stamps]
    return ", ".join(sizes if len(sizes) <= 6 else [*sizes[:3], "...", sizes[-1]])


def _list_timestamps(bundle: _Bundle, heads: Sequence[_Head]) -> list[TimestampFile]:
    """timestamps/<size>.tsr: one per head at most, each for a head in tree_heads.jsonl."""
    stamps: list[TimestampFile] = []
    for name in bundle.names():
        if match := TIMESTAMP_MEMBER.fullmatch(name):
            size = int(match.group(1))
            if size > len(heads):
                raise VerificationError(
                    f"{name} is a time-stamp of tree size {size}, but the signed heads end at "
                    f"tree size {len(heads)}"
                )
            message = signed_bytes(heads[size - 1])
            stamps.append(TimestampFile(member=name, tree_size=size, message=message))
    return sorted(stamps, key=lambda stamp: stamp.tree_size)


def _run_timestamp_check(bundle: _Bundle, report: Report, check: TimestampCheck) -> None:
    for stamp in report.timestamps:
        check(stamp, bundle.read(stamp.member))


def _verify_path(
    path: Path, report: Report, expect_key: str | None, check: TimestampCheck | None = None
) -> _Verified:
    if not path.exists():
        raise VerificationError(f"{path} does not exist")
    bundle = _Bundle(path)
    try:
        bundle.list_members()
        verified = _verify(bundle, report, expect_key)
        if check is not None:
            _run_timestamp_check(bundle, report, check)
        return verified
    finally:
        bundle.close()


def _check_against(
    new: _Verified, older_path: Path, report: Report, expect_key: str | None
) -> None:
    older_report = Report(ok=False, bundle=str(older_path))
    try:
        old = _verify_path(older_path, older_report, expect_key)
    except VerificationError as exc:
        raise VerificationError(f"OLDER ({older_path}) does not verify: {exc}") from None
    report.checks.append(f"OLDER ({older_path}) verifies on its own ({len(old.entries)} entries)")
    if old.head.log_id != new.head.log_id:
        raise VerificationError(
            f"OLDER is of log {old.head.log_id!r}, this bundle of {new.head.log_id!r}: "
            "not an extension of OLDER"
        )
    if old.public_raw != new.public_raw:
        raise VerificationError("OLDER was signed by another key: not an extension of OLDER")
    if len(old.entries) > len(new.entries):
        raise VerificationError(
            f"this bundle has {len(new.entries)} entries, OLDER {len(old.entries)}: the log "
            "was truncated, it is not an extension of OLDER"
        )
    for index, entry in enumerate(old.entries):
        if new.entries[index] != entry:
            raise VerificationError(
                f"entry {index} differs from entry {index} of OLDER: not an extension of OLDER"
            )
    leaves = [leaf_hash(entry) for entry in new.entries[: len(old.entries)]]
    if merkle_root(leaves) != old.head.root:
        raise VerificationError("OLDER's signed root is not the root of the same entries here")
    report.checks.append(
        f"extends OLDER: its {len(old.entries)} entries are the first ones here byte for "
        "byte, same log and key, its signed root is the root of that prefix"
    )
    matching = f"proofs/consistency-{len(old.entries)}-{len(new.entries)}.json"
    if matching in new.proofs:
        report.checks.append(f"{matching} (from OLDER's head to this one) verified above")


def verify_bundle(
    bundle: Path,
    against: Path | None = None,
    expect_key: str | None = None,
    check_timestamp: TimestampCheck | None = None,
) -> Report:
    """Check everything in ``bundle`` (a zip or an unpacked folder); with ``against``,
    also that it extends that earlier bundle of the same log; with ``expect_key``, that
    its key has that fingerprint; with ``check_timestamp``, each of its RFC 3161
    time-stamps (once everything else in it has been checked)."""
    report = Report(ok=False, bundle=str(bundle))
    try:
        verified = _verify_path(bundle, report, expect_key, check_timestamp)
        if against is not None:
            _check_against(verified, against, report, expect_key)
    except VerificationError as exc:
        report.problem = str(exc)
        return report
    report.ok = True
    return report


KEY_NOT_CHECKED = (
    "WARNING: the key was NOT checked against a published fingerprint (use --expect-key "
    "FINGERPRINT): anyone can sign a bundle with a key of their own, so VALID only says "
    "that the bundle is as this key signed it"
)


def _print_report(report: Report, key_checked: bool = True) -> None:
    print(f"Bundle: {report.bundle}")
    for check in report.checks:
        print(f"  ok  {check}")
    for note in report.notes:
        print(f"  --  {note}")
    if report.key_fingerprint is not None:
        print(f"Key fingerprint: {report.key_fingerprint}")
        print("  (SHA-256 of the raw Ed25519 public key: compare it with the one the agency")
        print("  publishes; a bundle re-signed by someone else has another fingerprint)")
    if report.ok:
        print(f"VALID: {report.entries} entries and {report.files} files, as signed.")
        if not key_checked:
            print(KEY_NOT_CHECKED)
    else:
        print(f"INVALID: {report.problem}")


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; the exit status (0 valid, 1 invalid, 2 usage)."""
    parser = argparse.ArgumentParser(
        prog="verify.py", description="Verify a LeakTrace evidence bundle offline."
    )
    parser.add_argument(
        "bundle",
        nargs="?",
        type=Path,
        default=Path(__file__).resolve().parent,
        metavar="BUNDLE",
        help="the bundle's .zip or unpacked folder (default: this file's folder)",
    )
    parser.add_argument("--against", type=Path, metavar="OLDER", help="an earlier bundle")
    parser.add_argument("--expect-key", metavar="FINGERPRINT", help="the published key fingerprint")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    if args.expect_key is not None and not HEX_HASH.fullmatch(args.expect_key.strip().lower()):
        print("verify.py: --expect-key takes 64 hex digits", file=sys.stderr)
        return 2
    for path in (args.bundle, args.against):
        if path is not None and not path.exists():
            print(f"verify.py: {path} does not exist", file=sys.stderr)
            return 2
    report = verify_bundle(args.bundle, args.against, args.expect_key)
    _print_report(report, key_checked=args.expect_key is not None)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
