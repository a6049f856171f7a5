"""A candidate index over the catalogue: exact keys and word blocks for fuzzy search."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from leaktrace.catalog.model import Work
from leaktrace.matching.normalize import normalize_title

__all__ = ["CatalogIndex", "IndexEntry"]

_APOSTROPHE = re.compile(r"['\u2019\u2018`´]")
_STOP = frozenset(
    {
        "the",
        "a",
        "an",
        "of",
        "and",
        "in",
        "on",
        "to",
        "la",
        "le",
        "les",
        "el",
        "il",
        "der",
        "die",
        "das",
        "de",
        "du",
        "des",
        "los",
        "las",
        "lo",
        "i",
    }
)


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One name a work is known by."""

    key: str
    work: Work
    via_alias: str | None


class CatalogIndex:
    """Works by normalised title and alias, with word blocks for fuzzy candidates.

    Fuzzy look-ups only score keys that share a distinctive word with the query,
    never the whole catalogue.
    """

    def __init__(self, works: Iterable[Work]) -> None:
        self.works: dict[str, Work] = {}
        self._exact: dict[str, list[IndexEntry]] = defaultdict(list)
        self._blocks: dict[str, set[str]] = defaultdict(set)
        for work in works:
            self.add(work)

    def __len__(self) -> int:
        return len(self.works)

    def add(self, work: Work) -> None:
        self.works[work.id] = work
        names = [(work.title, None)] + [(alias, alias) for alias in work.aliases]
        seen: set[str] = set()
        for name, via in names:
            # "d'Amélie" is written "dAmelie" by some and "d.Amelie" by others: index both
            for key in {normalize_title(name), normalize_title(_APOSTROPHE.sub(" ", name))}:
                if not key or key in seen:
                    continue
                seen.add(key)
                self._exact[key].append(IndexEntry(key, work, via))
                for word in _block_words(key):
                    self._blocks[word].add(key)

    def exact(self, key: str) -> list[IndexEntry]:
        return self._exact.get(key, [])

    def candidates(self, key: str, limit: int = 400) -> list[str]:
        """Keys sharing a distinctive word with ``key``, rarest words first."""
        words = sorted(_block_words(key), key=lambda w: len(self._blocks.get(w, ())))
        out: dict[str, None] = {}
        for word in words:
            for candidate in self._blocks.get(word, ()):
                out[candidate] = None
                if len(out) >= limit:
                    return list(out)
        return list(out)


def _block_words(key: str) -> set[str]:
    words = key.split()
    distinctive = {w for w in words if w not in _STOP and len(w) > 1}
    return distinctive or set(words)
