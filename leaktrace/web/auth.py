"""Who is asking: Bearer token, HTTP Basic (e-mail + token) or a session cookie.

:func:`authenticate` turns a request into an :class:`~leaktrace.identity.actor.Actor`
or raises :class:`~leaktrace.errors.AuthenticationError` (HTTP 401).
"""

from __future__ import annotations

from fastapi import Request

from leaktrace.errors import AuthenticationError
from leaktrace.identity.actor import Actor

__all__ = ["authenticate"]


def authenticate(request: Request) -> Actor:
    """The actor behind ``request`` (fails closed until credentials are checked)."""
    raise AuthenticationError("authentication required")
