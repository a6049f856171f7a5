"""Who may see and change a case: the one gate every case service goes through.

Only member agencies see a case; to anyone else it behaves exactly as if it did not exist
(:class:`NotFoundError`, kind ``case``). Observers read; members add; the lead manages
members and status. The command line's local operator acts as the ``operator`` role on
every case (it owns the database). OWNER: cases helper (H2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import Connection

from leaktrace.errors import ConflictError, NotFoundError, PermissionDeniedError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.case_views import CaseAbilities
from leaktrace.store import cases as store

__all__ = ["MAX_CASE_ID", "CaseAccess", "Need", "abilities", "case_access", "no_such_case"]

Need = Literal["read", "write", "lead"]

MAX_CASE_ID = 2**31 - 1
"""Ids beyond the column's range cannot name a case (and never reach the database)."""

_MAY = {
    "read": ("lead", "member", "observer", "operator"),
    "write": ("lead", "member", "operator"),
    "lead": ("lead", "operator"),
}


@dataclass(frozen=True, slots=True)
class CaseAccess:
    case_id: int
    log_id: str
    title: str
    status: str
    owner_agency_id: int
    role: str
    """``lead``, ``member``, ``observer`` or ``operator`` (the command line)."""


def abilities(actor: Actor, role: str, status: str) -> CaseAbilities:
    """What ``actor``, whose agency has ``role`` in a case of ``status``, may do there:
    exactly what :func:`case_access` (and the item and export services) let through.

    Downloading items and exporting are reads (the export's log entry names who did it):
    any member with ``read:cases``; items that name people also need ``read:personal``."""
    writer = actor.can(Permission.write_cases)
    return CaseAbilities(
        add=writer and role in _MAY["write"] and status != "closed",
        manage=writer and role in _MAY["lead"],
        export=actor.can(Permission.read_cases) and role in _MAY["read"],
        read_personal=actor.can(Permission.read_personal),
    )


def no_such_case(case_id: int) -> NotFoundError:
    """The one answer for a case that does not exist or that the asker may not see."""
    return NotFoundError(f"no case {case_id}", kind="case", key=str(case_id))


def case_access(
    conn: Connection,
    actor: Actor,
    case_id: int,
    need: Need = "read",
    *,
    reopening: bool = False,
) -> CaseAccess:
    """The case as ``actor`` may use it; NotFoundError when the actor's agency is not a
    member (or no such case); PermissionDeniedError when the role does not allow
    ``need``; ConflictError for a change to a closed case (``reopening``: the status
    change that may reopen it). Downloads and exports ask for ``read``: any member may
    (:func:`abilities` puts these rules in one view for the pages).

    ``need="read"`` requires read:cases, ``"write"``/``"lead"`` require write:cases.
    Writes (``"write"``/``"lead"``) lock the case row on PostgreSQL (FOR UPDATE) so that
    appends to its log are serialised."""
    actor.require(Permission.read_cases if need == "read" else Permission.write_cases)
    if not 1 <= case_id <= MAX_CASE_ID:
        raise no_such_case(case_id)
    case = store.case_by_id(conn, case_id, lock=need != "read")
    if case is None:
        raise no_such_case(case_id)
    if actor.is_local:
        role: str | None = "operator"
    else:
        role = (
            None if actor.agency_id is None else store.member_role(conn, case_id, actor.agency_id)
        )
    if role is None:
        raise no_such_case(case_id)
    if role not in _MAY[need]:
        what = "manage" if need == "lead" else "change"
        raise PermissionDeniedError(
            f"an agency with the {role} role in case {case_id} may not {what} it"
            + (" (only its lead may)" if need == "lead" else ""),
            permission="write:cases",
        )
    if need != "read" and case.status == "closed" and not reopening:
        raise ConflictError(f"case {case_id} is closed")
    return CaseAccess(
        case_id=case.id,
        log_id=case.log_id,
        title=case.title,
        status=case.status,
        owner_agency_id=case.owner_agency_id,
        role=role,
    )
