"""Releases: every stored release, filtered and paged (``leaktrace releases``,
``GET /api/v1/releases``), and one release's page (``GET /api/v1/releases/{id}``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from leaktrace.errors import InputError, NotFoundError
from leaktrace.feeds.timeparse import format_when
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.releases import parse as parse_name
from leaktrace.services.context import AppContext
from leaktrace.services.leak_views import (
    NfoView,
    ReleaseDetail,
    ReleaseView,
    SightingView,
)
from leaktrace.services.leaks import check_text, cursor_number, cursor_time, find_leak
from leaktrace.services.paging import decode_cursor, encode_cursor, page_size
from leaktrace.services.views import Page
from leaktrace.store.leak_queries import LeakFilter
from leaktrace.store.release_queries import ReleaseFilter, count_releases
from leaktrace.store.release_queries import release_page as stored_page
from leaktrace.store.releases import nfos_of, release_by_id, sightings_of

__all__ = ["STATUSES", "ReleaseQuery", "get_release", "list_releases"]

STATUSES = ("leak", "in-window", "unknown", "unmatched")
SIGHTINGS_SHOWN = 200
NFOS_SHOWN = 5
_LISTING = "releases"


@dataclass(frozen=True, slots=True)
class ReleaseQuery:
    """The filters of ``leaktrace releases`` and the page."""

    status: str | None = None
    work: str | None = None
    group: str | None = None
    source: str | None = None
    search: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int | None = None
    cursor: str | None = None
    with_total: bool = False


def _filter(query: ReleaseQuery) -> ReleaseFilter:
    if query.status is not None and query.status not in STATUSES:
        raise InputError("must be leak, in-window, unknown or unmatched", field="status")
    check_text(query.search, "search", 512)
    check_text(query.work, "work", 64)
    check_text(query.group, "group", 128)
    check_text(query.source, "source", 16)
    return ReleaseFilter(
        status=query.status,
        work_id=query.work,
        group=query.group,
        source=query.source,
        search=query.search,
        since=query.since,
        until=query.until,
    )


def _after(cursor: str) -> list[Any]:
    moment, last_id = decode_cursor(_LISTING, cursor, 2)
    return [cursor_time(moment, _LISTING), cursor_number(last_id, _LISTING, integer=True)]


def list_releases(ctx: AppContext, actor: Actor, query: ReleaseQuery) -> Page[ReleaseView]:
    """One page of releases, newest first."""
    actor.require(Permission.read_intel)
    filters = _filter(query)
    size = page_size(query.limit)
    after = _after(query.cursor) if query.cursor else None
    with ctx.database.reading() as conn:
        rows = stored_page(conn, filters, after=after, limit=size + 1)
        total = count_releases(conn, filters) if query.with_total else None
    items = [ReleaseView.model_validate(row) for row, _ in rows[:size]]
    following = None
    if len(rows) > size:
        moment, last_id = rows[size - 1][1]
        following = encode_cursor(_LISTING, [moment.isoformat(), last_id])
    return Page[ReleaseView](items=items, next_cursor=following, total=total)


def get_release(ctx: AppContext, actor: Actor, release_id: int) -> ReleaseDetail:
    """One release: parse, match, the rule that flagged it, its sightings."""
    actor.require(Permission.read_intel)
    with ctx.database.reading() as conn:
        row = release_by_id(conn, release_id)
        if row is None:
            raise NotFoundError(f"no release {release_id}", kind="release", key=str(release_id))
        seen = sightings_of(conn, release_id, SIGHTINGS_SHOWN + 1)
        texts = nfos_of(conn, release_id, NFOS_SHOWN)
        alert = find_leak(conn, LeakFilter(release_ids=(release_id,), agency_id=actor.agency_id))
    return ReleaseDetail(
        id=row["id"],
        name=row["name"],
        released_at=format_when(row["released_at"]),
        status=row["status"],
        parsed=parse_name(row["name"]).to_dict(),
        work_id=row["work_id"],
        work=row["work_title"],
        work_label=_label(row),
        score=row["match_score"],
        reason=row["match_reason"],
        nuke=row["nuke_status"],
        nuke_reason=row["nuke_reason"],
        sightings=[_sighting(s) for s in seen[:SIGHTINGS_SHOWN]],
        sightings_total=int(row["sightings"]),
        nfos=[
            NfoView(seen_at=format_when(n["seen_at"]), group=n["group_key"], text=n["text"])
            for n in texts
        ],
        alert=alert,
    )


def _label(row: dict[str, Any]) -> str | None:
    """The work's label as :attr:`leaktrace.catalog.model.Work.label` writes it."""
    if row["work_title"] is None:
        return None
    text = str(row["work_title"])
    if row["work_kind"] == "season" and row["work_season"] is not None:
        text = f"{text} S{row['work_season']:02d}"
    if row["work_year"] is not None:
        text = f"{text} ({row['work_year']})"
    return text


def _sighting(s: dict[str, Any]) -> SightingView:
    return SightingView(
        seen_at=format_when(s["seen_at"]),
        origin=s["origin"],
        site=s["site"],
        url=s["url"],
        source=s["source"],
        size_bytes=s["size_bytes"],
        infohash=s["infohash"],
        seeders=s["seeders"],
        leechers=s["leechers"],
        grabs=s["grabs"],
    )
