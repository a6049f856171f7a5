"""The installation's evidence key, verifying the stored logs, verifying a bundle.
OWNER: log helper (H3)."""

from __future__ import annotations

from pathlib import Path

from leaktrace.identity.actor import Actor
from leaktrace.services.case_views import BundleVerification, EvidenceKeyView, LogVerification
from leaktrace.services.context import AppContext

__all__ = ["evidence_key", "verify_bundle_file", "verify_logs"]


def evidence_key(ctx: AppContext) -> EvidenceKeyView:
    """The signing key's name, fingerprint and public key (created on first use)."""
    raise NotImplementedError


def verify_logs(ctx: AppContext, actor: Actor, case_id: int | None = None) -> LogVerification:
    """Recompute every leaf hash, root and signature of the stored logs (one case, or all
    the actor may see) and report the first entry of each log that does not match."""
    raise NotImplementedError


def verify_bundle_file(
    bundle: Path, *, against: Path | None = None, expect_key: str | None = None
) -> BundleVerification:
    """Check an exported bundle offline (as its own ``verify.py`` does)."""
    raise NotImplementedError
