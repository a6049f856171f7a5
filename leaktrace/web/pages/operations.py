"""Pages of action days: the operations the user's agency takes part in
(``/operations``) and one operation's live board (``/operations/{id}``).

The board is rendered here as the agency sees it (:func:`operation_board`): the handling
code on top, the H-hour in UTC, in the viewer's own time zone (the board's script) and in
each agency's, counters, open issues first, a world map and per-country tiles (each
country coloured by the state of its targets *and* the counts written out), the targets
with the buttons for what the viewer's agency may do, and the timeline.
The board's scripts keep it live (static files loaded in order, no bundler):
``static/operations-board.js`` (shared state, helpers and rules), ``operations-apply.js``
(applies each event to the row, tile, map, counters and timeline),
``operations-forms.js`` (the buttons and forms, which post to the JSON API
``/api/v1/operations/...`` with the session's CSRF token) and ``operations-stream.js``
(reads the operation's server-sent events ``/api/v1/operations/{id}/events`` from the
board's ``last_event_id`` on, and starts it all).

Every text of a target, note or issue comes from users: Jinja2 escapes it here, and the
script sets it with ``textContent`` only. The board's data reaches the script as JSON in
a single-quoted attribute (``|tojson`` escapes ``<``, ``>``, ``&`` and ``'``), never as code:
the page has no inline script.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.infra.worldmap import CountryMark, world_map_svg
from leaktrace.operations.model import CHECKLIST, NEXT, OUTCOME_FIELDS, TargetStatus
from leaktrace.services.exchange_browse import HANDLING_NOTICES
from leaktrace.services.operation_board import operation_board
from leaktrace.services.operation_views import OperationBoardView, OperationCountryView
from leaktrace.services.operations import list_operations
from leaktrace.web.deps import Context
from leaktrace.web.pages import params
from leaktrace.web.policy import requires
from leaktrace.web.rendering import render, trusted_svg

__all__ = ["COUNTRY_STATES", "STATUS_LABELS", "router", "status_map"]

router = APIRouter(include_in_schema=False)
_READ = requires(Permission.read_cases)

STATUSES = [s.value for s in TargetStatus]
STATUS_LABELS: Mapping[str, str] = {
    "planned": "planned",
    "go": "go",
    "in-progress": "in progress",
    "done": "done",
    "failed": "failed",
    "aborted": "aborted",
}
"""A target's status in words."""
COUNTRY_STATES: Mapping[str, str] = {
    "planned": "planned",
    "go": "go",
    "in-progress": "under way",
    "failed": "a target failed",
    "done": "finished",
    "aborted": "aborted",
}
"""A country's state (:func:`leaktrace.operations.model.country_state`, the tile's
``state``) in words, as the tiles and the map's legend write it."""


def tile_text(tile: OperationCountryView) -> str:
    """A country's targets in words: ``Netherlands: 2 targets (1 done, 1 planned)``."""
    parts = [f"{n} {STATUS_LABELS[s]}" for s, n in tile.by_status.items() if n]
    noun = "target" if tile.targets == 1 else "targets"
    return f"{tile.name}: {tile.targets} {noun} ({', '.join(parts)})"


def status_map(countries: list[OperationCountryView]) -> str:
    """The world map with each country that has targets marked by its state
    (``data-state``, coloured by ``operations.css``) and its counts in its tooltip."""
    tiles = [c for c in countries if c.country != "??"]
    return world_map_svg(
        {tile.country: tile.targets for tile in tiles},
        "Targets per country",
        unit="targets",
        marks={
            tile.country: CountryMark(attributes={"data-state": tile.state}, title=tile_text(tile))
            for tile in tiles
        },
    )


def _script_data(board: OperationBoardView) -> dict[str, Any]:
    """What the board's scripts need beyond the page: the targets as data, the rules of
    moves, the checklist, who the viewer is and what it may do (the board's ``may_*``),
    and each country's state as the server computed it (``tile_states``; the scripts
    recompute it on live updates with the same rule)."""
    return {
        "operation_id": board.operation.id,
        "handling": board.operation.handling,
        "last_event_id": board.last_event_id,
        "viewer_agency": board.viewer_agency,
        "can_coordinate": board.can_coordinate,
        "may_write": board.may_write,
        "may_raise": board.may_raise,
        "next": {s.value: sorted(n.value for n in NEXT[s]) for s in TargetStatus},
        "statuses": STATUSES,
        "status_labels": dict(STATUS_LABELS),
        "country_states": dict(COUNTRY_STATES),
        "checklist": [list(item) for item in CHECKLIST],
        "acting_agencies": [a.code for a in board.agencies if a.role != "observer"],
        "targets": [t.model_dump(mode="json") for t in board.targets],
        "issues": [i.model_dump(mode="json") for i in board.issues],
        "countries": {c.country: c.name for c in board.countries},
        "tile_states": {c.country: c.state for c in board.countries},
    }


@router.get("/operations", response_class=HTMLResponse)
def operations_page(request: Request, ctx: Context, actor: Actor = _READ) -> HTMLResponse:
    """The operations the user's agency takes part in, newest first."""
    return render(
        request,
        "operations/list.html",
        actor=actor,
        title="Action days",
        operations=list_operations(ctx, actor),
        handling=HANDLING_NOTICES,
    )


@router.get("/operations/{operation_id}", response_class=HTMLResponse)
def board_page(
    request: Request, ctx: Context, operation_id: str, actor: Actor = _READ
) -> HTMLResponse:
    """One operation's live board (404 for an operation the agency does not take part
    in, as for one that does not exist)."""
    board = operation_board(ctx, actor, params.identifier(operation_id, "operation_id"))
    return render(
        request,
        "operations/board.html",
        actor=actor,
        title=board.operation.name,
        board=board,
        op=board.operation,
        world=trusted_svg(status_map(board.countries)),
        states=STATUS_LABELS,
        country_states=COUNTRY_STATES,
        tile_text=tile_text,
        checklist=CHECKLIST,
        outcome_fields=OUTCOME_FIELDS,
        statuses=STATUSES,
        handling_notice=HANDLING_NOTICES.get(board.operation.handling, board.operation.handling),
        acting=[a.code for a in board.agencies if a.role != "observer"],
        data=_script_data(board),
    )
