"""Building a case's read models from its stored records: the one :func:`case_detail`
(what ``case show``, the case page and an export's ``index.html`` show) and the smaller
views it is made of. Reading only: the callers hold the transaction, check access
(:func:`leaktrace.services.case_access.case_access`) and audit. OWNER: cases helper
(F1).
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.engine import Connection

from leaktrace.errors import StoreError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services import audit, case_log, case_timeline
from leaktrace.services.case_access import CaseAccess, abilities, no_such_case
from leaktrace.services.case_timeline import PERSONAL_SUBJECT_KINDS, WITHHELD
from leaktrace.services.case_views import (
    CaseDetail,
    CaseItemView,
    CaseMemberView,
    CaseNoteView,
    CaseSubjectView,
    CaseSummary,
    CaseTaskView,
)
from leaktrace.store import cases as store

__all__ = [
    "case_detail",
    "item_view",
    "member_view",
    "note_view",
    "read_summary",
    "subject_view",
    "summary_view",
    "task_view",
]


def summary_view(record: store.CaseSummaryRecord, role: str | None) -> CaseSummary:
    """A listed case, ``my_role`` being the asking agency's role (``role`` when given:
    ``operator`` for the command line)."""
    values = asdict(record)
    if role is not None:
        values["my_role"] = role
    return CaseSummary.model_validate(values)


def member_view(member: store.MemberRecord) -> CaseMemberView:
    return CaseMemberView(
        agency=member.agency,
        agency_name=member.agency_name,
        role=member.role,
        added_at=member.added_at,
    )


def task_view(task: store.TaskRecord) -> CaseTaskView:
    return CaseTaskView.model_validate(asdict(task))


def subject_view(subject: store.SubjectRecord) -> CaseSubjectView:
    return CaseSubjectView.model_validate(asdict(subject))


def note_view(note: store.NoteRecord) -> CaseNoteView:
    return CaseNoteView.model_validate(asdict(note))


def item_view(item: store.ItemRecord) -> CaseItemView:
    return CaseItemView.model_validate(asdict(item))


def read_summary(conn: Connection, actor: Actor, access: CaseAccess) -> CaseSummary:
    """The case's summary as ``actor`` (whose role ``access`` holds) sees it."""
    found = store.case_summaries(conn, agency_id=None, case_id=access.case_id)
    if not found:  # pragma: no cover - case_access found it in this transaction
        raise no_such_case(access.case_id)
    return summary_view(found[0], access.role)


def case_detail(conn: Connection, actor: Actor, access: CaseAccess) -> CaseDetail:
    """The whole case as ``actor`` may see it: summary, legal basis, members, subjects,
    tasks, notes, evidence, timeline, latest signed tree head and what the actor may do
    (``may``). ``access`` comes from :func:`case_access` in the same transaction."""
    case_id = access.case_id
    case = store.case_by_id(conn, case_id)
    if case is None:  # pragma: no cover - case_access found it in this transaction
        raise StoreError(f"case {case_id} vanished while it was read")
    summary = read_summary(conn, actor, access)
    personal = actor.can(Permission.read_personal)
    subjects = [CaseSubjectView.model_validate(asdict(s)) for s in store.subjects_of(conn, case_id)]
    named = [s for s in subjects if s.kind in PERSONAL_SUBJECT_KINDS]
    if named and personal:
        audit.record(
            conn,
            actor,
            "case.read.personal",
            f"case {case_id}",
            f"{len(named)} supply-account subjects shown",
        )
    elif named:
        subjects = [
            s.model_copy(update={"value": f"({WITHHELD})"})
            if s.kind in PERSONAL_SUBJECT_KINDS
            else s
            for s in subjects
        ]
    return CaseDetail(
        **summary.model_dump(exclude={"retention_due"}),
        legal_basis=case.legal_basis,
        created_by=case.created_by,
        members=[member_view(m) for m in store.members_of(conn, case_id)],
        subjects=subjects,
        tasks=[task_view(t) for t in store.tasks_of(conn, case_id)],
        notes=[note_view(n) for n in store.notes_of(conn, case_id)],
        evidence=[item_view(i) for i in store.items_of(conn, case_id)],
        timeline=case_timeline.timeline(conn, case_id, personal=personal),
        tree_head=case_log.tree_head_view(conn, case_id),
        may=abilities(actor, access.role, case.status),
    )
