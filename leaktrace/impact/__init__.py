"""Impact estimate: downloads per work, country and day from swarm observations, and the
losses they may stand for, as ranges with every assumption visible. See docs/impact.md.

The distinct-peer counts come from the analytics engine (:mod:`leaktrace.analytics`);
this package holds the assumptions, the arithmetic and the report."""

from leaktrace.impact.model import (
    DEFAULT_ASSUMPTIONS,
    Assumptions,
    Estimate,
    Range,
    estimate,
    parse_range,
)
from leaktrace.impact.report import ImpactReport, impact_report, parse_dimensions

__all__ = [
    "DEFAULT_ASSUMPTIONS",
    "Assumptions",
    "Estimate",
    "ImpactReport",
    "Range",
    "estimate",
    "impact_report",
    "parse_dimensions",
    "parse_range",
]
