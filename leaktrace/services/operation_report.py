"""An action day's after-action report: one printable, self-contained HTML page (inline
CSS, no scripts, no external assets) and its addition to the operation's case as
evidence.

The page states the operation, its date and H-hour (UTC and as each agency reads it), the
handling code in a banner at the top and bottom (repeated on every printed page), the
counters, the outcome per country, every target, the issues (open first, then resolved)
and the timeline of every change, each line naming the evidence-log entry that records
it. A closing line names the log's size and root hash the report reflects: every line of
the timeline is an entry below that size, so a reader checks the report against the
case's signed tree head (``leaktrace case show``, ``leaktrace verify``).

The operation's part is its board (:func:`leaktrace.services.operation_board.operation_board`:
the same counters, tiles, agencies and issues as the live board), read as the reader
without ``read:personal`` (:func:`names_withheld`): persons' real names are never in the
report, which becomes evidence that every member of the case reads, whereas real names
follow the need-to-know rule of the live board. The timeline's lines are the entries whose
``operation_id`` is the operation's (older entries without it: by its name), worded by
:func:`leaktrace.services.case_timeline.operation_change` like ``case show``.

Who may: :func:`render_report` any participant of the operation (``read:cases``);
:func:`report_to_case` also needs the right to add evidence to the case: a user of an
agency that is a member (not an observer) of the case with ``write:cases``; a
participating agency that is not a member of the case is refused
(PermissionDeniedError), and a closed case refuses (ConflictError), before anything is
written. The command line's local operator acts as the ``operator`` of every case (it
owns the database): it adds the report to any case that is not closed, and the log entry
names ``local:<login>``.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, LeakTraceError, NotFoundError, PermissionDeniedError
from leaktrace.exchange.markings import HANDLING_CODES
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.operations.model import CHECKLIST, TargetStatus, h_hour_at, outcome_words
from leaktrace.private_files import FILE_MODE, make_private_folder
from leaktrace.services import audit, case_items
from leaktrace.services.case_access import case_access
from leaktrace.services.case_log import tree_head_view
from leaktrace.services.case_timeline import operation_change
from leaktrace.services.case_views import TreeHeadView
from leaktrace.services.context import AppContext
from leaktrace.services.operation_access import operation_access
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_views import (
    OperationBoardView,
    OperationReportView,
    OperationSummaryView,
)
from leaktrace.store import cases as case_store
from leaktrace.store import evidence_log as log_store
from leaktrace.store.operations import OperationRecord
from leaktrace.templating import html_environment

__all__ = [
    "HANDLING_MEANING",
    "REPORT_MEDIA_TYPE",
    "checklist_words",
    "names_withheld",
    "render_report",
    "report_name",
    "report_to_case",
]

REPORT_MEDIA_TYPE = "text/html"
HANDLING_MEANING: Mapping[str, str] = {
    "H0": "use only to prevent and combat crime",
    "H1": "not for judicial proceedings without the provider's permission",
    "H2": "not to be passed on without the provider's permission",
    "H3": "other restrictions apply",
}
"""What each SIENA handling code asks of whoever reads the report."""
assert set(HANDLING_MEANING) == set(HANDLING_CODES)

_CONSISTENT_TRIES = 20
"""How often the report's reads are repeated when a change lands during them."""


# --- what the page shows -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _TimelineRow:
    seq: int
    at: str
    who: str
    agency: str
    event: str
    target: str
    what: str
    leaf_hash: str


@dataclass(frozen=True, slots=True)
class _Report:
    board: OperationBoardView
    """The operation as its board shows it, without real names: counters, agencies (the
    H-hour in each one's zone), country tiles, issues (open first); its targets in id
    order."""
    case_title: str
    handling_meaning: str
    h_hour_utc: str
    statuses: list[str]
    timeline: list[_TimelineRow]
    head: TreeHeadView
    generated_at: str
    generated_by: str

    @property
    def summary(self) -> OperationSummaryView:
        return self.board.operation

    @property
    def handling(self) -> str:
        return self.board.operation.handling


@functools.cache
def _environment() -> Environment:
    return html_environment("leaktrace.report")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def checklist_words(checklist: Mapping[str, str | None]) -> str:
    """The checked items of a target's checklist, in the checklist's order:
    ``legal authorisation reference (W-1); seizure``."""
    done = []
    for key, label in CHECKLIST:
        reference = checklist.get(key)
        if reference is not None:
            done.append(f"{label} ({reference})" if reference else label)
    return "; ".join(done)


