"""`/api/v1/evidence/key`: the installation's evidence signing key (its name in
checkpoints, fingerprint and public key), to check signed tree heads and bundles."""

from __future__ import annotations

from fastapi import APIRouter

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import evidence
from leaktrace.services.case_views import EvidenceKeyView
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

__all__ = ["router"]

router = APIRouter(tags=["cases"])
_READ = requires(Permission.read_cases)


@router.get("/evidence/key", response_model=EvidenceKeyView)
def evidence_key(ctx: Context, actor: Actor = _READ) -> EvidenceKeyView:
    """The public key that signs every case log's tree heads, and its fingerprint."""
    del actor  # the key is public; the route is for signed-in users like the rest
    return evidence.evidence_key(ctx)
