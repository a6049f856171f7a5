"""Where the names of a large ingest may be stored, without the database's name index.

A large file ingest into a smaller SQLite database drops the releases' name index (with
the other secondary indexes) and builds it once at its end
(:func:`~leaktrace.store.releases.deferred_indexes`): inserting a million names at random
places of that index is the largest single cost of such an ingest. It still has to know,
for every name of every batch, whether it is stored already (and as which row).
:class:`NameIds` answers that from memory: every stored name (loaded at the start) and
every name the ingest inserts, as a 32-bit hash of the name and the row's id, in one
open-addressing table of 64-bit entries (8 bytes a slot, at most half of them used). A
name's *candidates* are the ids whose hash is the name's; the caller reads those rows by
id and compares the names, so the answer is exact: a name it holds is never missed, and a
hash shared by two names only costs a row read.

It is complete only while nobody else writes releases, which the ingest's transaction
guarantees on SQLite (it holds the write lock from its first insert).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence

__all__ = ["MAX_NAMES", "MAX_ID", "NameIds"]

MAX_NAMES = 8_000_000
"""The most names a table is made for (128 MiB); an ingest that would hold more keeps the
database's name index instead."""
MAX_ID = (1 << 32) - 1
"""The largest release id an entry holds (32 bits beside the 32-bit hash)."""
_MIN_SLOTS = 1 << 12
_LOW = 0xFFFFFFFF


class NameIds:
    """Names to the ids of the rows that may hold them (a 32-bit hash of the name and the
    id in each 64-bit entry; 0 is an empty slot, ids start at 1; linear probing)."""

    def __init__(self, expected: int) -> None:
        slots = _MIN_SLOTS
        while slots < 2 * max(expected, 1):
            slots <<= 1
        self._table = array("Q", bytes(8 * slots))
        self._mask = slots - 1
        self._used = 0

    def __len__(self) -> int:
        return self._used

    @property
    def size_bytes(self) -> int:
        return len(self._table) * 8

    def add(self, pairs: Iterable[tuple[str, int]]) -> None:
        """Hold each ``(name, id)``; the table grows (twice as large) past half full."""
        table, mask = self._table, self._mask
        used, limit = self._used, len(table) // 2
        for name, rid in pairs:
            if not 0 < rid <= MAX_ID:
                raise ValueError(f"release id {rid} is outside 1..{MAX_ID}")
            if used >= limit:
                self._used = used
                self._grow()
                table, mask = self._table, self._mask
                limit = len(table) // 2
            key = (hash(name) >> 32) & _LOW
            slot = key & mask
            while table[slot]:
                slot = (slot + 1) & mask
            table[slot] = (key << 32) | rid
            used += 1
        self._used = used

    def candidates(self, names: Sequence[str]) -> dict[str, list[int]]:
        """The names of ``names`` that may be stored, each with the ids of the rows that
        may hold it (every stored one among them, with the id of its row)."""
        table, mask = self._table, self._mask
        found: dict[str, list[int]] = {}
        for name in names:
            key = (hash(name) >> 32) & _LOW
            slot = key & mask
            entry = table[slot]
            while entry:
                if entry >> 32 == key:
                    found.setdefault(name, []).append(entry & _LOW)
                slot = (slot + 1) & mask
                entry = table[slot]
        return found

    def _grow(self) -> None:
        old = self._table
        slots = len(old) * 2
        table = array("Q", bytes(8 * slots))
        mask = slots - 1
        for entry in old:
            if entry:
                slot = (entry >> 32) & mask
                while table[slot]:
                    slot = (slot + 1) & mask
                table[slot] = entry
        self._table, self._mask = table, mask
