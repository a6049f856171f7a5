"""`/api/v1/leaks`: pre-release leak alerts, one leak, and an agency's triage of it."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.services.leak_views import LeakView
from leaktrace.services.leaks import LeakQuery, get_leak, list_leaks, parse_when
from leaktrace.services.triage import MAX_NOTE, triage_leak
from leaktrace.services.views import Page
from leaktrace.web.api.params import MAX_ID, Cursor, GroupName, Limit, Since, Until, WorkId
from leaktrace.web.deps import Context
from leaktrace.web.policy import requires

_INTEL = requires(Permission.read_intel)
_TRIAGE = requires(Permission.triage)

router = APIRouter(tags=["leaks"])

LeakId = Annotated[int, Path(ge=1, le=MAX_ID, description="The leak's id.")]


@router.get("/leaks", response_model=Page[LeakView])
def leaks(
    ctx: Context,
    actor: Actor = _INTEL,
    severity: Annotated[
        Literal["low", "medium", "high", "critical"] | None,
        Query(description="Minimum severity."),
    ] = None,
    window: Literal["theatrical", "digital", "physical", "broadcast"] | None = None,
    work: WorkId = None,
    group: GroupName = None,
    since: Since = None,
    until: Until = None,
    verdict: Annotated[
        Literal["confirmed", "false-positive", "untriaged"] | None,
        Query(description="Your agency's verdict."),
    ] = None,
    sort: Literal["time", "lead", "severity"] = "time",
    limit: Limit = 50,
    cursor: Cursor = None,
    with_total: bool = False,
) -> Page[LeakView]:
    """Pre-release leaks, newest first (or by lead, or gravest first), one page at a time;
    each with your agency's triage (or null)."""
    query = LeakQuery(
        severity=severity,
        window=window,
        work=work,
        group=group,
        since=parse_when(since, "since"),
        until=parse_when(until, "until"),
        verdict=verdict,
        sort=sort,
        limit=limit,
        cursor=cursor,
        with_total=with_total,
    )
    return list_leaks(ctx, actor, query)


@router.get("/leaks/{leak_id}", response_model=LeakView)
def leak(ctx: Context, leak_id: LeakId, actor: Actor = _INTEL) -> LeakView:
    """One leak, with your agency's triage."""
    return get_leak(ctx, actor, leak_id)


class TriageRequest(BaseModel):
    """Your agency's verdict on a leak, and a note (replaces its earlier verdict)."""

    model_config = ConfigDict(extra="forbid")

    verdict: Literal["confirmed", "false-positive"]
    note: str = Field(default="", max_length=MAX_NOTE)


@router.post("/leaks/{leak_id}/triage", response_model=LeakView)
def triage(
    ctx: Context,
    leak_id: LeakId,
    body: Annotated[TriageRequest, Body()],
    actor: Actor = _TRIAGE,
) -> LeakView:
    """Mark a leak confirmed or false-positive for your agency (audited)."""
    return triage_leak(ctx, actor, leak_id, verdict=body.verdict, note=body.note)
