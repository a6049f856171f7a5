"""Secrets handed to people: API tokens, session cookies and CSRF tokens.

A token is ``lt_`` followed by 43 URL-safe characters (256 random bits), recognisable in
a leaked config file or log; only its SHA-256 (hex) is stored. Session cookies and CSRF
tokens are random strings of the same strength.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

__all__ = [
    "MAX_SECRET",
    "TOKEN_PREFIX",
    "csrf_token",
    "digest",
    "looks_like_token",
    "new_token",
    "same_secret",
    "session_secret",
]

TOKEN_PREFIX = "lt_"
_TOKEN_BYTES = 32
MAX_SECRET = 200
"""Longer credentials are refused before any lookup."""


def new_token() -> str:
    """A new API token: ``lt_`` + 43 URL-safe characters."""
    return TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)


def session_secret() -> str:
    """A new session cookie value."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def csrf_token() -> str:
    """A new CSRF token (one per session)."""
    return secrets.token_urlsafe(_TOKEN_BYTES)


def looks_like_token(value: str) -> bool:
    """Whether ``value`` has the form of an API token (it may still be unknown)."""
    return value.startswith(TOKEN_PREFIX) and 20 <= len(value) <= MAX_SECRET


def digest(secret: str) -> str:
    """The SHA-256 (hex) a token or session cookie is stored and looked up by."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def same_secret(expected: str, given: str) -> bool:
    """Constant-time comparison of two secrets (CSRF tokens)."""
    return hmac.compare_digest(
        expected.encode("utf-8", "replace"), given.encode("utf-8", "replace")
    )
