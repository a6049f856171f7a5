"""Matching releases to the catalogue of protected works."""

from leaktrace.matching.index import CatalogIndex
from leaktrace.matching.matcher import Match, Matcher
from leaktrace.matching.normalize import normalize_title

__all__ = ["CatalogIndex", "Match", "Matcher", "normalize_title"]
