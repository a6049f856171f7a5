"""Which names of a large ingest are surely not stored yet, without asking the database.

A large file ingest into a smaller database looks up every batch's names among the stored
releases, though nearly all of them are new. :class:`StoredNames` is a Bloom filter of
every stored name (loaded at the start of the ingest, kept up as it inserts): a name it
does not hold is surely not stored, so only the few it may hold are looked up. A false
"may hold" (about one name in 200 at the intended load) only costs a look-up, never a
wrong answer. It is exact only while nobody else writes releases, which the ingest's
transaction guarantees on SQLite (it holds the write lock from its first insert).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["BITS_PER_NAME", "StoredNames"]

BITS_PER_NAME = 16
"""Bits of filter per name expected: with three probes, about 0.5 % false "may hold"."""
_MIN_BITS = 1 << 16


class StoredNames:
    """A Bloom filter of release names (three probes by double hashing of ``hash()``:
    the strings' hashes are computed once and kept by Python)."""

    def __init__(self, expected: int) -> None:
        bits = _MIN_BITS
        while bits < max(expected, 1) * BITS_PER_NAME:
            bits <<= 1
        self._mask = bits - 1
        self._bits = bytearray(bits >> 3)

    def add(self, names: Iterable[str]) -> None:
        bits, mask = self._bits, self._mask
        for name in names:
            h = hash(name)
            step = (h >> 32) | 1
            for pos in (h & mask, (h + step) & mask, (h + 2 * step) & mask):
                bits[pos >> 3] |= 1 << (pos & 7)

    def may_hold(self, names: Sequence[str]) -> list[str]:
        """The names of ``names`` that may be stored (every stored one among them)."""
        bits, mask = self._bits, self._mask
        found: list[str] = []
        for name in names:
            h = hash(name)
            step = (h >> 32) | 1
            a, b, c = h & mask, (h + step) & mask, (h + 2 * step) & mask
            if (
                bits[a >> 3] & (1 << (a & 7))
                and bits[b >> 3] & (1 << (b & 7))
                and bits[c >> 3] & (1 << (c & 7))
            ):
                found.append(name)
        return found

    @property
    def size_bytes(self) -> int:
        return len(self._bits)