def names_withheld(actor: Actor) -> Actor:
    """``actor`` without ``read:personal``: it reads a board as ``actor`` does, with no
    person's real name (and so without an ``operation.names`` audit row). The report
    and the terminal board's redraws read the board as such an actor."""
    return replace(actor, permissions=actor.permissions - {Permission.read_personal})


def _ours(data: Mapping[str, Any], operation: OperationRecord) -> bool:
    """Whether a log entry's ``data`` is of ``operation``: by its ``operation_id``;
    entries written before that key existed, by the operation's name (unique in its
    case)."""
    if "operation_id" in data:
        return bool(data["operation_id"] == operation.id)
    return data.get("operation") == operation.name


def _timeline(
    conn: Connection, operation: OperationRecord, size: int, *, users: bool
) -> list[_TimelineRow]:
    """The operation's entries of its case's log below ``size``, oldest first; the user
    who made each only when ``users`` (a reader who is a member of the case: an agency
    never sees another agency's users otherwise), else the agency alone."""
    rows = []
    for record in log_store.iter_entries(conn, operation.case_id, 0, size):
        if not record.event.startswith("operation."):
            continue
        parsed = json.loads(record.entry)
        data = parsed.get("data") or {}
        if not isinstance(data, Mapping) or not _ours(data, operation):
            continue
        actor = parsed.get("actor") or {}
        rows.append(
            _TimelineRow(
                seq=record.seq,
                at=_stamp(record.at if record.at.tzinfo else record.at.replace(tzinfo=UTC)),
                who=str(actor.get("name") or "") if users else "",
                agency=str(actor.get("agency") or ""),
                event=record.event.removeprefix("operation."),
                target=str(data.get("target") or ""),
                what=operation_change(record.event, data, limit=None),
                leaf_hash=record.leaf_hash.hex(),
            )
        )
    return rows


def _case_member(conn: Connection, actor: Actor, case_id: int) -> bool:
    """Whether ``actor``'s agency is a member of the case (the local operator is): only
    members read the case's title and the users named in its log."""
    try:
        case_access(conn, actor, case_id, "read")
    except LeakTraceError:
        return False
    return True


def _gather(ctx: AppContext, actor: Actor, operation_id: int) -> _Report | None:
    """The report's facts as of one size of the case's log, or None when a change landed
    while they were read (the caller reads again). Every change of an operation appends
    to its case's log in the transaction that makes it, so the same log size read before
    the board and after it means the board shows the operation at that size (each read
    is a transaction of its own, begun after the one before ended: on every backend and
    isolation level it sees every change committed before it began)."""
    with ctx.database.reading() as conn:
        operation = operation_access(conn, actor, operation_id).operation
        before = log_store.log_size(conn, operation.case_id)
    board = operation_board(ctx, names_withheld(actor), operation_id)
    with ctx.database.reading() as conn:
        if log_store.log_size(conn, operation.case_id) != before or not before:
            return None
        head = tree_head_view(conn, operation.case_id)
        if head.tree_size != before:  # pragma: no cover - a head is stored with every entry
            return None
        member = _case_member(conn, actor, operation.case_id)
        case = case_store.case_by_id(conn, operation.case_id) if member else None
        timeline = _timeline(conn, operation, before, users=member)
    targets = sorted(board.targets, key=lambda t: t.id)
    assert all(t.real_name is None for t in targets)
    issues = sorted(board.issues, key=lambda i: (not i.open, i.id))
    moment = h_hour_at(operation.day, operation.h_hour)
    return _Report(
        board=board.model_copy(update={"targets": targets, "issues": issues}),
        case_title=case.title if case is not None else "",
        handling_meaning=HANDLING_MEANING.get(board.operation.handling, ""),
        h_hour_utc=f"{moment:%Y-%m-%d %H:%M} UTC",
        statuses=[s.value for s in TargetStatus],
        timeline=timeline,
        head=head,
        generated_at=_stamp(datetime.now(UTC)),
        generated_by=actor.name + (f" ({actor.agency_code})" if actor.agency_code else ""),
    )


