"""The evidence log's Merkle tree and the bundle verifier, side by side with ``pymerkle``.

On the same N canonical entries (RFC 8785 JSON, about 300 bytes each, as a case's log
writes them) in the same run: appending them (entries/s) to LeakTrace's MerkleTree and to
pymerkle's InmemoryTree (sha256, RFC 9162 hashing); an inclusion proof and a consistency
proof at N entries and their verification (µs, the median over random queries); and
verifying a bundle of M entries with ``verify.py``'s ``verify_bundle`` (s), against
pymerkle rebuilding its tree from the same entries (the part of the work it can do).

    python bench/evidence_log.py                      # 1,000,000 entries, 100,000 in the bundle
    python bench/evidence_log.py --quick              # small sizes: a smoke test
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pymerkle

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from machine import describe  # noqa: E402

from leaktrace.evidence.bundle import BundleContents, ConsistencyFile, write_bundle  # noqa: E402
from leaktrace.evidence.canonical import canonical_json  # noqa: E402
from leaktrace.evidence.checkpoint import sign_tree_head  # noqa: E402
from leaktrace.evidence.merkle import MerkleTree  # noqa: E402
from leaktrace.evidence.signing import load_or_create_key  # noqa: E402
from leaktrace.evidence.standalone import (  # noqa: E402
    verify_bundle,
    verify_consistency,
    verify_inclusion,
)

LOG_ID = "leaktrace.bench/case/1"
FILE_EVERY = 100
"""One entry in this many adds a (small) file."""


def make_entries(count: int) -> tuple[list[bytes], dict[str, bytes]]:
    """``count`` canonical entries (keys in RFC 8785 order, nothing to escape) and the
    files they name; written directly for speed, checked against the rfc8785 library."""
    entries: list[bytes] = []
    files: dict[str, bytes] = {}
    for seq in range(count):
        hashes = ""
        event, data = "note.added", f'{{"text":"observation {seq} of the swarm, seeders up"}}'
        if seq % FILE_EVERY == 1:
            content = f"seized file {seq}\n".encode()
            sha = hashlib.sha256(content).hexdigest()
            files[sha] = content
            hashes = f'"{sha}"'
            event, data = (
                "item.added",
                f'{{"kind":"file","name":"capture-{seq}.pcap","size":{len(content)}}}',
            )
        entries.append(
            (
                '{"actor":{"agency":"PF-BR","name":"Inspector Ana Lima"},'
                f'"at":"2026-12-05T{seq // 3_600_000 % 24:02d}:{seq // 60000 % 60:02d}:'
                f'{seq // 1000 % 60:02d}.{seq % 1000:03d}Z",'
                f'"case":1,"data":{data},"event":"{event}","log":"{LOG_ID}","seq":{seq},'
                f'"sha256":[{hashes}],"v":1}}'
            ).encode()
        )
    for sample in entries[:3] + entries[-3:]:
        assert canonical_json(json.loads(sample)) == sample, sample
    return entries, files


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_us(action: Callable[[int], object], arguments: list[int]) -> float:
    times = []
    for argument in arguments:
        started = time.perf_counter_ns()
        action(argument)
        times.append(time.perf_counter_ns() - started)
    return statistics.median(times) / 1000


def bench_tree(entries: list[bytes], queries: int) -> list[tuple[str, str, str]]:
    n = len(entries)
    rng = random.Random(11)
    indices = [rng.randrange(n) for _ in range(queries)]
    old_sizes = [rng.randrange(1, n) for _ in range(queries)]

    ours = MerkleTree()
    gc.collect()
    ours_append = timed(lambda: [ours.append(entry) for entry in entries])
    theirs = pymerkle.InmemoryTree(algorithm="sha256")
    gc.collect()
    theirs_append = timed(lambda: [theirs.append_entry(entry) for entry in entries])
    root = ours.root()
    assert theirs.get_root() == root, "the same entries give the same root"

    inclusion = {i: ours.inclusion_proof(i) for i in indices}
    consistency = {m: ours.consistency_proof(m) for m in old_sizes}
    old_roots = {m: ours.root(m) for m in old_sizes}
    their_inclusion = {i: theirs.prove_inclusion(i + 1) for i in indices}
    their_consistency = {m: theirs.prove_consistency(m) for m in old_sizes}

    def verify_ours(i: int) -> None:
        verify_inclusion(i, n, ours.leaf(i), inclusion[i], root)

    def verify_theirs(i: int) -> None:
        pymerkle.verify_inclusion(ours.leaf(i), root, their_inclusion[i])

    def verify_ours_consistency(m: int) -> None:
        verify_consistency(m, n, old_roots[m], root, consistency[m])

    def verify_theirs_consistency(m: int) -> None:
        pymerkle.verify_consistency(old_roots[m], root, their_consistency[m])

    def prove_theirs(i: int) -> object:
        return theirs.prove_inclusion(i + 1)  # pymerkle counts leaves from 1

    rows = [
        (
            f"append {n:,} entries (entries/s)",
            f"{n / ours_append:,.0f}",
            f"{n / theirs_append:,.0f}",
        ),
        (
            f"inclusion proof at {n:,} entries (µs, median of {queries})",
            f"{median_us(ours.inclusion_proof, indices):.1f}",
            f"{median_us(prove_theirs, indices):.1f}",
        ),
        (
            "verify that inclusion proof (µs, median)",
            f"{median_us(verify_ours, indices):.1f}",
            f"{median_us(verify_theirs, indices):.1f}",
        ),
        (
            f"consistency proof to {n:,} entries (µs, median of {queries})",
            f"{median_us(ours.consistency_proof, old_sizes):.1f}",
            f"{median_us(theirs.prove_consistency, old_sizes):.1f}",
        ),
        (
            "verify that consistency proof (µs, median)",
            f"{median_us(verify_ours_consistency, old_sizes):.1f}",
            f"{median_us(verify_theirs_consistency, old_sizes):.1f}",
        ),
    ]
    return rows


def write_bench_bundle(entries: list[bytes], files: dict[str, bytes], folder: Path) -> Path:
    """A bundle of these entries with two earlier exports (hence two proof files)."""
    key = load_or_create_key(folder / "key" / "evidence.pem")
    tree = MerkleTree.of_entries(entries)
    n = len(entries)
    at = datetime(2026, 12, 5, 12, tzinfo=UTC)
    # a head is signed after every entry, and the bundle carries them all
    heads = [
        sign_tree_head(key, "leaktrace.bench", LOG_ID, size, tree.root(size), at)
        for size in range(1, n + 1)
    ]
    head = heads[-1]
    proofs = [
        ConsistencyFile(
            old_head=heads[size - 1],
            new_size=n,
            new_root=head.root_hash,
            proof=tree.consistency_proof(size),
        )
        for size in sorted({max(1, n // 3), max(1, 2 * n // 3)} - {n})
    ]
    named = {sha for sha in files if sha.encode() in b"".join(entries)}
    contents = BundleContents(
        entries=entries,
        files={sha: files[sha] for sha in named},
        checkpoint=head,
        public_key_pem=key.public_pem,
        index_html="<!doctype html><title>bench</title>",
        consistency=proofs,
        heads=heads,
    )
    path = folder / "bundle.zip"
    with path.open("wb") as out:
        write_bundle(contents, out)
    return path


def bench_bundle(entries: list[bytes], files: dict[str, bytes]) -> list[tuple[str, str, str]]:
    with tempfile.TemporaryDirectory() as folder:
        path = write_bench_bundle(entries, files, Path(folder))
        size_mb = path.stat().st_size / 1e6
        gc.collect()
        started = time.perf_counter()
        report = verify_bundle(path)
        ours = time.perf_counter() - started
        assert report.ok, report.problem

        def rebuild() -> bytes:
            with zipfile.ZipFile(path) as archive:
                lines = archive.read("entries.jsonl")[:-1].split(b"\n")
            tree = pymerkle.InmemoryTree(algorithm="sha256")
            for line in lines:
                tree.append_entry(line)
            root: bytes = tree.get_root()
            return root

        gc.collect()
        theirs = timed(rebuild)
    return [
        (
            f"verify a {len(entries):,}-entry bundle ({size_mb:.1f} MB zip) (s)",
            f"{ours:.2f}",
            f"{theirs:.2f} (rebuild the tree only)",
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--bundle-entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test)")
    args = parser.parse_args()
    if args.quick:
        args.entries, args.bundle_entries, args.queries = 3000, 500, 50
    print(f"machine: {describe()}")
    print(f"pymerkle {pymerkle.__version__ if hasattr(pymerkle, '__version__') else '?'}")
    started = time.perf_counter()
    entries, files = make_entries(max(args.entries, args.bundle_entries))
    print(f"made {len(entries):,} entries in {time.perf_counter() - started:.1f}s")
    rows = bench_tree(entries[: args.entries], args.queries)
    rows += bench_bundle(entries[: args.bundle_entries], files)
    print()
    print("| measure | LeakTrace | pymerkle |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
