"""Agency kinds, roles and the permissions each role holds (the whole policy, one table).

Need-to-know across agencies is not a permission: it is enforced by the services, which
show an agency only its own users, tokens, triage notes and audit entries, and only the
cases it is a member of, and answer "not found" for anyone else's.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ROLE_PERMISSIONS", "AgencyKind", "Permission", "Role", "permissions_of"]


class AgencyKind(StrEnum):
    police = "police"
    judicial = "judicial"
    europol = "europol"
    eurojust = "eurojust"
    industry = "industry"


class Role(StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    investigator = "investigator"
    analyst = "analyst"
    viewer = "viewer"


class Permission(StrEnum):
    """What a route or service needs. Values are stable: they appear in the audit log."""

    read_intel = "read:intel"
    """Leaks, releases, works, groups, graph, hosts, targets, impact, sources' health."""
    read_personal = "read:personal"
    """Supply-chain accounts and swarm observations (every read is audited)."""
    triage = "write:triage"
    """Mark a leak confirmed or false-positive, with a note."""
    read_audit = "read:audit"
    """The audit log of one's own agency."""
    manage_users = "admin:users"
    """Users and tokens of one's own agency."""
    read_cases = "read:cases"
    """Cases one's agency is a member of, their evidence, log and proofs (reads audited)."""
    write_cases = "write:cases"
    """Open cases; add items, notes, tasks, subjects, members; change status; export."""
    read_exchange = "read:exchange"
    """TAXII collections one's agency may read, and the shared objects it may see in them."""
    write_exchange = "write:exchange"
    """Add objects (TAXII POST) to collections one's agency may write."""
    write_notices = "write:notices"
    """Draft takedown notices, review them, record what happened (mark), keep contacts."""
    send_notices = "send:notices"
    """Send takedown notices (only users of an industry agency: rights holders and their
    agents send notices; the service refuses anyone else)."""


_VIEWER = frozenset({Permission.read_intel, Permission.read_cases})
_ANALYST = _VIEWER | {
    Permission.triage,
    Permission.read_personal,
    Permission.write_cases,
    Permission.read_exchange,
    Permission.write_exchange,
    Permission.write_notices,
    Permission.send_notices,
}
_INVESTIGATOR = _ANALYST
_COORDINATOR = _INVESTIGATOR | {Permission.read_audit}
_ADMIN = _COORDINATOR | {Permission.manage_users}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.viewer: _VIEWER,
    Role.analyst: _ANALYST,
    Role.investigator: _INVESTIGATOR,
    Role.coordinator: _COORDINATOR,
    Role.admin: _ADMIN,
}


def permissions_of(role: Role) -> frozenset[Permission]:
    return ROLE_PERMISSIONS[role]
