"""`/api/v1/audit`: the audit log of the caller's agency, newest first."""

from __future__ import annotations

from fastapi import APIRouter, Query

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit
from leaktrace.services.audit import AuditView
from leaktrace.services.views import Page
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

_AUDIT = requires(Permission.read_audit)
router = APIRouter(tags=["audit"])


@router.get("/audit", response_model=Page[AuditView])
def audit_log(
    ctx: Context,
    action: str | None = Query(None, max_length=64, description="Only this action."),
    user: str | None = Query(None, max_length=320, description="Only this user's entries."),
    limit: int | None = Query(None, ge=1, le=500, description="Page size (default 100)."),
    cursor: str | None = Query(None, max_length=2048, description="From a next_cursor."),
    actor: Actor = _AUDIT,
) -> Page[AuditView]:
    """Who did or read what, when and from where (one's own agency's entries)."""
    return audit.list_audit(ctx, actor, action=action, user=user, limit=limit, cursor=cursor)
