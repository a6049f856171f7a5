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

from leaktrace.identity.actor import Actor

__all__ = ["CaseAccess", "Need", "case_access"]

Need = Literal["read", "write", "lead"]


@dataclass(frozen=True, slots=True)
class CaseAccess:
    case_id: int
    log_id: str
    title: str
    status: str
    owner_agency_id: int
    role: str
    """``lead``, ``member``, ``observer`` or ``operator`` (the command line)."""


def case_access(conn: Connection, actor: Actor, case_id: int, need: Need = "read") -> CaseAccess:
    """The case as ``actor`` may use it; NotFoundError when the actor's agency is not a
    member (or no such case); PermissionDeniedError when the role does not allow
    ``need``; ConflictError for a change to a closed case (except reopening / export).

    ``need="read"`` requires read:cases, ``"write"``/``"lead"`` require write:cases.
    Writes (``"write"``/``"lead"``) lock the case row on PostgreSQL (FOR UPDATE) so that
    appends to its log are serialised."""
    raise NotImplementedError
