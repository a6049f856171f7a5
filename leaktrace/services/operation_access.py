"""Who may see and change an action day: the one gate every operation service goes
through.

Only the operation's participating agencies see it; to anyone else it behaves exactly as
if it did not exist (:class:`NotFoundError`, kind ``operation``). Reading needs
``read:cases``, changing ``write:cases``. Coordinators change every target, resolve every
issue and see real names; a participant changes the targets assigned to it; observers
read. The command line's local operator acts as ``operator``: a coordinator of every
operation (it owns the database).

A person's real name is shown only to a participating (not observing) agency of the
person's country and to coordinators, and only to users holding ``read:personal``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import Connection

from leaktrace.errors import NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.operations.model import AgencyRole
from leaktrace.store import identity as identity_store
from leaktrace.store import operations as store
from leaktrace.store.operations import OperationRecord, TargetRecord

__all__ = [
    "MAX_ID",
    "OperationAccess",
    "may_change",
    "may_see_name",
    "no_such_operation",
    "operation_access",
]

Need = Literal["read", "write"]
MAX_ID = 2**31 - 1
"""Ids beyond the column's range cannot name anything (and never reach the database)."""


@dataclass(frozen=True, slots=True)
class OperationAccess:
    operation: OperationRecord
    role: str
    """``coordinator``, ``participant``, ``observer`` or ``operator``."""
    agency_id: int | None
    agency_code: str | None
    agency_country: str | None
    can_write: bool
    """The actor holds ``write:cases`` (and the role is not ``observer``)."""

    @property
    def coordinates(self) -> bool:
        return self.role in (AgencyRole.coordinator.value, "operator")


def no_such_operation(operation_id: int) -> NotFoundError:
    """The one answer for an operation that does not exist or that the asker may not
    see."""
    return NotFoundError(f"no operation {operation_id}", kind="operation", key=str(operation_id))


def operation_access(
    conn: Connection, actor: Actor, operation_id: int, need: Need = "read"
) -> OperationAccess:
    """The operation as ``actor`` may use it: NotFoundError when the actor's agency does
    not take part (or no such operation), PermissionDeniedError when the actor's role (or
    the agency's role in the operation, ``observer``) does not allow ``need``."""
    actor.require(Permission.read_cases)
    if not 1 <= operation_id <= MAX_ID:
        raise no_such_operation(operation_id)
    operation = store.operation_by_id(conn, operation_id)
    if operation is None:
        raise no_such_operation(operation_id)
    if actor.is_local:
        role, code, country = "operator", None, None
    else:
        assert actor.agency_id is not None
        found = store.agency_role(conn, operation_id, actor.agency_id)
        if found is None:
            raise no_such_operation(operation_id)
        role, code = found, actor.agency_code
        agency = identity_store.agency_by_code(conn, code or "")
        country = agency.country if agency is not None else None
    can_write = actor.can(Permission.write_cases) and role != AgencyRole.observer.value
    if need == "write":
        actor.require(Permission.write_cases)
        if role == AgencyRole.observer.value:
            raise PermissionDeniedError(
                "observers of an operation read its board and raise issues; they change no target",
                permission=Permission.write_cases.value,
            )
    return OperationAccess(
        operation=operation,
        role=role,
        agency_id=actor.agency_id,
        agency_code=code,
        agency_country=country,
        can_write=can_write,
    )


def may_change(access: OperationAccess, target: TargetRecord) -> bool:
    """Whether the actor may change ``target``: coordinators any, a participant the
    targets assigned to its agency."""
    if not access.can_write:
        return False
    if access.coordinates:
        return True
    return target.agency_id is not None and target.agency_id == access.agency_id


def require_change(access: OperationAccess, target: TargetRecord) -> None:
    """PermissionDeniedError unless :func:`may_change`."""
    if not may_change(access, target):
        raise PermissionDeniedError(
            f"target {target.id} is assigned to {target.agency_code or 'no agency'}: only that "
            "agency and the operation's coordinators change it",
            permission=Permission.write_cases.value,
        )


def may_see_name(access: OperationAccess, actor: Actor, target: TargetRecord) -> bool:
    """Whether ``actor`` sees ``target``'s real name (see the module docstring)."""
    if target.real_name is None or not actor.can(Permission.read_personal):
        return False
    if access.coordinates:
        return True
    return (
        access.role == AgencyRole.participant.value
        and target.country is not None
        and target.country == access.agency_country
    )
