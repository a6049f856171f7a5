"""Every LeakTraceError class maps to one exit code, subclasses by their nearest parent."""

from __future__ import annotations

import inspect

import leaktrace.errors as errors
from leaktrace.cli.exit_codes import EXIT_CODES, exit_code_of
from leaktrace.errors import (
    AuthenticationError,
    CatalogError,
    ConfigError,
    ConflictError,
    FeedError,
    InputError,
    LeakTraceError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    StoreError,
)


def _every_error_class() -> list[type[LeakTraceError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, LeakTraceError)
    ]


def test_codes_of_each_kind() -> None:
    assert exit_code_of(InputError("x")) == 65
    assert exit_code_of(CatalogError("x")) == 65
    assert exit_code_of(FeedError("x")) == 65
    assert exit_code_of(NotFoundError("x")) == 66
    assert exit_code_of(ConflictError("x")) == 73
    assert exit_code_of(StoreError("x")) == 74
    assert exit_code_of(RateLimitedError("x", retry_after=3)) == 75
    assert exit_code_of(AuthenticationError("x")) == 77
    assert exit_code_of(PermissionDeniedError("x")) == 77
    assert exit_code_of(ConfigError("x")) == 78
    assert exit_code_of(LeakTraceError("x")) == 1


def test_every_error_class_has_a_code_through_its_mro() -> None:
    for cls in _every_error_class():
        assert any(parent in EXIT_CODES for parent in cls.__mro__), cls

    # a direct child of the root that nobody mapped still gets a code (1), never a crash
    class Unmapped(LeakTraceError):
        pass

    assert exit_code_of(Unmapped("x")) == 1


def test_codes_are_sysexits_or_one() -> None:
    assert set(EXIT_CODES.values()) <= {1, *range(64, 79)}
