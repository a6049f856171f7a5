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

Persons' real names are never in the report: it becomes evidence that every member of
the case reads, whereas real names follow the need-to-know rule of the live board.

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
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy.engine import Connection

from leaktrace.errors import InputError, NotFoundError, PermissionDeniedError
from leaktrace.exchange.markings import HANDLING_CODES
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.infra.worldmap import country_name
from leaktrace.operations.model import CHECKLIST, TargetStatus, h_hour_at
from leaktrace.operations.timezones import local_time
from leaktrace.private_files import FILE_MODE, make_private_folder
from leaktrace.services import audit, case_items
from leaktrace.services.case_access import case_access
from leaktrace.services.case_log import tree_head_view
from leaktrace.services.case_timeline import operation_change
from leaktrace.services.case_views import TreeHeadView
from leaktrace.services.context import AppContext
from leaktrace.services.operation_access import OperationAccess, operation_access
from leaktrace.services.operation_board import counters, issue_view, summary_view
from leaktrace.services.operation_views import (
    OperationCountersView,
    OperationIssueView,
    OperationReportView,
    OperationSummaryView,
)
from leaktrace.store import cases as case_store
from leaktrace.store import evidence_log as log_store
from leaktrace.store import operations as store
from leaktrace.store.operations import OperationAgencyRecord, TargetRecord
from leaktrace.templating import html_environment

