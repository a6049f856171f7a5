"""The one exception tree of LeakTrace.

Every error the library raises on purpose derives from :class:`LeakTraceError`.
Library and driver exceptions (sqlite3, SQLAlchemy, csv, json, OS errors) are
translated into this tree at the boundary where they happen, so a caller (the
command line, later the web API) only ever catches ``LeakTraceError``.

::

    LeakTraceError
    ├── ConfigError          settings file or environment is wrong
    ├── InputError           outside data is wrong (carries file, line, field, reason)
    │   ├── CatalogError     a catalogue CSV row is wrong
    │   └── FeedError        a feed line (JSON Lines, predb row) is wrong
    ├── StoreError           the database cannot be opened, migrated or written
    └── NotFoundError        a work, release or alert asked for does not exist
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "ConfigError",
    "FeedError",
    "InputError",
    "LeakTraceError",
    "NotFoundError",
    "StoreError",
]


class LeakTraceError(Exception):
    """Root of every error LeakTrace raises on purpose."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class ConfigError(LeakTraceError):
    """The configuration (TOML file or ``LEAKTRACE_*`` environment) is invalid."""


class InputError(LeakTraceError):
    """Outside data is malformed.

    ``file``, ``line`` (1-based) and ``field`` say where; ``reason`` says what.
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.file = file
        self.line = line
        self.field = field
        self.more: list[InputError] = []
        """Further problems found in the same input, after this first one."""

    @property
    def location(self) -> str:
        """``file:line: field`` with whatever parts are known."""
        parts: list[str] = []
        if self.file is not None:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location
        return f"{where}: {self.reason}" if where else self.reason

    def as_dict(self) -> dict[str, str | int | None]:
        return {"file": self.file, "line": self.line, "field": self.field, "reason": self.reason}


class CatalogError(InputError):
    """A catalogue file or row is malformed."""


class FeedError(InputError):
    """A feed file or line is malformed."""


class StoreError(LeakTraceError):
    """The database cannot be opened, migrated or written."""


class NotFoundError(LeakTraceError):
    """Something asked for by id or name does not exist."""
