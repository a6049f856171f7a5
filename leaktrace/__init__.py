"""LeakTrace: follow pre-release leaks from release feeds to alerts, cases and action days.

The package is organised along the data flow::

    feeds → releases (parse) → matching (catalog) → detect → store → report

``leaktrace.pipeline`` ties the steps together; ``leaktrace.cli`` is a thin command line.
"""

from leaktrace.errors import (
    CatalogError,
    ConfigError,
    FeedError,
    InputError,
    LeakTraceError,
    NotFoundError,
    StoreError,
)

__version__ = "0.1.0"

__all__ = [
    "CatalogError",
    "ConfigError",
    "FeedError",
    "InputError",
    "LeakTraceError",
    "NotFoundError",
    "StoreError",
    "__version__",
]