__all__ = [
    "HANDLING_MEANING",
    "REPORT_MEDIA_TYPE",
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
class _Agency:
    code: str
    name: str
    country: str
    role: str
    timezone: str
    h_hour_local: str


@dataclass(frozen=True, slots=True)
class _CountryRow:
    country: str
    name: str
    targets: int
    by_status: dict[str, int]
    seized: int
    arrested: int
    offline: int
    moved: int


@dataclass(frozen=True, slots=True)
class _TargetRow:
    id: int
    kind: str
    label: str
    country: str
    group: str
    agency: str
    status: str
    outcome: str
    checklist: str
    note: str
    open_issues: int


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
    summary: OperationSummaryView
    case_title: str
    handling: str
    handling_meaning: str
    h_hour_utc: str
    agencies: list[_Agency]
    counters: OperationCountersView
    statuses: list[str]
    countries: list[_CountryRow]
    targets: list[_TargetRow]
    issues: list[OperationIssueView]
    timeline: list[_TimelineRow]
    head: TreeHeadView
    generated_at: str
    generated_by: str


@functools.cache
def _environment() -> Environment:
    return html_environment("leaktrace.report")


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _outcome_text(outcome: Mapping[str, Any]) -> str:
    parts = []
    if "seized" in outcome:
        parts.append(f"seized {outcome['seized']}")
    if "arrested" in outcome:
        parts.append(f"arrested {outcome['arrested']}")
    if "offline" in outcome:
        parts.append("offline" if outcome["offline"] else "still online")
    if outcome.get("moved_to"):
        parts.append(f"moved to {outcome['moved_to']}")
    return "; ".join(parts)


def _checklist_text(checklist: Mapping[str, str]) -> str:
    done = []
    for key, label in CHECKLIST:
        if key in checklist:
            reference = checklist[key]
            done.append(f"{label} ({reference})" if reference else label)
    return "; ".join(done)


def _target_row(target: TargetRecord, open_issues: Mapping[int, int]) -> _TargetRow:
    return _TargetRow(
        id=target.id,
        kind=target.kind,
        label=target.label,
        country=target.country or "",
        group=target.group_name or "",
        agency=target.agency_code or "",
        status=target.status,
        outcome=_outcome_text(target.outcome),
        checklist=_checklist_text(target.checklist),
        note=target.note or "",
        open_issues=open_issues.get(target.id, 0),
    )


def _country_rows(targets: Sequence[TargetRecord]) -> list[_CountryRow]:
    groups: dict[str, list[TargetRecord]] = {}
    for target in targets:
        groups.setdefault(target.country or "??", []).append(target)
    rows = []
    for code, members in groups.items():
        statuses = Counter(t.status for t in members)
        rows.append(
            _CountryRow(
                country=code,
                name=country_name(code) if code != "??" else "location unknown",
                targets=len(members),
                by_status={s.value: statuses.get(s.value, 0) for s in TargetStatus},
                seized=sum(counters([t], 0).servers_seized for t in members),
                arrested=sum(counters([t], 0).arrests for t in members),
                offline=sum(1 for t in members if t.outcome.get("offline") is True),
                moved=sum(1 for t in members if t.outcome.get("moved_to")),
            )
        )
    rows.sort(key=lambda r: (-r.targets, r.country))
    return rows


def _timeline(conn: Connection, case_id: int, name: str, size: int) -> list[_TimelineRow]:
    """The operation's entries of the case's log below ``size``, oldest first."""
    rows = []
    for record in log_store.iter_entries(conn, case_id, 0, size):
        if not record.event.startswith("operation."):
            continue
        parsed = json.loads(record.entry)
        data = parsed.get("data") or {}
        if not isinstance(data, Mapping) or data.get("operation") != name:
            continue
        actor = parsed.get("actor") or {}
        rows.append(
            _TimelineRow(
                seq=record.seq,
                at=_stamp(record.at if record.at.tzinfo else record.at.replace(tzinfo=UTC)),
                who=str(actor.get("name") or ""),
                agency=str(actor.get("agency") or ""),
                event=record.event.removeprefix("operation."),
                target=str(data.get("target") or ""),
                what=operation_change(record.event, data, limit=None),
                leaf_hash=record.leaf_hash.hex(),
            )
        )
    return rows


def _agencies(access: OperationAccess, agencies: Sequence[OperationAgencyRecord]) -> list[_Agency]:
    moment = h_hour_at(access.operation.day, access.operation.h_hour)
    return [
        _Agency(
            code=a.code,
            name=a.name,
            country=a.country,
            role=a.role,
            timezone=a.timezone,
            h_hour_local=local_time(moment, a.timezone),
        )
        for a in agencies
    ]


def _gather(conn: Connection, access: OperationAccess, actor: Actor) -> _Report | None:
    """The report's facts as of one size of the case's log, or None when a change landed
    while they were read (the caller reads again). Every change of an operation appends
    to its case's log in its own transaction, so an unchanged log size before and after
    the reads means the rows read are those of that size (on every backend, whatever the
    isolation level)."""
    operation = access.operation
    before = log_store.log_size(conn, operation.case_id)
    fresh = store.operation_by_id(conn, operation.id)
    assert fresh is not None
    targets = store.targets_of(conn, operation.id)
    issues = store.issues_of(conn, operation.id)
    agencies = store.agencies_of(conn, operation.id)
    case = case_store.case_by_id(conn, operation.case_id)
    head = tree_head_view(conn, operation.case_id) if before else None
    if log_store.log_size(conn, operation.case_id) != before or head is None:
        return None
    if head.tree_size != before:  # pragma: no cover - a head is stored with every entry
        return None
    open_counts = Counter(i.target_id for i in issues if i.resolved_at is None)
    views = [issue_view(i, handling=operation.handling) for i in issues]
    views.sort(key=lambda v: (not v.open, v.id))
    summary = summary_view(conn, access)
    moment = h_hour_at(operation.day, operation.h_hour)
    return _Report(
        summary=summary,
        case_title=case.title if case is not None else "",
        handling=operation.handling,
        handling_meaning=HANDLING_MEANING.get(operation.handling, ""),
        h_hour_utc=f"{moment:%Y-%m-%d %H:%M} UTC",
        agencies=_agencies(access, agencies),
        counters=counters(targets, sum(open_counts.values())),
        statuses=[s.value for s in TargetStatus],
        countries=_country_rows(targets),
        targets=[_target_row(t, open_counts) for t in targets],
        issues=views,
        timeline=_timeline(conn, operation.case_id, operation.name, head.tree_size),
        head=head,
        generated_at=_stamp(datetime.now(UTC)),
        generated_by=actor.name + (f" ({actor.agency_code})" if actor.agency_code else ""),
    )


def _render(ctx: AppContext, actor: Actor, operation_id: int) -> tuple[str, _Report]:
    with ctx.database.transaction() as conn:
        access = operation_access(conn, actor, operation_id)
        for _ in range(_CONSISTENT_TRIES):
            report = _gather(conn, access, actor)
            if report is not None:
                break
        else:  # pragma: no cover - twenty changes in a row during the reads
            raise InputError(
                "the operation kept changing while its report was written: try again",
                field="operation",
            )
        audit.record(
            conn,
            actor,
            "operation.report",
            f"operation {operation_id}",
            f"case {report.summary.case_id} log size {report.head.tree_size}",
        )
    html = _environment().get_template("operation_report.html.j2").render(r=report)
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
