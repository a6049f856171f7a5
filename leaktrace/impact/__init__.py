"""Impact estimate: downloads per work, country and day from swarm observations, and the
losses they may stand for, as ranges with every assumption visible. See docs/impact.md."""

from leaktrace.impact.cube import Cube, parse_dimensions
from leaktrace.impact.hll import HyperLogLog
from leaktrace.impact.model import (
    DEFAULT_ASSUMPTIONS,
    Assumptions,
    Estimate,
    Range,
    estimate,
    parse_range,
)

__all__ = [
    "DEFAULT_ASSUMPTIONS",
    "Assumptions",
    "Cube",
    "Estimate",
    "HyperLogLog",
    "Range",
    "estimate",
    "parse_dimensions",
    "parse_range",
]
