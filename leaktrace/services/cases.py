"""Cases: open, list, show (audited), members, subjects, tasks, notes, status.

Every change is an entry of the case's evidence log (:mod:`leaktrace.services.case_log`),
written in the same transaction. OWNER: cases helper (H2).
"""

from __future__ import annotations

from datetime import date

from leaktrace.identity.actor import Actor
from leaktrace.services.case_views import (
    CaseDetail,
    CaseMemberView,
    CaseNoteView,
    CaseRef,
    CaseSubjectView,
    CaseSummary,
    CaseTaskView,
)
from leaktrace.services.context import AppContext

__all__ = [
    "add_member",
    "add_note",
    "add_subject",
    "add_task",
    "list_cases",
    "open_case",
    "set_status",
    "show_case",
    "update_case",
    "update_task",
]


def open_case(
    ctx: AppContext,
    actor: Actor,
    title: str,
    *,
    agency: str | None = None,
    legal_basis: str = "",
    reference: str = "",
    retention_until: date | None = None,
) -> CaseRef:
    """Open a case owned by ``agency`` (a code; a user's own agency by default, required
    for the command line); the owner becomes its ``lead`` member."""
    raise NotImplementedError


def list_cases(
    ctx: AppContext, actor: Actor, *, status: str | None = None, writable: bool = False
) -> list[CaseSummary]:
    """The cases the actor's agency is a member of (all, for the command line), newest
    first; ``writable``: only open cases where the actor may add evidence (the "add to
    case" menus)."""
    raise NotImplementedError


def show_case(ctx: AppContext, actor: Actor, case_id: int) -> CaseDetail:
    """One case with members, subjects, tasks, notes, evidence, timeline and its latest
    signed tree head. Audited (``case.read``)."""
    raise NotImplementedError


def add_member(
    ctx: AppContext, actor: Actor, case_id: int, agency: str, role: str = "member"
) -> CaseMemberView:
    raise NotImplementedError


def add_subject(
    ctx: AppContext, actor: Actor, case_id: int, kind: str, value: str
) -> CaseSubjectView:
    raise NotImplementedError


def add_task(
    ctx: AppContext, actor: Actor, case_id: int, title: str, *, assignee: str | None = None
) -> CaseTaskView:
    raise NotImplementedError


def update_task(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    task_id: int,
    *,
    status: str | None = None,
    assignee: str | None = None,
) -> CaseTaskView:
    raise NotImplementedError


def add_note(ctx: AppContext, actor: Actor, case_id: int, text: str) -> CaseNoteView:
    raise NotImplementedError


def set_status(
    ctx: AppContext, actor: Actor, case_id: int, status: str, *, reason: str = ""
) -> CaseSummary:
    raise NotImplementedError


def update_case(
    ctx: AppContext,
    actor: Actor,
    case_id: int,
    *,
    title: str | None = None,
    legal_basis: str | None = None,
    reference: str | None = None,
    retention_until: date | None = None,
) -> CaseSummary:
    raise NotImplementedError
