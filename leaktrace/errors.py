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
    │   ├── FeedError        a feed line (JSON Lines, predb row) is wrong
    │   ├── IncompleteNoticeError   a takedown notice lacks an element its legal form needs
    │   ├── NoticeTemplateError     a notice template is wrong (template and line named)
    │   ├── NotAcceptableError      the client accepts no media type we serve (HTTP 406)
    │   ├── UnsupportedMediaError   the request body's media type is not ours (HTTP 415)
    │   └── TooLargeError           the request body is over the limit (HTTP 413)
    ├── StoreError           the database cannot be opened, migrated or written
    ├── NotFoundError        a work, release, leak, user ... asked for does not exist
    │                        (or exists but the asker's agency may not see it)
    ├── ConflictError        the thing to create exists already (agency code, e-mail)
    ├── AuthenticationError  no valid credentials (missing, wrong, expired, revoked)
    ├── PermissionDeniedError  valid credentials, but the role does not allow this
    │   └── SharingRefusedError  a marking forbids this publication (TLP, H2, --to)
    └── RateLimitedError     too many attempts (logins); ``retry_after`` seconds

The command line maps this tree to exit codes in one table (``leaktrace.cli.exit_codes``),
the web app to HTTP status codes in one table (``leaktrace.web.errors``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

__all__ = [
    "AuthenticationError",
    "CatalogError",
    "ConflictError",
    "ConfigError",
    "FeedError",
    "IncompleteNoticeError",
    "NoticeTemplateError",
    "InputError",
    "LeakTraceError",
    "NotFoundError",
    "PermissionDeniedError",
    "NotAcceptableError",
    "RateLimitedError",
    "SharingRefusedError",
    "StoreError",
    "TooLargeError",
    "UnsupportedMediaError",
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


class IncompleteNoticeError(InputError):
    """A takedown notice lacks an element its legal form requires. ``form`` is ``dmca`` or
    ``dsa``; ``element`` names the element (``"good-faith statement"``, ``"signature"``,
    ``"exact URLs"`` ...) as the law lists it; ``template`` the template rendered, when the
    element is missing from its text."""

    def __init__(
        self, reason: str, *, form: str, element: str, template: str | None = None
    ) -> None:
        super().__init__(reason, file=template, field=element)
        self.form = form
        self.element = element
        self.template = template

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            **super().as_dict(),
            "form": self.form,
            "element": self.element,
            "template": self.template,
        }


class NoticeTemplateError(InputError):
    """A notice template cannot be read or rendered: ``file`` is the template's name (or
    path), ``line`` the template line at fault when known."""


class NotAcceptableError(InputError):
    """The client's ``Accept`` names no media type the endpoint serves (HTTP 406)."""


class UnsupportedMediaError(InputError):
    """The request body's ``Content-Type`` is not the one the endpoint takes (HTTP 415)."""


class TooLargeError(InputError):
    """The request body (or one object in it) is larger than allowed (HTTP 413)."""


class StoreError(LeakTraceError):
    """The database cannot be opened, migrated or written."""


class NotFoundError(LeakTraceError):
    """Something asked for by id or name does not exist (for this asker).

    ``kind`` names what was looked for (``"leak"``, ``"release"``, ``"user"`` ...) and
    ``key`` the id or name asked for, when the raiser knows them.
    """

    def __init__(self, reason: str, *, kind: str | None = None, key: str | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.key = key


class ConflictError(LeakTraceError):
    """What was to be created exists already (an agency code, a user's e-mail)."""


class AuthenticationError(LeakTraceError):
    """No valid credentials: missing, wrong, expired or revoked token, password or session."""


class PermissionDeniedError(LeakTraceError):
    """Valid credentials, but the user's role does not grant ``permission``."""

    def __init__(self, reason: str, *, permission: str | None = None) -> None:
        super().__init__(reason)
        self.permission = permission


class SharingRefusedError(PermissionDeniedError):
    """A marking forbids the publication asked for: a received object re-published under a
    looser TLP level, an H2 object passed on without the owner's recorded permission, a RED
    object sent to agencies that may not read the collection. ``stix_id`` names the object
    (when one is at fault) and ``rule`` the marking rule (``tlp``, ``h2``, ``red``)."""

    def __init__(self, reason: str, *, stix_id: str | None = None, rule: str | None = None) -> None:
        super().__init__(reason, permission="share")
        self.stix_id = stix_id
        self.rule = rule


class RateLimitedError(LeakTraceError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    def __init__(self, reason: str, *, retry_after: int) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


V = TypeVar("V")


def nearest(table: Mapping[type[LeakTraceError], V], exc: LeakTraceError, default: V) -> V:
    """The value ``table`` gives the nearest class of ``exc`` (its own, else its closest
    base), or ``default``: how the exit-code and HTTP-status tables are read."""
    for cls in type(exc).__mro__:
        if cls in table:
            return table[cls]
    return default
