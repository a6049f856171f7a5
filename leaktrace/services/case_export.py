"""Exporting a case as a bundle that verifies offline (the export is itself an entry of
the case's log). OWNER: log helper (H3)."""

from __future__ import annotations

from pathlib import Path

from leaktrace.identity.actor import Actor
from leaktrace.services.case_views import ExportView
from leaktrace.services.context import AppContext

__all__ = ["export_case", "export_case_bytes"]


def export_case(ctx: AppContext, actor: Actor, case_id: int, out: Path) -> ExportView:
    """Write the bundle to ``out`` (mode 0600, atomically)."""
    raise NotImplementedError


def export_case_bytes(ctx: AppContext, actor: Actor, case_id: int) -> tuple[ExportView, bytes]:
    """The bundle as bytes (an API download)."""
    raise NotImplementedError
