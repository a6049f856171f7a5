"""Read models of action days: an operation's board (agencies, targets, issues,
counters), its targets, issues and live events.

Each is the JSON of ``leaktrace operation ... --format json``, of the API and of the
events the live board streams. Every view of an operation carries its ``handling`` code:
whoever shows or exports it shows the code with it.
"""

from __future__ import annotations

from typing import Any

from leaktrace.services.views import View

__all__ = [
    "OperationAgencyView",
    "OperationBoardView",
    "OperationCountersView",
    "OperationCountryView",
    "OperationEventView",
    "OperationIssueView",
    "OperationReportView",
    "OperationSummaryView",
    "OperationTargetView",
]


class OperationAgencyView(View):
    code: str
    name: str
    country: str
    role: str
    """``coordinator``, ``participant`` or ``observer``."""
    timezone: str
    h_hour_local: str
    """The H-hour as this agency reads it: ``2020-08-25 08:00 CEST (UTC+02:00)``."""


class OperationTargetView(View):
    id: int
    handling: str
    """The operation's handling code (shown with everything shown of the operation)."""
    kind: str
    """``server``, ``account``, ``person`` or ``premises``."""
    label: str
    """A server's address, an account's or person's pseudonymous handle, a premises."""
    country: str | None
    country_name: str | None
    group: str | None
    reference: str | None
    real_name: str | None
    """Persons only, and only for the agency of the target's country and coordinators
    (who hold ``read:personal``); None otherwise, as if there were none."""
    agency: str | None
    """The code of the agency assigned to act on it."""
    status: str
    next_statuses: list[str]
    checklist: dict[str, str | None]
    """Every checklist item (``authorisation``, ``search`` ...): its reference text when
    checked (``""`` without one), None while open."""
    outcome: dict[str, Any]
    note: str | None
    updated_at: str
    open_issues: int
    can_change: bool
    """Whether the viewer may change it (its agency, or a coordinator, with
    ``write:cases``)."""


class OperationIssueView(View):
    id: int
    handling: str
    target_id: int
    target_label: str
    text: str
    raised_by_agency: str | None
    raised_at: str
    resolved_at: str | None
    resolution: str | None
    open: bool


class OperationCountersView(View):
    targets: int
    by_status: dict[str, int]
    servers_seized: int
    """Outcome ``seized`` summed over targets, plus servers done with none given."""
    arrests: int
    open_issues: int


class OperationCountryView(View):
    """One country's tile: its targets by status and what they gave."""

    country: str
    """ISO alpha-2, or ``??`` for targets without a known country."""
    name: str
    by_status: dict[str, int]
    targets: int
    state: str
    """One word for the tile and the map (:func:`leaktrace.operations.model.country_state`)."""
    seized: int
    arrested: int
    offline: int
    """Targets taken offline."""
    moved: int
    """Targets found moved elsewhere."""


class OperationEventView(View):
    """One live event (the SSE ``data``): the target's id, label and new status."""

    id: int
    """The event's id (the SSE ``id``): increasing within an operation."""
    operation_id: int
    type: str
    """``created``, ``target``, ``assigned``, ``status``, ``checked``, ``issue``,
    ``resolved``."""
    at: str
    handling: str
    target_id: int | None = None
    label: str | None = None
    kind: str | None = None
    country: str | None = None
    agency: str | None = None
    status: str | None = None
    previous: str | None = None
    note: str | None = None
    outcome: dict[str, Any] | None = None
    item: str | None = None
    issue_id: int | None = None
    text: str | None = None
    by_agency: str | None = None


class OperationSummaryView(View):
    id: int
    case_id: int
    name: str
    date: str
    h_hour: str
    """``HH:MM`` UTC."""
    h_hour_utc: str
    """``2020-08-25T06:00:00Z``."""
    handling: str
    role: str
    """The viewer's agency's role (``operator`` on the command line)."""
    targets: int
    counters: OperationCountersView


class OperationBoardView(View):
    operation: OperationSummaryView
    agencies: list[OperationAgencyView]
    targets: list[OperationTargetView]
    """Coordinators: targets with open issues first; everyone else: in order."""
    issues: list[OperationIssueView]
    """Open issues first."""
    countries: list[OperationCountryView]
    events: list[OperationEventView]
    """The latest events, newest last."""
    last_event_id: int
    """Where a live stream picks up (``Last-Event-ID``)."""
    viewer_agency: str | None
    can_coordinate: bool
    """Assign targets, add targets, act on every target (a coordinating agency's user who
    may write)."""
    may_write: bool
    """The viewer may change something here (``write:cases`` and not an observer)."""
    may_raise: bool
    """The viewer may raise issues (``write:cases``; observers too)."""
    may_add_report: bool
    """The viewer may add the report to the case (a writing member of an open case)."""


class OperationReportView(View):
    operation_id: int
    handling: str
    path: str
    sha256: str
    bytes: int
    case_id: int
    item_id: int | None
    """The case item the report was added as (None when it was not added)."""
