"""NFO similarity: character shingles, Jaccard, and a MinHash sketch to find candidate pairs.

Pure functions, no database. Groups keep their ASCII art (box-drawing and block characters,
which survive CP437 decoding as Unicode) and boilerplate from release to release, while the
release details change; two groups whose NFOs share most of their character 5-grams share
art or text. Whitespace runs are collapsed and case is ignored, so re-wrapped or re-spaced
copies still match.

Comparing every NFO with every other is quadratic; :func:`candidate_pairs` uses a
one-permutation MinHash sketch (one hash per shingle, ``bins`` buckets) with LSH banding to
propose pairs, and :func:`similar_pairs` confirms each with the exact Jaccard similarity.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_K",
    "DEFAULT_THRESHOLD",
    "MIN_SHINGLES",
    "NfoMatch",
    "candidate_pairs",
    "jaccard",
    "normalize_nfo",
    "shingles",
    "signature",
    "similar_pairs",
]

DEFAULT_K = 5
"""Characters per shingle."""
DEFAULT_THRESHOLD = 0.5
"""Two NFOs are "the same art/text" from this Jaccard similarity of their shingle sets."""
MIN_SHINGLES = 40
"""NFOs with fewer distinct shingles than this (a line or two) are too short to compare."""
_BINS = 128
_ROWS = 3  # rows per LSH band: 42 bands of 3; a pair at J = 0.5 is proposed 99.6% of the time
_EMPTY = 0xFFFFFFFF
_WS = re.compile(r"\s+")


def normalize_nfo(text: str) -> str:
    """Lower-case ``text`` with every run of whitespace (and NULs) made one space."""
    return _WS.sub(" ", text.replace("\x00", " ")).strip().lower()


def shingles(text: str, k: int = DEFAULT_K) -> frozenset[str]:
    """The set of ``k``-character substrings of the normalised text."""
    norm = normalize_nfo(text)
    if len(norm) < k:
        return frozenset((norm,)) if norm else frozenset()
    return frozenset(norm[i : i + k] for i in range(len(norm) - k + 1))


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """|a ∩ b| / |a ∪ b| (0.0 for two empty sets)."""
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def signature(items: Iterable[str], bins: int = _BINS) -> tuple[int, ...]:
    """One-permutation MinHash: per bucket, the least 32-bit CRC of the items in it."""
    sig = [_EMPTY] * bins
    for item in items:
        h = zlib.crc32(item.encode("utf-8", "surrogatepass"))
        bucket = h % bins
        if h < sig[bucket]:
            sig[bucket] = h
    return tuple(sig)


def candidate_pairs(
    signatures: Mapping[int, tuple[int, ...]],
    owners: Mapping[int, Hashable] | None = None,
    rows: int = _ROWS,
) -> set[tuple[int, int]]:
    """Pairs of ids (smaller first) whose signatures agree on at least one whole band;
    with ``owners``, only pairs of different owners."""
    buckets: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for ident, sig in signatures.items():
        for band, start in enumerate(range(0, len(sig) - rows + 1, rows)):
            part = sig[start : start + rows]
            if all(v == _EMPTY for v in part):
                continue
            buckets[(band, part)].append(ident)
    pairs: set[tuple[int, int]] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        parts: dict[Hashable, list[int]] = defaultdict(list)
        for ident in members:
            parts[owners.get(ident) if owners is not None else ident].append(ident)
        if len(parts) < 2:
            continue
        sides = list(parts.values())
        for i, left_side in enumerate(sides):
            for right_side in sides[i + 1 :]:
                for left in left_side:
                    for right in right_side:
                        pairs.add((left, right) if left < right else (right, left))
    return pairs


@dataclass(frozen=True, slots=True)
class NfoMatch:
    """Two NFOs (by id) whose shingle sets are at least ``threshold`` similar."""

    left: int
    right: int
    similarity: float


def similar_pairs(
    texts: Mapping[int, str],
    owners: Mapping[int, Hashable],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    k: int = DEFAULT_K,
    min_shingles: int = MIN_SHINGLES,
) -> list[NfoMatch]:
    """NFO pairs with different ``owners`` (groups) and Jaccard similarity ≥ ``threshold``,
    most similar first. ``texts`` and ``owners`` are keyed by NFO id."""
    sets: dict[int, frozenset[str]] = {}
    for ident, text in texts.items():
        got = shingles(text, k)
        if len(got) >= min_shingles:
            sets[ident] = got
    sigs = {ident: signature(s) for ident, s in sets.items()}
    out: list[NfoMatch] = []
    for left, right in candidate_pairs(sigs, owners):
        sim = jaccard(sets[left], sets[right])
        if sim >= threshold:
            out.append(NfoMatch(left, right, sim))
    out.sort(key=lambda m: (-m.similarity, m.left, m.right))
    return out


def best_by_owner_pair(
    matches: Sequence[NfoMatch], owners: Mapping[int, str]
) -> dict[tuple[str, str], list[NfoMatch]]:
    """Matches grouped by the (sorted) pair of owners, most similar first in each."""
    grouped: dict[tuple[str, str], list[NfoMatch]] = defaultdict(list)
    for match in matches:
        a, b = owners[match.left], owners[match.right]
        key = (a, b) if a <= b else (b, a)
        grouped[key].append(match)
    return dict(grouped)
