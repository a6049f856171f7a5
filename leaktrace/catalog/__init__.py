"""The catalogue of protected works: films and TV seasons with aliases and windows."""

from leaktrace.catalog.csv_import import CatalogFormat, read_catalog
from leaktrace.catalog.model import Window, Work, WorkKind

__all__ = ["CatalogFormat", "Window", "Work", "WorkKind", "read_catalog"]
