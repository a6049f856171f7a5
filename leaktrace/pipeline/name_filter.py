"""Which names of a large ingest are surely not stored yet, without asking the database.

A large file ingest into a smaller database looks up every batch's names among the stored
releases, though nearly all of them are new. :class:`StoredNames` is a Bloom filter of
every stored name (loaded at the start of the ingest, kept up as it inserts): a name it
does not hold is surely not stored, so only the few it may hold are looked up. A false
"may hold" (about one name in 70 at the intended load) only costs a look-up, never a
wrong answer. It is exact only while nobody else writes releases, which the ingest's
transaction guarantees on SQLite (it holds the write lock from its first insert).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["BITS_PER_NAME", "MAX_BITS", "StoredNames"]

MAX_BITS = 1 << 30
"""The largest filter, 128 MiB (past about 67 million names, more of them are looked up)."""
BITS_PER_NAME = 16
"""Bits of filter per name expected: with two probes, about 1.4 % false "may hold" (each
costs a look-up: a third probe would cost more than the look-ups it saves)."""
_MIN_BITS = 1 << 16


class StoredNames:
    """A Bloom filter of release names (two probes, from the two halves of ``hash()``:
    the strings' hashes are computed once and kept by Python)."""

    def __init__(self, expected: int) -> None:
        bits = _MIN_BITS
        while bits < max(expected, 1) * BITS_PER_NAME and bits < MAX_BITS:
            bits <<= 1
        self._mask = bits - 1
        self._bits = bytearray(bits >> 3)

    def add(self, names: Iterable[str]) -> None:
        bits, mask = self._bits, self._mask
        for name in names:
            h = hash(name)
            a = h & mask
            bits[a >> 3] |= 1 << (a & 7)
            b = (h >> 32) & mask
            bits[b >> 3] |= 1 << (b & 7)

    def may_hold(self, names: Sequence[str]) -> list[str]:
        """The names of ``names`` that may be stored (every stored one among them)."""
        bits, mask = self._bits, self._mask
        found: list[str] = []
        for name in names:
            h = hash(name)
            a = h & mask
            if bits[a >> 3] & (1 << (a & 7)):
                b = (h >> 32) & mask
                if bits[b >> 3] & (1 << (b & 7)):
                    found.append(name)
        return found

    @property
    def size_bytes(self) -> int:
        return len(self._bits)
