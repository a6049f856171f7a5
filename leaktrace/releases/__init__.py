"""Release-name parsing: ``parse(name) -> ParsedRelease``."""

from .model import Kind, ParsedRelease
from .parser import parse

__all__ = ["Kind", "ParsedRelease", "parse"]
