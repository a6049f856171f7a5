"""Password hashes (argon2id, argon2-cffi's defaults): hashing, checking, rehash advice.

A password is never stored, logged or compared in clear; only its argon2 hash is kept
(``users.password_hash``).
"""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from leaktrace.errors import InputError

__all__ = ["MIN_PASSWORD_LENGTH", "check_password", "hash_password", "needs_rehash"]

MIN_PASSWORD_LENGTH = 10
_MAX_PASSWORD_LENGTH = 1024
_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A hash to check against when there is none (made once, on first need: hashing
    costs ~150 ms, which every command would pay at import)."""
    return _HASHER.hash("leaktrace: no such user, same work")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (at least :data:`MIN_PASSWORD_LENGTH` characters)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", field="password"
        )
    if len(password) > _MAX_PASSWORD_LENGTH:
        raise InputError(
            f"a password may have at most {_MAX_PASSWORD_LENGTH} characters", field="password"
        )
    return _HASHER.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``. Without a hash (a user with no
    password) the same work is done against a dummy hash and the answer is False, so the
    time taken does not tell whether the account exists or has a password."""
    if len(password) > _MAX_PASSWORD_LENGTH:
        return False
    try:
        matched = _HASHER.verify(stored_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return matched and stored_hash is not None


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with weaker parameters than today's."""
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
