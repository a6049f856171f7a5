"""Works: the catalogue of protected works (``leaktrace catalog list`` / ``import``,
``GET /api/v1/works``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from leaktrace.catalog.csv_import import CatalogFormat, read_catalog
from leaktrace.errors import InputError, NotFoundError
from leaktrace.identity.actor import Actor
from leaktrace.identity.roles import Permission
from leaktrace.matching.matcher import Matcher
from leaktrace.pipeline.assess import Assessor
from leaktrace.pipeline.catalog import import_works
from leaktrace.services import audit
from leaktrace.services.context import AppContext
from leaktrace.services.leaks import check_text, cursor_number
from leaktrace.services.paging import decode_cursor, encode_cursor, page_size
from leaktrace.services.views import Page, View
from leaktrace.store.works import count_works, load_works, work_by_id, work_page

__all__ = [
    "CatalogImportView",
    "ReassessView",
    "WorkDetail",
    "WorkQuery",
    "WorkView",
    "get_work",
    "import_catalog",
    "list_works",
    "match_names",
    "NameMatchView",
]

_LISTING = "works"
KINDS = ("movie", "season")


class WorkView(View):
    """One work with its windows (``YYYY-MM-DD``) and how many releases and leaks it has."""

    id: str
    kind: str
    title: str
    year: int | None
    season: int | None
    country: str | None
    theatrical: str | None
    digital: str | None
    physical: str | None
    broadcast: str | None
    releases: int
    leaks: int


class WorkDetail(WorkView):
    aliases: list[str]


@dataclass(frozen=True, slots=True)
class WorkQuery:
    search: str | None = None
    """Part of the title."""
    kind: str | None = None
    limit: int | None = None
    cursor: str | None = None
    with_total: bool = False


def _after(cursor: str) -> list[Any]:
    title, year, season, work_id = decode_cursor(_LISTING, cursor, 4)
    if not (isinstance(title, str) and isinstance(work_id, str)):
        raise InputError(f"not a cursor of this {_LISTING} listing", field="cursor")
    check_text(title, "cursor", 300)
    check_text(work_id, "cursor", 64)
    year_ = cursor_number(year, _LISTING, integer=True)
    season_ = cursor_number(season, _LISTING, integer=True)
    return [title, year_, season_, work_id]


def list_works(ctx: AppContext, actor: Actor, query: WorkQuery) -> Page[WorkView]:
    """One page of works, by title, year and season."""
    actor.require(Permission.read_intel)
    if query.kind is not None and query.kind not in KINDS:
        raise InputError("must be movie or season", field="kind")
    check_text(query.search, "search", 300)
    size = page_size(query.limit)
    after = _after(query.cursor) if query.cursor else None
    with ctx.database.reading() as conn:
        rows = work_page(conn, search=query.search, kind=query.kind, after=after, limit=size + 1)
        total = (
            count_works(conn, search=query.search, kind=query.kind) if query.with_total else None
        )
    items = [WorkView.model_validate(row) for row, _ in rows[:size]]
    following = encode_cursor(_LISTING, rows[size - 1][1]) if len(rows) > size else None
    return Page[WorkView](items=items, next_cursor=following, total=total)


def get_work(ctx: AppContext, actor: Actor, work_id: str) -> WorkDetail:
    actor.require(Permission.read_intel)
    check_text(work_id, "work_id", 64)
    with ctx.database.reading() as conn:
        row = work_by_id(conn, work_id)
    if row is None:
        raise NotFoundError(f"no work {work_id!r}", kind="work", key=work_id)
    return WorkDetail.model_validate(row)


class ReassessView(View):
    releases: int
    changed: int
    new_alerts: int
    cleared_alerts: int


class CatalogImportView(View):
    """What a catalogue import did (``leaktrace catalog import --format json``)."""

    file: str
    works: int
    added: int
    updated: int
    unchanged: int
    reassessed: ReassessView | None = None

    def to_json(self) -> dict[str, Any]:
        # "reassessed" appears only when stored releases were reassessed (as before)
        return self.model_dump(mode="json", exclude_none=True)


def import_catalog(
    ctx: AppContext,
    actor: Actor,
    path: Path,
    *,
    fmt: CatalogFormat = "auto",
    reassess_releases: bool = True,
) -> CatalogImportView:
    """Check the whole file, then upsert its works and reassess stored releases, in one
    transaction: one bad row and nothing is imported."""
    works = read_catalog(path, fmt)
    with ctx.database.transaction() as conn:
        report = import_works(
            conn, works, str(path), ctx.settings, reassess_releases=reassess_releases
        )
        audit.record(
            conn,
            actor,
            "catalog.import",
            subject=str(path)[:300],
            detail=f"{report.summary.added} added, {report.summary.updated} updated",
        )
    return CatalogImportView.model_validate(report.as_dict())


class NameMatchView(View):
    """What the catalogue makes of a release name, as if it were released at a time."""

    work_id: str | None
    score: float
    reason: str
    status_if_released_now: str


def match_names(
    ctx: AppContext, actor: Actor, names: Sequence[str], *, at: datetime | None = None
) -> list[NameMatchView]:
    """Match each name against the catalogue and check it for a leak as if released
    ``at`` (default: now), without storing anything (``leaktrace parse --match``)."""
    actor.require(Permission.read_intel)
    with ctx.database.reading() as conn:
        works = load_works(conn)
    assessor = Assessor(Matcher(works, ctx.settings.match_threshold))
    when = at or datetime.now(UTC)
    views = []
    for name in names:
        outcome = assessor.outcome(name, when)
        views.append(
            NameMatchView(
                work_id=outcome.match.work_id,
                score=round(outcome.match.score, 2),
                reason=outcome.match.reason,
                status_if_released_now=outcome.status,
            )
        )
    return views
