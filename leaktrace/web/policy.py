"""Every route declares its policy: :func:`requires` a permission, or :func:`public`.

Use one of them as a parameter default (``actor: Actor = requires(Permission.read_intel)``)
or in ``dependencies=[...]``. ``tests/web/test_policy_matrix.py`` walks every route of the
app and fails on a route without a declared policy, then checks every role against every
route.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, Request
from fastapi.routing import APIRoute

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.web.auth import authenticate

__all__ = ["Policy", "declared_policy", "public", "requires"]

POLICY_ATTRIBUTE = "__leaktrace_policy__"


@dataclass(frozen=True, slots=True)
class Policy:
    """``permission`` None: open to anyone, signed in or not."""

    permission: Permission | None


def requires(permission: Permission) -> Any:
    """A dependency: the signed-in actor, who must hold ``permission`` (else 401 / 403)."""

    def check(actor: Actor = Depends(authenticate)) -> Actor:  # noqa: B008
        actor.require(permission)
        return actor

    setattr(check, POLICY_ATTRIBUTE, Policy(permission))
    return Depends(check)


def public() -> Any:
    """A dependency that declares the route open to everyone (health, login page)."""

    def open_to_all(request: Request) -> None:
        return None

    setattr(open_to_all, POLICY_ATTRIBUTE, Policy(None))
    return Depends(open_to_all)


def declared_policy(route: APIRoute) -> Policy | None:
    """The policy ``route`` declares (searched through its dependencies), or None."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependant = stack.pop()
        call: Callable[..., Any] | None = dependant.call
        policy = getattr(call, POLICY_ATTRIBUTE, None)
        if isinstance(policy, Policy):
            return policy
        stack.extend(dependant.dependencies)
    return None
