"""The actor behind a use case: a signed-in user of an agency, or the local operator.

Every service that writes, or reads personal data, takes an :class:`Actor`: it checks the
actor's permission, scopes what the actor's agency may see, and names the actor in the
audit log. The command line acts as :func:`local_operator` (whoever can open the database
file can read it all: the CLI is the deployment's operator, not a tenant).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from leaktrace.errors import PermissionDeniedError
from leaktrace.identity.roles import Permission, Role, permissions_of

__all__ = ["Actor", "local_operator", "user_actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts. ``user_id``/``agency_id`` are None for the local operator."""

    name: str
    """The user's e-mail, or ``local:<login>`` for the command line."""
    role: Role
    user_id: int | None = None
    agency_id: int | None = None
    agency_code: str | None = None
    address: str | None = None
    """The client's address (web requests), for the audit log."""
    via: str = "cli"
    """How the actor proved who they are: ``cli``, ``token``, ``basic`` or ``session``."""
    permissions: frozenset[Permission] = field(default=frozenset())

    @property
    def is_local(self) -> bool:
        return self.user_id is None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def require(self, permission: Permission) -> None:
        """Raise :class:`PermissionDeniedError` unless the actor holds ``permission``."""
        if permission not in self.permissions:
            raise PermissionDeniedError(
                f"the {self.role.value} role may not do this (needs {permission.value})",
                permission=permission.value,
            )


def local_operator() -> Actor:
    """The command line's actor: every permission, named after the login running it."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = "unknown"
    return Actor(name=f"local:{login}", role=Role.admin, permissions=permissions_of(Role.admin))


def user_actor(
    *,
    email: str,
    role: Role,
    user_id: int,
    agency_id: int,
    agency_code: str,
    address: str | None,
    via: str,
) -> Actor:
    """A signed-in user's actor, with the permissions of their role."""
    return Actor(
        name=email,
        role=role,
        user_id=user_id,
        agency_id=agency_id,
        agency_code=agency_code,
        address=address,
        via=via,
        permissions=permissions_of(role),
    )
