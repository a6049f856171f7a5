"""Distinct-peer sketches per (work, country, day), merged into any breakdown.

Each cell holds two HyperLogLog sketches of ``peer_key``: every peer seen, and peers seen
with the whole file. A breakdown merges (unions) the cells of one work, so a peer seen on
three days or through two torrents of the same work counts once for that work; different
works are separate downloads and are summed. Pure: the rows come from the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from leaktrace.impact.hll import DEFAULT_PRECISION, HyperLogLog
from leaktrace.impact.model import ZERO, Assumptions, Estimate, estimate

__all__ = ["DIMENSIONS", "Breakdown", "Cell", "Cube", "Dimension", "parse_dimensions"]

Dimension = Literal["work", "country", "day"]
DIMENSIONS: tuple[Dimension, ...] = ("work", "country", "day")
CellKey = tuple[str, str | None, date]


def parse_dimensions(text: str) -> tuple[Dimension, ...]:
    """``work``, ``country``, ``day`` or a comma-separated combination."""
    chosen: list[Dimension] = []
    for part in text.split(","):
        name = part.strip().lower()
        match = next((d for d in DIMENSIONS if d == name), None)
        if match is None:
            raise ValueError(f"{part.strip()!r} is not one of {', '.join(DIMENSIONS)}")
        if match not in chosen:
            chosen.append(match)
    return tuple(d for d in DIMENSIONS if d in chosen)


@dataclass(slots=True)
class Cell:
    peers: HyperLogLog
    completed: HyperLogLog

    def merge(self, other: Cell) -> None:
        self.peers.merge(other.peers)
        self.completed.merge(other.completed)

    def copy(self) -> Cell:
        return Cell(self.peers.copy(), self.completed.copy())


@dataclass(slots=True)
class Breakdown:
    """One row of the result: its key and its estimate."""

    key: dict[str, str | None]
    estimate: Estimate


@dataclass(slots=True)
class Cube:
    precision: int = DEFAULT_PRECISION
    cells: dict[CellKey, Cell] = field(default_factory=dict)
    observations: int = 0

    def add(
        self, work: str, country: str | None, day: date, peer_key: str, completed: bool
    ) -> None:
        key = (work, country, day)
        cell = self.cells.get(key)
        if cell is None:
            cell = Cell(HyperLogLog(self.precision), HyperLogLog(self.precision))
            self.cells[key] = cell
        cell.peers.add(peer_key)
        if completed:
            cell.completed.add(peer_key)
        self.observations += 1

    def update(self, rows: Iterable[tuple[str, str | None, date, str, bool]]) -> None:
        for work, country, day, peer, completed in rows:
            self.add(work, country, day, peer, completed)

    @property
    def works(self) -> list[str]:
        return sorted({key[0] for key in self.cells})

    @property
    def relative_error(self) -> float:
        return HyperLogLog(self.precision).relative_error

    def _group(self, dims: Sequence[Dimension]) -> dict[tuple[str, tuple[str | None, ...]], Cell]:
        groups: dict[tuple[str, tuple[str | None, ...]], Cell] = {}
        for (work, country, day), cell in self.cells.items():
            values = {"work": work, "country": country, "day": day.isoformat()}
            key = (work, tuple(values[d] for d in dims))
            known = groups.get(key)
            if known is None:
                groups[key] = cell.copy()
            else:
                known.merge(cell)
        return groups

    def breakdown(
        self,
        dims: Sequence[Dimension],
        assumptions: Assumptions,
        pre_release: frozenset[str] = frozenset(),
    ) -> list[Breakdown]:
        """Estimates per combination of ``dims``: per work the union of its cells, summed
        across works when ``work`` is not one of the dimensions."""
        totals: dict[tuple[str | None, ...], Estimate] = {}
        for (work, key), cell in self._group(dims).items():
            part = self._estimate(cell, assumptions, work in pre_release)
            totals[key] = totals.get(key, ZERO) + part
        rows = [
            Breakdown(dict(zip(dims, key, strict=True)), value) for key, value in totals.items()
        ]
        if "day" in dims:
            rows.sort(key=lambda row: _sort_key(row.key))
        else:
            rows.sort(key=lambda row: (-row.estimate.downloads.central, _sort_key(row.key)))
        return rows

    def total(
        self, assumptions: Assumptions, pre_release: frozenset[str] = frozenset()
    ) -> Estimate:
        """All works: each work's union of cells, summed over works."""
        result = ZERO
        for row in self.breakdown(("work",), assumptions, pre_release):
            result = result + row.estimate
        return result

    def _estimate(self, cell: Cell, assumptions: Assumptions, pre_release: bool) -> Estimate:
        return estimate(
            cell.peers.estimate(),
            cell.completed.estimate(),
            assumptions,
            relative_error=self.relative_error,
            pre_release=pre_release,
        )


def _sort_key(key: dict[str, str | None]) -> tuple[str, ...]:
    return tuple("" if value is None else value for value in key.values())