def _render(ctx: AppContext, actor: Actor, operation_id: int) -> tuple[str, _Report]:
    for _ in range(_CONSISTENT_TRIES):
        report = _gather(ctx, actor, operation_id)
        if report is not None:
            break
    else:  # pragma: no cover - twenty changes in a row during the reads
        raise InputError(
            "the operation kept changing while its report was written: try again",
            field="operation",
        )
    with ctx.database.transaction() as conn:
        audit.record(
            conn,
            actor,
            "operation.report",
            f"operation {operation_id}",
            f"case {report.summary.case_id} log size {report.head.tree_size}",
        )
    html = (
        _environment()
        .get_template("operation_report.html.j2")
        .render(r=report, outcome_words=outcome_words, checklist_words=checklist_words)
    )
    return html, report


def render_report(ctx: AppContext, actor: Actor, operation_id: int) -> str:
    """The after-action report of ``operation_id`` as one self-contained HTML page (any
    participant with ``read:cases``; NotFoundError for anyone else). Audited
    (``operation.report``)."""
    return _render(ctx, actor, operation_id)[0]


def report_name(operation_id: int, at: datetime | None = None) -> str:
    """The name the report has in the case: ``operation-7-report-20200825T1030Z.html``."""
    moment = (at or datetime.now(UTC)).astimezone(UTC)
    return f"operation-{operation_id}-report-{moment:%Y%m%dT%H%M%SZ}.html"


def _may_add(ctx: AppContext, actor: Actor, operation_id: int) -> int:
    """The operation's case id when ``actor`` may add the report to it (see the module
    docstring); refused before anything is written."""
    actor.require(Permission.write_cases)
    with ctx.database.reading() as conn:
        access = operation_access(conn, actor, operation_id)
        case_id = access.operation.case_id
        try:
            case_access(conn, actor, case_id, "write")
        except NotFoundError:
            raise PermissionDeniedError(
                f"{actor.agency_code or 'this agency'} is not a member of case {case_id}, the "
                "operation's case: only its members add the report to it as evidence (the "
                "report itself may still be read and printed)",
                permission=Permission.write_cases.value,
            ) from None
    return case_id


def report_to_case(
    ctx: AppContext, actor: Actor, operation_id: int, out: Path | None
) -> OperationReportView:
    """Write the report to ``out`` (mode 0600, never half-written: a temporary file in
    the same folder renamed into place once the report is in the case) and add the same
    bytes to the operation's case as a file item; with ``out`` None only add it (``path``
    is then the name it has in the case). Any refusal writes nothing."""
    case_id = _may_add(ctx, actor, operation_id)
    html, report = _render(ctx, actor, operation_id)
    data = html.encode("utf-8")
    name = report_name(operation_id)
    reason = (
        f"after-action report of operation {operation_id} ({report.summary.name}), "
        f"reflecting the log at size {report.head.tree_size}"
    )
    temporary: Path | None = None
    target: Path | None = None
    if out is not None:
        target = Path(out).expanduser()
        if target.is_dir():
            raise InputError("is a folder, expected a file to write", file=str(target))
        make_private_folder(target.parent)
        temporary = _write_temporary(target, data)
    try:
        item = case_items.add_file(
            ctx, actor, case_id, name=name, content=io.BytesIO(data), reason=reason
        )
        if temporary is not None and target is not None:
            try:
                os.replace(temporary, target)
            except OSError as exc:
                raise InputError(
                    f"the report was added to case {case_id} as item {item.id} but could not "
                    f"be written: {exc.strerror or exc}",
                    file=str(target),
                ) from None
            temporary = None
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    return OperationReportView(
        operation_id=operation_id,
        handling=report.summary.handling,
        path=str(target) if target is not None else name,
        sha256=hashlib.sha256(data).hexdigest(),
        bytes=len(data),
        case_id=case_id,
        item_id=item.id,
    )


def _write_temporary(target: Path, data: bytes) -> Path:
    """``data`` in a new 0600 file beside ``target`` (flushed to disk); its path."""
    try:
        descriptor, name = tempfile.mkstemp(prefix=f".{target.name}-", dir=target.parent)
    except OSError as exc:
        raise InputError(
            f"cannot write the report: {exc.strerror or exc}", file=str(target)
        ) from None
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, FILE_MODE)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise InputError(
            f"cannot write the report: {exc.strerror or exc}", file=str(target)
        ) from None
    return temporary
