"""The one table of exit codes: each :class:`LeakTraceError` class to a ``sysexits.h``
code, so scripts can tell bad input from a missing thing or a database that is down.

=======================================  ====  ==============
error                                    code  sysexits name
=======================================  ====  ==============
InputError (CatalogError, FeedError)     65    EX_DATAERR
NotFoundError                            66    EX_NOINPUT
ConflictError                            73    EX_CANTCREAT
StoreError                               74    EX_IOERR
RateLimitedError                         75    EX_TEMPFAIL
AuthenticationError                      77    EX_NOPERM
PermissionDeniedError                    77    EX_NOPERM
ConfigError                              78    EX_CONFIG
any other LeakTraceError                 1
=======================================  ====  ==============
"""

from __future__ import annotations

from leaktrace.errors import (
    AuthenticationError,
    ConfigError,
    ConflictError,
    InputError,
    LeakTraceError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    StoreError,
    nearest,
)

__all__ = ["EXIT_CODES", "exit_code_of"]

EXIT_CODES: dict[type[LeakTraceError], int] = {
    InputError: 65,
    NotFoundError: 66,
    ConflictError: 73,
    StoreError: 74,
    RateLimitedError: 75,
    AuthenticationError: 77,
    PermissionDeniedError: 77,
    ConfigError: 78,
    LeakTraceError: 1,
}


def exit_code_of(exc: LeakTraceError) -> int:
    """The code of the nearest class of ``exc`` in :data:`EXIT_CODES` (1 at worst)."""
    return nearest(EXIT_CODES, exc, 1)
