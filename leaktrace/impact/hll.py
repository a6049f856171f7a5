"""HyperLogLog: a small, mergeable distinct counter (Flajolet, Fusy, Gandouet, Meunier 2007).

Each value is hashed to 64 bits (BLAKE2b). The first ``p`` bits choose one of ``m = 2**p``
registers; the register keeps the largest "rank" (position of the first 1-bit, counting from
1) seen among the remaining ``64 - p`` bits. The estimate is the bias-corrected harmonic mean
``alpha_m * m**2 / sum(2**-M[j])``, with linear counting ``m * ln(m / V)`` (``V`` empty
registers) in the small range ``E <= 5/2 m``. With 64-bit hashes the original large-range
correction is not needed (collisions only matter near 2**64 values).

Two sketches of the same precision merge by taking the register-wise maximum: the merged
sketch is *identical* to the sketch of the union of both inputs, so its estimate equals the
estimate of the union (never a sum, never double counting). The relative standard error is
about ``1.04 / sqrt(m)``: 1.6 % at p=12, 0.81 % at p=14.

The classic estimator has a known bias of up to about 2 % just above the switch from linear
counting (``n`` near ``2.5 m``). ``estimate("improved")`` gives Ertl's improved estimator
("New cardinality estimation algorithms for HyperLogLog sketches", 2017), which needs no
switch and no empirical tables and stays unbiased over the whole range.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from typing import Literal

__all__ = ["DEFAULT_PRECISION", "MAX_PRECISION", "MIN_PRECISION", "HyperLogLog", "Method"]

Method = Literal["classic", "improved"]

MIN_PRECISION = 4
MAX_PRECISION = 18
DEFAULT_PRECISION = 14
_HASH_BITS = 64
_FORMAT_VERSION = 1


def _alpha(m: int) -> float:
    """The standard bias-correction constant of the HyperLogLog estimator."""
    if m == 16:
        return 0.673
    if m == 32:
        return 0.697
    if m == 64:
        return 0.709
    return 0.7213 / (1.0 + 1.079 / m)


class HyperLogLog:
    """A HyperLogLog sketch with ``2**precision`` registers (precision 4-18, default 14)."""

    __slots__ = ("_registers", "precision")

    def __init__(self, precision: int = DEFAULT_PRECISION) -> None:
        if not MIN_PRECISION <= precision <= MAX_PRECISION:
            raise ValueError(f"precision must be {MIN_PRECISION}-{MAX_PRECISION}, not {precision}")
        self.precision = precision
        self._registers = bytearray(1 << precision)

    @property
    def m(self) -> int:
        """Number of registers."""
        return len(self._registers)

    @property
    def relative_error(self) -> float:
        """Relative standard error of the estimate, ``1.04 / sqrt(m)``."""
        return 1.04 / math.sqrt(self.m)

    def add(self, value: str | bytes) -> None:
        data = value.encode("utf-8") if isinstance(value, str) else value
        self.add_hash(int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big"))

    def add_hash(self, hashed: int) -> None:
        """Add an already uniformly hashed 64-bit value."""
        p = self.precision
        index = hashed >> (_HASH_BITS - p)
        rest = hashed & ((1 << (_HASH_BITS - p)) - 1)
        rank = (_HASH_BITS - p) - rest.bit_length() + 1
        if rank > self._registers[index]:
            self._registers[index] = rank

    def update(self, values: Iterable[str | bytes]) -> None:
        for value in values:
            self.add(value)

    def estimate(self, method: Method = "classic") -> float:
        """Estimated number of distinct values added.

        ``classic``: alpha_m-corrected harmonic mean, linear counting below 5/2 m.
        ``improved``: Ertl's estimator (no range switch)."""
        if method == "improved":
            return self._improved()
        m = self.m
        total = 0.0
        zeros = 0
        for register in self._registers:
            total += 2.0**-register
            if register == 0:
                zeros += 1
        raw = _alpha(m) * m * m / total
        if raw <= 2.5 * m and zeros:
            return m * math.log(m / zeros)
        return raw

    def _improved(self) -> float:
        m = self.m
        q = _HASH_BITS - self.precision
        counts = [0] * (q + 2)
        for register in self._registers:
            counts[register] += 1
        if counts[0] == m:
            return 0.0
        z = m * _tau(1.0 - counts[q + 1] / m)
        for k in range(q, 0, -1):
            z = 0.5 * (z + counts[k])
        z += m * _sigma(counts[0] / m)
        return m * m / (2.0 * math.log(2.0)) / z

    def __len__(self) -> int:
        return round(self.estimate())

    def merge(self, other: HyperLogLog) -> None:
        """Union ``other`` into this sketch (same precision only)."""
        if other.precision != self.precision:
            raise ValueError(
                f"cannot merge sketches of precision {self.precision} and {other.precision}"
            )
        mine = self._registers
        for index, register in enumerate(other._registers):
            if register > mine[index]:
                mine[index] = register

    def union(self, other: HyperLogLog) -> HyperLogLog:
        """A new sketch of the union of both."""
        result = self.copy()
        result.merge(other)
        return result

    def copy(self) -> HyperLogLog:
        twin = HyperLogLog(self.precision)
        twin._registers[:] = self._registers
        return twin

    def is_empty(self) -> bool:
        return not any(self._registers)

    def to_bytes(self) -> bytes:
        """Serialise: version byte, precision byte, the registers."""
        return bytes((_FORMAT_VERSION, self.precision)) + bytes(self._registers)

    @classmethod
    def from_bytes(cls, data: bytes) -> HyperLogLog:
        if len(data) < 2 or data[0] != _FORMAT_VERSION:
            raise ValueError("not a serialised HyperLogLog sketch")
        sketch = cls(data[1])
        if len(data) != 2 + sketch.m:
            raise ValueError("HyperLogLog sketch has the wrong length")
        if max(data[2:], default=0) > _HASH_BITS - sketch.precision + 1:
            raise ValueError("HyperLogLog register out of range")
        sketch._registers[:] = data[2:]
        return sketch

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, HyperLogLog):
            return NotImplemented
        return self.precision == other.precision and self._registers == other._registers

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"HyperLogLog(precision={self.precision}, estimate={self.estimate():.0f})"


def _sigma(x: float) -> float:
    if x == 1.0:
        return math.inf
    y = 1.0
    z = x
    while True:
        x *= x
        previous = z
        z += x * y
        y += y
        if z == previous:
            return z


def _tau(x: float) -> float:
    if x in (0.0, 1.0):
        return 0.0
    y = 1.0
    z = 1.0 - x
    while True:
        x = math.sqrt(x)
        previous = z
        y *= 0.5
        z -= (1.0 - x) ** 2 * y
        if z == previous:
            return z / 3.0
